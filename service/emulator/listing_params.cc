#include "service/emulator/listing_params.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_time.h"

namespace ucgate::emulator {

std::optional<bool> ParseBoolean(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  for (absl::string_view yes : {"true", "t", "yes", "y", "on", "1"}) {
    if (lower == yes) return true;
  }
  for (absl::string_view no : {"false", "f", "no", "n", "off", "0"}) {
    if (lower == no) return false;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseInteger(absl::string_view text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ParseDatetimeMicros(std::string text) {
  if (text.size() > 6 && text[text.size() - 6] == ' ' &&
      text[text.size() - 3] == ':') {
    text[text.size() - 6] = '+';
  }
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (!restapi::internal::ParseTimestamp(text, &seconds, &nanos)) {
    return std::nullopt;
  }
  return seconds * 1000000 + nanos / 1000;
}

std::string FormatCursorDatetime(int64_t micros) {
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  std::string text;
  restapi::internal::AppendTimestamp(seconds, static_cast<int32_t>(rest * 1000),
                                     &text);
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  text.append("+00:00");
  return text;
}

int ParsePageLimit(const ApiRequest& request, FieldErrors* errors) {
  const std::string* limit = request.Query("limit");
  if (limit == nullptr) return static_cast<int>(kDefaultPageLimit);
  std::optional<int64_t> value = ParseInteger(*limit);
  if (!value) {
    errors->Add("limit", kInvalidInteger);
  } else if (*value > kMaxPageLimit) {
    errors->Add("limit",
                absl::StrCat("Ensure this value is less than or equal to ",
                             kMaxPageLimit, "."));
  } else if (*value < 1) {
    errors->Add("limit", "Ensure this value is greater than or equal to 1.");
  } else {
    return static_cast<int>(*value);
  }
  return static_cast<int>(kDefaultPageLimit);
}

int64_t ParsePageOffset(const ApiRequest& request, FieldErrors* errors) {
  const std::string* offset = request.Query("offset");
  if (offset == nullptr) return 0;
  std::optional<int64_t> value = ParseInteger(*offset);
  if (!value) {
    errors->Add("offset", kInvalidInteger);
  } else if (*value < 0) {
    errors->Add("offset", "Ensure this value is greater than or equal to 0.");
  } else {
    return *value;
  }
  return 0;
}

PagePositions ParsePagePositions(const ApiRequest& request, bool integer_keys,
                                 FieldErrors* errors) {
  PagePositions positions;
  auto parse = [&](absl::string_view name, std::optional<int64_t>* target) {
    const std::string* text = request.Query(name);
    if (text == nullptr || text->empty()) return;
    *target = integer_keys ? ParseInteger(*text) : ParseDatetimeMicros(*text);
    if (!*target) {
      errors->Add(name, integer_keys ? kInvalidInteger : kInvalidDatetime);
    }
  };
  parse("from", &positions.from);
  parse("to", &positions.to);
  if (positions.from) positions.to.reset();
  return positions;
}

std::string PageUrl(const ApiRequest& request, absl::string_view resource_path,
                    const ListCursor& cursor, bool forward,
                    absl::string_view key_text) {
  std::string url = absl::StrCat(request.public_base_url, resource_path, "?");
  bool first = true;
  auto add = [&](absl::string_view name, absl::string_view value) {
    if (!first) url.push_back('&');
    first = false;
    AppendQueryEscaped(name, &url);
    url.push_back('=');
    AppendQueryEscaped(value, &url);
  };
  for (const auto& [name, value] : request.query) {
    if (name != "from" && name != "to" && name != "offset") add(name, value);
  }
  if (forward && cursor.key) add("from", key_text);
  add("offset", absl::StrCat(cursor.offset));
  if (!forward && cursor.key) add("to", key_text);
  return url;
}

}  // namespace ucgate::emulator
