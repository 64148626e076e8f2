// Minimal structured logging (abseil 20220623 has no absl/log). One line per
// event: "<RFC3339 time> <LEVEL> <message>". Callers log names, codes and
// timings; nothing that holds a secret is ever passed here (see Secret).
#pragma once

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ucgate {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Parses "debug", "info", "warning", "error".
bool ParseLogLevel(absl::string_view text, LogLevel* level);

// Where lines go; an empty function restores stderr. Tests capture lines here.
void SetLogSink(std::function<void(absl::string_view line)> sink);

void LogLine(LogLevel level, absl::string_view message);

}  // namespace ucgate

#define UCGATE_LOG(level, ...)                             \
  do {                                                     \
    if (::ucgate::LogEnabled(::ucgate::LogLevel::level)) { \
      ::ucgate::LogLine(::ucgate::LogLevel::level,         \
                        ::absl::StrCat(__VA_ARGS__));      \
    }                                                      \
  } while (0)
