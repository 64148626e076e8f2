// Limits on calls, per caller and per project: calls per second (a token
// bucket with a burst) and calls in flight. Beyond them a call is refused
// with RESOURCE_EXHAUSTED, a google.rpc.RetryInfo saying when to come back,
// and an ErrorInfo reason (access_reasons.h), before anything is scheduled.
//
// And the upstream's own limit: after a 429 with Retry-After for a project,
// that project's further calls (every caller's) are held until the time
// given, or refused with RetryInfo when they cannot wait that long, instead
// of being forwarded into more 429s.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/clock.h"

namespace ucgate::access {

// The limits of one caller or one project; zero means "no limit".
struct CallLimits {
  double calls_per_second = 0;
  // Calls that may come at once after a quiet spell (the bucket's size);
  // zero: one second's worth, at least 1.
  double burst = 0;
  int max_in_flight = 0;

  bool unlimited() const { return calls_per_second <= 0 && max_in_flight <= 0; }
};

// `limits: {calls_per_second, burst, max_in_flight}`; errors name `where`.
absl::StatusOr<CallLimits> ParseCallLimits(const YAML::Node& node,
                                           const std::string& where);

// Refills continuously at `rate` tokens per second up to `burst`; starts
// full.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst, absl::Time now);

  // Takes a token: ZeroDuration when one was taken, else how long until one
  // will be there (and nothing is taken).
  absl::Duration TryTake(absl::Time now);
  // Returns a token taken for a call a later check refused.
  void GiveBack();

 private:
  const double rate_;
  const double burst_;
  absl::Mutex mutex_;
  double tokens_ ABSL_GUARDED_BY(mutex_);
  absl::Time refilled_at_ ABSL_GUARDED_BY(mutex_);
};

class InFlightLimit {
 public:
  explicit InFlightLimit(int max) : max_(max) {}
  bool TryAcquire();
  void Release();
  int in_flight() const;

 private:
  const int max_;
  mutable absl::Mutex mutex_;
  int in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
};

struct CallLimiterOptions {
  // RetryInfo of an in-flight refusal: when a slot frees is unknown, so a
  // short, fixed hint.
  absl::Duration in_flight_retry_delay = absl::Milliseconds(100);
};

class CallLimiter {
 private:
  struct Limiter;

 public:
  // Holds the in-flight slots of one admitted call; gives them back when it
  // goes (keep it until the call finishes). Outlives a replaced limiter
  // safely.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    ~Permit();

   private:
    friend class CallLimiter;
    void Release();
    std::vector<std::shared_ptr<Limiter>> held_;
  };

  // Limits by caller name and by project name; names not listed are not
  // limited.
  CallLimiter(const std::vector<std::pair<std::string, CallLimits>>& callers,
              const std::vector<std::pair<std::string, CallLimits>>& projects,
              std::shared_ptr<const Clock> clock,
              CallLimiterOptions options = {});

  // Admits one call of `caller` (empty: an unidentified caller, only the
  // project's limits apply) for `project` (empty: no project's limits), or
  // RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo. A refused call takes
  // nothing.
  absl::StatusOr<Permit> Admit(absl::string_view caller,
                               absl::string_view project);

  int in_flight_of_caller(absl::string_view caller) const;
  int in_flight_of_project(absl::string_view project) const;

 private:
  struct Limiter {
    Limiter(const CallLimits& limits, absl::Time now);
    std::optional<TokenBucket> bucket;
    std::optional<InFlightLimit> in_flight;
  };
  using LimiterMap = absl::flat_hash_map<std::string, std::shared_ptr<Limiter>>;

  static LimiterMap MakeLimiters(
      const std::vector<std::pair<std::string, CallLimits>>& limits,
      absl::Time now);
  static std::shared_ptr<Limiter> Find(const LimiterMap& map,
                                       absl::string_view name);

  std::shared_ptr<const Clock> clock_;
  CallLimiterOptions options_;
  // Fixed after construction (a configuration reload builds a new limiter),
  // so lookups take no lock; each limiter locks itself.
  const LimiterMap callers_;
  const LimiterMap projects_;
};

struct UpstreamThrottleOptions {
  // The longest a call is held for a throttled project; longer waits are
  // refused with RetryInfo. Holding needs a way to wait without a thread
  // (the event loop); zero refuses every call of a held project.
  absl::Duration max_hold = absl::Seconds(2);
  // A held call is released only with at least this much of its deadline
  // left for the upstream call itself; otherwise it is refused at once.
  absl::Duration min_time_after_hold = absl::Seconds(1);
  // Retry-After is capped at this (an upstream asking for an hour is more
  // likely broken than right).
  absl::Duration max_retry_after = absl::Minutes(5);
};

struct ThrottleDecision {
  enum class Action { kProceed, kHold, kRefuse };
  Action action = Action::kProceed;
  // kHold: when the call may go upstream.
  absl::Time hold_until;
  // kRefuse: RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo
  // UPSTREAM_THROTTLED.
  absl::Status refusal;
};

class UpstreamThrottle {
 public:
  explicit UpstreamThrottle(std::shared_ptr<const Clock> clock,
                            UpstreamThrottleOptions options = {});

  // The upstream answered a call of `project` with 429 and Retry-After
  // `retry_after`. Holds only ever extend.
  void RecordThrottled(absl::string_view project, absl::Duration retry_after);
  // Until when calls of `project` wait; nullopt when they need not.
  std::optional<absl::Time> HoldUntil(absl::string_view project) const;
  // What to do with a new call of `project` that must finish by `deadline`
  // (InfiniteFuture when it has none).
  ThrottleDecision Decide(absl::string_view project, absl::Time deadline) const;

 private:
  std::shared_ptr<const Clock> clock_;
  UpstreamThrottleOptions options_;
  mutable absl::Mutex mutex_;
  // Expired entries are dropped when a project is throttled again.
  absl::flat_hash_map<std::string, absl::Time> held_until_
      ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::access
