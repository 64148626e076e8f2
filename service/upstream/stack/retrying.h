// The retry layer of the stack: idempotent operations (the `kIdempotent` rows
// of service/api/rpcs.h) are retried on UNAVAILABLE only, with truncated
// exponential backoff and jitter, honouring an upstream Retry-After when it
// fits (up to max_retry_after), and never sleeping past the caller's deadline
// or after cancellation.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/common/cancellation.h"
#include "service/common/clock.h"
#include "service/common/log.h"
#include "service/common/status.h"
#include "service/upstream/stack/wrapping.h"

namespace ucgate::upstream {

struct RetryOptions {
  // Attempts per call, the first included (1 disables retries).
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  double backoff_multiplier = 2.0;
  // Longest upstream Retry-After the gateway waits out itself (the call's
  // memory and caller wait with it). A longer one, or one past the caller's
  // deadline, ends the call at once with the upstream's error and its
  // RetryInfo: the caller decides when to come back.
  absl::Duration max_retry_after = absl::Seconds(2);
};

// Waits `delay` (a fiber suspends on its loop's timers, a thread blocks),
// returning early once `cancellation` (may be null) fires; injected so
// tests never sleep.
using Sleeper =
    std::function<void(absl::Duration delay, const Cancellation* cancellation)>;
// Uniform in [0, 1); injected so backoff jitter is deterministic in tests.
using RandomSource = std::function<double()>;

// Told before each retry: the failure that caused it, the delay about to be
// waited, and whether the upstream asked for that delay (Retry-After).
using RetryObserver = std::function<void(
    const absl::Status& cause, absl::Duration delay, bool upstream_asked)>;

// Production sleeper (waits on the cancellation) and jitter source.
Sleeper RealSleeper();
RandomSource RealRandomSource();

class RetryRunner {
 public:
  RetryRunner(RetryOptions options, std::shared_ptr<const Clock> clock,
              Sleeper sleeper, RandomSource random,
              RetryObserver observer = nullptr)
      : options_(options),
        clock_(std::move(clock)),
        sleeper_(std::move(sleeper)),
        random_(std::move(random)),
        observer_(std::move(observer)) {}

  template <typename Request, typename Call>
  auto operator()(const CallContext& context, const Request&, Call call) const
      -> decltype(call()) {
    constexpr api::rpc::Traits kRow = api::RpcOf<Request>::kTraits;
    absl::Duration backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      auto result = call();
      if (result.ok() || kRow.retry != api::rpc::kIdempotent ||
          attempt >= options_.max_attempts ||
          result.status().code() != absl::StatusCode::kUnavailable) {
        return result;
      }
      // Equal jitter: half fixed, half random, so retries spread out.
      absl::Duration delay = backoff / 2 + (backoff / 2) * random_();
      bool upstream_asked = false;
      if (std::optional<absl::Duration> retry_after =
              RetryAfter(result.status())) {
        if (*retry_after > options_.max_retry_after) return result;
        upstream_asked = *retry_after >= delay;
        delay = std::max(delay, *retry_after);
      }
      if (clock_->Now() + delay >= context.deadline || context.cancelled()) {
        return result;
      }
      if (observer_) observer_(result.status(), delay, upstream_asked);
      UCGATE_LOG(kDebug, "upstream retry op=", kRow.method,
                 " attempt=", attempt + 1,
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
  RetryObserver observer_;
};

template <typename Interface>
std::unique_ptr<Interface> MakeRetrying(std::shared_ptr<Interface> child,
                                        RetryOptions options,
                                        std::shared_ptr<const Clock> clock,
                                        Sleeper sleeper, RandomSource random,
                                        RetryObserver observer = nullptr) {
  return std::make_unique<Wrapped<Interface, RetryRunner>>(
      std::move(child),
      RetryRunner(options, std::move(clock), std::move(sleeper),
                  std::move(random), std::move(observer)));
}

}  // namespace ucgate::upstream
