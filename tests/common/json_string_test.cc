// AppendJsonString: escapes, UTF-8 kept, every ill-formed sequence replaced,
// and whatever the bytes, the result parses as JSON.
#include "service/common/json_string.h"

#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace ucgate {
namespace {

std::string Json(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

// What a strict JSON parser reads back.
std::string ParsedBack(const std::string& json) {
  simdjson::dom::parser parser;
  std::string_view value;
  EXPECT_EQ(parser.parse(json).get(value), simdjson::SUCCESS) << json;
  return std::string(value);
}

TEST(AppendJsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Json("plain text"), "\"plain text\"");
  EXPECT_EQ(Json(""), "\"\"");
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(Json(std::string("\x00\x01\x1f", 3)), "\"\\u0000\\u0001\\u001f\"");
  EXPECT_EQ(Json("\x7f"), "\"\x7f\"");  // DEL needs no escape in JSON
  static constexpr char kNasty[] = "line\nbreak \"quoted\" \x1b[31m\x00end";
  const std::string nasty(kNasty, sizeof(kNasty) - 1);
  EXPECT_EQ(ParsedBack(Json(nasty)), nasty);
}

TEST(AppendJsonString, KeepsWellFormedUtf8) {
  // 2-, 3- and 4-byte sequences, and the edges of each range.
  for (const char* text :
       {"h\xc3\xa9llo", "\xe2\x9c\x93", "\xf0\x9f\x98\x80", "\xc2\x80",
        "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
        "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_EQ(Json(text), absl::StrCat("\"", text, "\"")) << text;
    EXPECT_EQ(ParsedBack(Json(text)), text);
  }
}

TEST(AppendJsonString, ReplacesEachMaximalIllFormedSubpart) {
  struct Case {
    std::string input;
    std::string json;
  };
  const Case cases[] = {
      {"\x80", "\"\\ufffd\""},                        // stray continuation
      {"\xff", "\"\\ufffd\""},                        // never a UTF-8 byte
      {"\xc0\xaf", "\"\\ufffd\\ufffd\""},             // overlong '/'
      {"\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""},  // overlong, 3 bytes
      {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},  // a surrogate
      {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},  // > U+10FFFF
      {"\xf0\x9f\x98", "\"\\ufffd\""},  // truncated at the end
      {"\xe2\x82"
       "A",
       "\"\\ufffdA\""},  // truncated before ASCII
      {"ok\xc3", "\"ok\\ufffd\""},
      {"\xc3\xa9\x80\xc3\xa9", "\"\xc3\xa9\\ufffd\xc3\xa9\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Json(c.input), c.json) << absl::CEscape(c.input);
  }
}

TEST(AppendJsonString, AnyBytesMakeValidJson) {
  std::mt19937 random(15);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 40);
  for (int i = 0; i < 5000; ++i) {
    std::string input(length(random), '\0');
    for (char& c : input) c = static_cast<char>(byte(random));
    const std::string json = Json(input);
    simdjson::dom::parser parser;
    std::string_view value;
    ASSERT_EQ(parser.parse(json).get(value), simdjson::SUCCESS)
        << absl::CEscape(input);
  }
}

}  // namespace
}  // namespace ucgate
