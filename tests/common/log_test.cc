// Log lines in both formats: JSON lines parse back with every field, values
// escaped; text lines keep their established shape; levels filter.
#include "service/common/log.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/secret.h"
#include "simdjson.h"

namespace ucgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// A Secret converts to no field value: it cannot reach a log line.
static_assert(!std::is_constructible_v<LogField, absl::string_view, Secret>);
static_assert(
    !std::is_constructible_v<LogField, absl::string_view, const Secret&>);

const absl::Time kTime = absl::FromUnixMicros(1767225600123456);  // 2026-01-01

class CapturedLines {
 public:
  explicit CapturedLines(LogFormat format) {
    SetLogFormat(format);
    SetLogSink([this](absl::string_view line) { lines_.emplace_back(line); });
  }
  ~CapturedLines() {
    SetLogSink(nullptr);
    SetLogFormat(LogFormat::kText);
    SetLogLevel(LogLevel::kInfo);
  }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

TEST(LogFormat, Parses) {
  LogFormat format = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &format));
  EXPECT_EQ(format, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", &format));
  EXPECT_EQ(format, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("JSON", &format));
  EXPECT_FALSE(ParseLogFormat("", &format));
}

TEST(JsonLogLine, HoldsTimeLevelMessageAndTypedFields) {
  const std::string line = FormatLogLine(
      LogFormat::kJson, kTime, LogLevel::kWarning, "grpc call",
      {{"request_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
       {"upstream_attempts", 3},
       {"bytes", uint64_t{1} << 40},
       {"negative", -7},
       LogField::Milliseconds("latency_ms", absl::Microseconds(12345)),
       {"ratio", 0.1},
       {"from_caller", true},
       {"not_a_number", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element json;
  ASSERT_EQ(parser.parse(line).get(json), simdjson::SUCCESS) << line;
  EXPECT_EQ(std::string_view(json["time"]), "2026-01-01T00:00:00.123456Z");
  EXPECT_EQ(std::string_view(json["level"]), "warning");
  EXPECT_EQ(std::string_view(json["message"]), "grpc call");
  EXPECT_EQ(std::string_view(json["request_id"]),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(int64_t(json["upstream_attempts"]), 3);
  EXPECT_EQ(int64_t(json["bytes"]), int64_t{1} << 40);
  EXPECT_EQ(int64_t(json["negative"]), -7);
  EXPECT_EQ(double(json["latency_ms"]), 12.345);
  EXPECT_EQ(double(json["ratio"]), 0.1);
  EXPECT_EQ(bool(json["from_caller"]), true);
  EXPECT_TRUE(json["not_a_number"].is_null());
  // The field order is the caller's, after time, level and message.
  EXPECT_THAT(line, MatchesRegex("\\{\"time\":.*,\"level\":.*,\"message\":.*"
                                 ",\"request_id\":.*,\"upstream_attempts\".*"));
}

TEST(JsonLogLine, TimesMatchAbslFormatting) {
  // Lines of one second share a formatted prefix; every fraction, second
  // boundary and pre-1970 time must still read as absl formats it.
  for (int64_t micros :
       {int64_t{1767225600123456}, int64_t{1767225600999999},
        int64_t{1767225601000000}, int64_t{1767225601000001}, int64_t{0},
        int64_t{-1}, int64_t{-1000000}, int64_t{-1234567}}) {
    const absl::Time time = absl::FromUnixMicros(micros);
    SCOPED_TRACE(micros);
    simdjson::dom::parser parser;
    simdjson::dom::element json;
    const std::string line =
        FormatLogLine(LogFormat::kJson, time, LogLevel::kInfo, "m", {});
    ASSERT_EQ(parser.parse(line).get(json), simdjson::SUCCESS);
    EXPECT_EQ(
        std::string_view(json["time"]),
        absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()));
    EXPECT_THAT(FormatLogLine(LogFormat::kText, time, LogLevel::kInfo, "m", {}),
                ::testing::StartsWith(absl::FormatTime(
                    "%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone())));
  }
}

TEST(JsonLogLine, EscapesWhateverTheTextHolds) {
  const std::string hostile =
      "say \"hi\"\\\n{\"level\":\"error\"}\r\t\x01 \xc3\xa9 \xff\xfe end";
  const std::string line =
      FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, hostile,
                    {{"error", hostile}, {"key \"odd\"", "v"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element json;
  ASSERT_EQ(parser.parse(line).get(json), simdjson::SUCCESS) << line;
  const std::string expected =
      "say \"hi\"\\\n{\"level\":\"error\"}\r\t\x01 \xc3\xa9 "
      "\xef\xbf\xbd\xef\xbf\xbd end";
  EXPECT_EQ(std::string_view(json["message"]), expected);
  EXPECT_EQ(std::string_view(json["error"]), expected);
  EXPECT_EQ(std::string_view(json["key \"odd\""]), "v");
  EXPECT_EQ(std::string_view(json["level"]), "info");  // not overridden
}

TEST(TextLogLine, KeepsItsShapeAndQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, LogLevel::kInfo,
                          "ucgate listening", {}),
            "2026-01-01T00:00:00.123Z INFO ucgate listening");
  EXPECT_EQ(
      FormatLogLine(LogFormat::kText, kTime, LogLevel::kError, "grpc call",
                    {{"method", "uploadcare.gateway.v1.FileService/GetFile"},
                     {"attempts", 2},
                     {"error", "uuid: \"x\" bad"},
                     {"empty", ""},
                     {"ok", false}}),
      "2026-01-01T00:00:00.123Z ERROR grpc call "
      "method=uploadcare.gateway.v1.FileService/GetFile attempts=2 "
      "error=\"uuid: \\\"x\\\" bad\" empty=\"\" ok=false");
}

TEST(LogLine, GoesToTheSinkInTheChosenFormat) {
  CapturedLines captured(LogFormat::kJson);
  UCGATE_LOG(kInfo, "plain ", 42, " line");
  UCGATE_LOG_FIELDS(kWarning, "with fields", {"project", "demo"},
                    {"attempts", 2});
  UCGATE_LOG_FIELDS(kDebug, "dropped", {"project", "demo"});
  ASSERT_EQ(captured.lines().size(), 2u);
  simdjson::dom::parser parser;
  simdjson::dom::element first, second;
  ASSERT_EQ(parser.parse(captured.lines()[0]).get(first), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(first["message"]), "plain 42 line");
  EXPECT_EQ(std::string_view(first["level"]), "info");
  ASSERT_EQ(parser.parse(captured.lines()[1]).get(second), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(second["project"]), "demo");
  EXPECT_EQ(int64_t(second["attempts"]), 2);

  SetLogLevel(LogLevel::kDebug);
  UCGATE_LOG_FIELDS(kDebug, "kept", {"project", "demo"});
  EXPECT_THAT(captured.lines().back(), HasSubstr("\"level\":\"debug\""));
}

TEST(LogLine, TextIsStillTheDefault) {
  SetLogSink(nullptr);
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kText);
  CapturedLines captured(LogFormat::kText);
  UCGATE_LOG(kInfo, "hello");
  EXPECT_THAT(captured.lines(),
              ElementsAre(MatchesRegex("[0-9T:.-]+Z INFO hello")));
}

}  // namespace
}  // namespace ucgate
