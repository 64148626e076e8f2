#include "service/common/log.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/common/json_string.h"

namespace ucgate {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> format{static_cast<int>(LogFormat::kText)};

absl::Mutex sink_mutex;
std::function<void(absl::string_view)>& Sink()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(sink_mutex) {
  static auto* sink = new std::function<void(absl::string_view)>();
  return *sink;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

// JSON spells levels as log collectors expect them (lower case).
const char* JsonLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Up to 15 significant digits: exact for the decimals logged (latencies to
// the microsecond), and no float noise ("0.1", not "0.10000000000000001").
void AppendNumber(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  absl::StrAppendFormat(out, "%.15g", value);
}

// A text-format value stays bare while it cannot be misread (no spaces,
// quotes, '=' or control characters); otherwise it is a JSON string.
bool NeedsQuotes(absl::string_view text) {
  if (text.empty()) return true;
  for (char c : text) {
    const bool plain =
        absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
        absl::string_view("._:/@+-,").find(c) != absl::string_view::npos;
    if (!plain) return true;
  }
  return false;
}

void AppendValue(const LogField& field, bool json, std::string* out) {
  switch (field.kind()) {
    case LogField::Kind::kString:
      if (json || NeedsQuotes(field.text())) {
        AppendJsonString(field.text(), out);
      } else {
        out->append(field.text().data(), field.text().size());
      }
      return;
    case LogField::Kind::kInteger:
      absl::StrAppend(out, field.integer());
      return;
    case LogField::Kind::kNumber:
      AppendNumber(field.number(), out);
      return;
    case LogField::Kind::kBool:
      out->append(field.boolean() ? "true" : "false");
      return;
  }
}

// Appends "2026-01-02T03:04:05" (UTC), a '.', `fraction_digits` (3 or 6)
// digits of the second and 'Z'. absl::FormatTime costs microseconds, so each
// thread keeps the last second it formatted: lines within one second share
// it.
void AppendTime(absl::Time time, int fraction_digits, std::string* out) {
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached_text;
  const int64_t micros = absl::ToUnixMicros(time);
  // Floor division: the second holding `time`, also before 1970.
  const int64_t second =
      micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  if (second != cached_second) {
    cached_text =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second),
                         absl::UTCTimeZone());
    cached_second = second;
  }
  const int64_t micro_of_second = micros - second * 1000000;
  out->append(cached_text);
  if (fraction_digits == 3) {
    absl::StrAppendFormat(out, ".%03dZ", micro_of_second / 1000);
  } else {
    absl::StrAppendFormat(out, ".%06dZ", micro_of_second);
  }
}

}  // namespace

LogField LogField::Milliseconds(absl::string_view key, absl::Duration value) {
  return LogField(
      key, static_cast<double>(absl::ToInt64Microseconds(value)) / 1000.0);
}

void SetLogLevel(LogLevel level) { min_level = static_cast<int>(level); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= min_level; }

bool ParseLogLevel(absl::string_view text, LogLevel* level) {
  if (text == "debug")
    *level = LogLevel::kDebug;
  else if (text == "info")
    *level = LogLevel::kInfo;
  else if (text == "warning")
    *level = LogLevel::kWarning;
  else if (text == "error")
    *level = LogLevel::kError;
  else
    return false;
  return true;
}

void SetLogFormat(LogFormat new_format) {
  format = static_cast<int>(new_format);
}

LogFormat CurrentLogFormat() { return static_cast<LogFormat>(format.load()); }

bool ParseLogFormat(absl::string_view text, LogFormat* parsed) {
  if (text == "text")
    *parsed = LogFormat::kText;
  else if (text == "json")
    *parsed = LogFormat::kJson;
  else
    return false;
  return true;
}

void SetLogSink(std::function<void(absl::string_view line)> sink) {
  absl::MutexLock lock(&sink_mutex);
  Sink() = std::move(sink);
}

std::string FormatLogLine(LogFormat line_format, absl::Time time,
                          LogLevel level, absl::string_view message,
                          absl::Span<const LogField> fields) {
  std::string line;
  if (line_format == LogFormat::kText) {
    AppendTime(time, 3, &line);
    absl::StrAppend(&line, " ", LevelName(level), " ", message);
    for (const LogField& field : fields) {
      absl::StrAppend(&line, " ", field.key(), "=");
      AppendValue(field, /*json=*/false, &line);
    }
    return line;
  }
  line.append("{\"time\":\"");
  AppendTime(time, 6, &line);
  absl::StrAppend(&line, "\",\"level\":\"", JsonLevelName(level),
                  "\",\"message\":");
  AppendJsonString(message, &line);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(field.key(), &line);
    line.push_back(':');
    AppendValue(field, /*json=*/true, &line);
  }
  line.push_back('}');
  return line;
}

void LogLine(LogLevel level, absl::string_view message) {
  LogLine(level, message, {});
}

void LogLine(LogLevel level, absl::string_view message,
             absl::Span<const LogField> fields) {
  std::string line =
      FormatLogLine(CurrentLogFormat(), absl::Now(), level, message, fields);
  absl::MutexLock lock(&sink_mutex);
  if (Sink()) {
    Sink()(line);
    return;
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ucgate
