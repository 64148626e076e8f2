// The logging layer of the stack: each upstream attempt with its operation,
// project, outcome and latency. Successes at debug level, failures at
// warning; never request or response bodies or headers.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/common/clock.h"
#include "service/common/log.h"
#include "service/upstream/stack/wrapping.h"

namespace ucgate::upstream {

class LoggingRunner {
 public:
  LoggingRunner(std::string project_name, std::shared_ptr<const Clock> clock)
      : project_name_(std::move(project_name)), clock_(std::move(clock)) {}

  template <typename Request, typename Call>
  auto operator()(const CallContext&, const Request&, Call call) const
      -> decltype(call()) {
    constexpr const char* kName = api::RpcOf<Request>::kTraits.method;
    const absl::Time start = clock_->Now();
    auto result = call();
    const absl::Duration latency = clock_->Now() - start;
    if (result.ok()) {
      UCGATE_LOG(kDebug, "upstream op=", kName, " project=", project_name_,
                 " status=OK latency=", absl::FormatDuration(latency));
    } else {
      UCGATE_LOG(kWarning, "upstream op=", kName, " project=", project_name_,
                 " status=", absl::StatusCodeToString(result.status().code()),
                 " latency=", absl::FormatDuration(latency), " error=\"",
                 result.status().message(), "\"");
    }
    return result;
  }

 private:
  std::string project_name_;
  std::shared_ptr<const Clock> clock_;
};

template <typename Interface>
std::unique_ptr<Interface> MakeLogging(std::shared_ptr<Interface> child,
                                       std::string project_name,
                                       std::shared_ptr<const Clock> clock) {
  return std::make_unique<Wrapped<Interface, LoggingRunner>>(
      std::move(child),
      LoggingRunner(std::move(project_name), std::move(clock)));
}

}  // namespace ucgate::upstream
