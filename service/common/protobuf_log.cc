#include "service/common/protobuf_log.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/stubs/logging.h"
#include "service/common/log.h"
#include "service/common/status.h"

namespace ucgate {
namespace {

struct Throttle {
  absl::Mutex mutex;
  absl::Duration interval ABSL_GUARDED_BY(mutex);
  std::function<absl::Time()> now ABSL_GUARDED_BY(mutex);
  absl::Time last_logged ABSL_GUARDED_BY(mutex) = absl::InfinitePast();
  int64_t dropped ABSL_GUARDED_BY(mutex) = 0;
};

Throttle& TheThrottle() {
  static auto* throttle =
      new Throttle();  // Never destroyed: see SetLogHandler.
  return *throttle;
}

void HandleProtobufLog(google::protobuf::LogLevel level, const char* filename,
                       int line, const std::string& message) {
  (void)filename;
  (void)line;
  const bool fatal = level == google::protobuf::LOGLEVEL_FATAL;
  int64_t dropped = 0;
  {
    Throttle& throttle = TheThrottle();
    absl::MutexLock lock(&throttle.mutex);
    const absl::Time now = throttle.now();
    if (!fatal && now - throttle.last_logged < throttle.interval) {
      ++throttle.dropped;
      return;
    }
    throttle.last_logged = now;
    dropped = std::exchange(throttle.dropped, 0);
  }
  // Protobuf's messages name fields and types, not values; bounded anyway.
  const std::string text = absl::StrCat(
      "protobuf: ", Utf8Prefix(message, 512),
      dropped > 0 ? absl::StrCat(" (", dropped, " similar lines dropped)")
                  : std::string());
  LogLine(fatal ? LogLevel::kError : LogLevel::kWarning, text);
}

}  // namespace

void RouteProtobufLogs(absl::Duration interval,
                       std::function<absl::Time()> now) {
  Throttle& throttle = TheThrottle();
  {
    absl::MutexLock lock(&throttle.mutex);
    throttle.interval = interval;
    throttle.now = std::move(now);
    throttle.last_logged = absl::InfinitePast();
    throttle.dropped = 0;
  }
  google::protobuf::SetLogHandler(&HandleProtobufLog);
}

}  // namespace ucgate
