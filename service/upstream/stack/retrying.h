// Decorators over the upstream operations interfaces, composed by
// MakeProjectUpstream (file_operations_factory.h): a Runner (retry, logging)
// wraps every method of an interface, generated from the interface's
// operation list, so a new RPC needs no code here.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/common/clock.h"
#include "service/common/log.h"
#include "service/common/status.h"
#include "service/upstream/addon_operations.h"
#include "service/upstream/conversion_operations.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/group_operations.h"
#include "service/upstream/project_operations.h"
#include "service/upstream/webhook_operations.h"

namespace ucgate::upstream {

struct RetryOptions {
  // Attempts per call, the first included (1 disables retries).
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  double backoff_multiplier = 2.0;
};

// Blocks the calling (executor) thread for `delay`, returning early once
// `cancellation` (may be null) fires; injected so tests never sleep.
using Sleeper =
    std::function<void(absl::Duration delay, const Cancellation* cancellation)>;
// Uniform in [0, 1); injected so backoff jitter is deterministic in tests.
using RandomSource = std::function<double()>;

// Retries idempotent operations on UNAVAILABLE only, with truncated
// exponential backoff and jitter, honouring an upstream Retry-After when it
// fits, and never sleeping past the caller's deadline or after cancellation.
class RetryRunner {
 public:
  RetryRunner(RetryOptions options, std::shared_ptr<const Clock> clock,
              Sleeper sleeper, RandomSource random)
      : options_(options),
        clock_(std::move(clock)),
        sleeper_(std::move(sleeper)),
        random_(std::move(random)) {}

  template <typename Call>
  auto operator()(const char* name, bool idempotent, const CallContext& context,
                  Call call) const -> decltype(call()) {
    absl::Duration backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      auto result = call();
      if (result.ok() || !idempotent || attempt >= options_.max_attempts ||
          result.status().code() != absl::StatusCode::kUnavailable) {
        return result;
      }
      // Equal jitter: half fixed, half random, so retries spread out.
      absl::Duration delay = backoff / 2 + (backoff / 2) * random_();
      if (std::optional<absl::Duration> retry_after =
              RetryAfter(result.status())) {
        delay = std::max(delay, *retry_after);
      }
      if (clock_->Now() + delay >= context.deadline || context.cancelled()) {
        return result;
      }
      UCGATE_LOG(kDebug, "upstream retry op=", name, " attempt=", attempt + 1,
                 " after=", absl::FormatDuration(delay),
                 " cause=", absl::StatusCodeToString(result.status().code()));
      sleeper_(delay, context.cancellation.get());
      if (context.cancelled()) return result;
      backoff =
          std::min(options_.max_backoff, backoff * options_.backoff_multiplier);
    }
  }

 private:
  RetryOptions options_;
  std::shared_ptr<const Clock> clock_;
  Sleeper sleeper_;
  RandomSource random_;
};

// Logs each call: operation, project, outcome and latency. Successes at debug
// level, failures at warning; never request or response bodies or headers.
class LoggingRunner {
 public:
  LoggingRunner(std::string project_name, std::shared_ptr<const Clock> clock)
      : project_name_(std::move(project_name)), clock_(std::move(clock)) {}

  template <typename Call>
  auto operator()(const char* name, bool, const CallContext&, Call call) const
      -> decltype(call()) {
    const absl::Time start = clock_->Now();
    auto result = call();
    const absl::Duration latency = clock_->Now() - start;
    if (result.ok()) {
      UCGATE_LOG(kDebug, "upstream op=", name, " project=", project_name_,
                 " status=OK latency=", absl::FormatDuration(latency));
    } else {
      UCGATE_LOG(kWarning, "upstream op=", name, " project=", project_name_,
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

// Wrapped<Interface, Runner>: every method of Interface runs through Runner
// around the same method of the child.
template <typename Interface, typename Runner>
class Wrapped;

#define UCGATE_WRAP_OPERATION(Method, idempotent)                     \
  absl::StatusOr<v1::Method##Response> Method(                        \
      const CallContext& context, const v1::Method##Request& request) \
      override {                                                      \
    return runner_(#Method, idempotent, context,                      \
                   [&] { return child_->Method(context, request); }); \
  }

#define UCGATE_DEFINE_WRAPPED(Interface, OPERATIONS)              \
  template <typename Runner>                                      \
  class Wrapped<Interface, Runner> final : public Interface {     \
   public:                                                        \
    Wrapped(std::shared_ptr<Interface> child, Runner runner)      \
        : child_(std::move(child)), runner_(std::move(runner)) {} \
    OPERATIONS(UCGATE_WRAP_OPERATION)                             \
                                                                  \
   private:                                                       \
    std::shared_ptr<Interface> child_;                            \
    Runner runner_;                                               \
  };

UCGATE_DEFINE_WRAPPED(FileOperations, UCGATE_FILE_OPERATIONS)
UCGATE_DEFINE_WRAPPED(GroupOperations, UCGATE_GROUP_OPERATIONS)
UCGATE_DEFINE_WRAPPED(ProjectOperations, UCGATE_PROJECT_OPERATIONS)
UCGATE_DEFINE_WRAPPED(WebhookOperations, UCGATE_WEBHOOK_OPERATIONS)
UCGATE_DEFINE_WRAPPED(ConversionOperations, UCGATE_CONVERSION_OPERATIONS)
UCGATE_DEFINE_WRAPPED(AddonOperations, UCGATE_ADDON_OPERATIONS)

template <typename Interface>
std::unique_ptr<Interface> MakeRetrying(std::shared_ptr<Interface> child,
                                        RetryOptions options,
                                        std::shared_ptr<const Clock> clock,
                                        Sleeper sleeper, RandomSource random) {
  return std::make_unique<Wrapped<Interface, RetryRunner>>(
      std::move(child), RetryRunner(options, std::move(clock),
                                    std::move(sleeper), std::move(random)));
}

template <typename Interface>
std::unique_ptr<Interface> MakeLogging(std::shared_ptr<Interface> child,
                                       std::string project_name,
                                       std::shared_ptr<const Clock> clock) {
  return std::make_unique<Wrapped<Interface, LoggingRunner>>(
      std::move(child),
      LoggingRunner(std::move(project_name), std::move(clock)));
}

// The FileOperations names earlier code and tests use.
inline std::unique_ptr<FileOperations> MakeRetryingFileOperations(
    std::shared_ptr<FileOperations> child, RetryOptions options,
    std::shared_ptr<const Clock> clock, Sleeper sleeper, RandomSource random) {
  return MakeRetrying<FileOperations>(std::move(child), options,
                                      std::move(clock), std::move(sleeper),
                                      std::move(random));
}
inline std::unique_ptr<FileOperations> MakeLoggingFileOperations(
    std::shared_ptr<FileOperations> child, std::string project_name,
    std::shared_ptr<const Clock> clock) {
  return MakeLogging<FileOperations>(std::move(child), std::move(project_name),
                                     std::move(clock));
}

}  // namespace ucgate::upstream
