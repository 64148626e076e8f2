// Minimal structured logging (abseil 20220623 has no absl/log). One line per
// event, in one of two formats (SetLogFormat):
//   text: "<RFC3339 time> <LEVEL> <message> key=value ..."
//   json: {"time":"<RFC3339>","level":"info","message":"...","key":value,...}
// Callers log names, codes and timings; nothing that holds a secret is ever
// passed here (a Secret converts to no LogField value, see secret.h).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace ucgate {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Parses "debug", "info", "warning", "error".
bool ParseLogLevel(absl::string_view text, LogLevel* level);

enum class LogFormat { kText, kJson };

// How lines are written. Default: kText (the gateway picks json outside
// --emulator, from its log_format option).
void SetLogFormat(LogFormat format);
LogFormat CurrentLogFormat();
// Parses "text", "json".
bool ParseLogFormat(absl::string_view text, LogFormat* format);

// Where lines go; an empty function restores stderr. Tests capture lines here.
void SetLogSink(std::function<void(absl::string_view line)> sink);

// One structured field of a line: a key (a constant in the code, e.g.
// "request_id") and a string, integer, number or boolean value. Holds views:
// build fields in the statement that logs them.
class LogField {
 public:
  enum class Kind { kString, kInteger, kNumber, kBool };

  LogField(absl::string_view key, absl::string_view value)
      : key_(key), kind_(Kind::kString), text_(value) {}
  LogField(absl::string_view key, const char* value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  template <typename Integer,
            std::enable_if_t<std::is_integral_v<Integer> &&
                                 !std::is_same_v<Integer, bool>,
                             int> = 0>
  LogField(absl::string_view key, Integer value)
      : key_(key),
        kind_(Kind::kInteger),
        integer_(static_cast<int64_t>(value)) {}
  LogField(absl::string_view key, double value)
      : key_(key), kind_(Kind::kNumber), number_(value) {}
  LogField(absl::string_view key, bool value)
      : key_(key), kind_(Kind::kBool), boolean_(value) {}

  // `value` in milliseconds, a number to the microsecond ("latency_ms").
  static LogField Milliseconds(absl::string_view key, absl::Duration value);

  absl::string_view key() const { return key_; }
  Kind kind() const { return kind_; }
  absl::string_view text() const { return text_; }
  int64_t integer() const { return integer_; }
  double number() const { return number_; }
  bool boolean() const { return boolean_; }

 private:
  absl::string_view key_;
  Kind kind_;
  absl::string_view text_;
  int64_t integer_ = 0;
  double number_ = 0;
  bool boolean_ = false;
};

void LogLine(LogLevel level, absl::string_view message);
void LogLine(LogLevel level, absl::string_view message,
             absl::Span<const LogField> fields);

// The line LogLine writes (without its newline), in `format`.
std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level,
                          absl::string_view message,
                          absl::Span<const LogField> fields);

}  // namespace ucgate

#define UCGATE_LOG(level, ...)                             \
  do {                                                     \
    if (::ucgate::LogEnabled(::ucgate::LogLevel::level)) { \
      ::ucgate::LogLine(::ucgate::LogLevel::level,         \
                        ::absl::StrCat(__VA_ARGS__));      \
    }                                                      \
  } while (0)

// UCGATE_LOG_FIELDS(kInfo, "call", {"request_id", id}, {"attempts", 2});
#define UCGATE_LOG_FIELDS(level, message, ...)                     \
  do {                                                             \
    if (::ucgate::LogEnabled(::ucgate::LogLevel::level)) {         \
      ::ucgate::LogLine(                                           \
          ::ucgate::LogLevel::level, message,                      \
          std::initializer_list<::ucgate::LogField>{__VA_ARGS__}); \
    }                                                              \
  } while (0)
