// Captures every log line, debug level included, while it lives: the tests
// that check what is logged (audit lines, reload errors) and what never is
// (secrets).
#pragma once

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "service/common/log.h"

namespace ucgate::testing {

class LogCapture {
 public:
  LogCapture() {
    SetLogLevel(LogLevel::kDebug);
    SetLogSink([this](absl::string_view line) {
      absl::MutexLock lock(&mutex_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() {
    SetLogSink(nullptr);
    SetLogLevel(LogLevel::kInfo);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mutex_);
    return lines_;
  }
  std::vector<std::string> LinesContaining(absl::string_view text) const {
    std::vector<std::string> found;
    for (const std::string& line : lines()) {
      if (absl::StrContains(line, text)) found.push_back(line);
    }
    return found;
  }

 private:
  mutable absl::Mutex mutex_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::testing
