#include "service/access/call_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "service/access/access_reasons.h"
#include "service/access/yaml_fields.h"
#include "service/common/status.h"

namespace ucgate::access {
namespace {

// `kind` is "caller" or "project", the ErrorInfo metadata key of `name`.
absl::Status LimitError(const char* reason, const char* kind,
                        absl::string_view limit, absl::string_view name,
                        absl::Duration retry_after) {
  return WithRetryAfter(
      WithErrorInfo(absl::ResourceExhaustedError(absl::StrCat(
                        "the ", kind, "'s ", limit, " limit is reached")),
                    reason, {{kind, std::string(name)}}),
      retry_after);
}

}  // namespace

absl::StatusOr<CallLimits> ParseCallLimits(const YAML::Node& node,
                                           const std::string& where) {
  absl::StatusOr<YamlMapping> mapping = YamlMapping::Open(
      node, where, {"calls_per_second", "burst", "max_in_flight"});
  if (!mapping.ok()) return mapping.status();
  CallLimits limits;
  double max_in_flight = 0;
  for (const absl::Status& status :
       {mapping->Number("calls_per_second", 0, 1e6, &limits.calls_per_second),
        mapping->Number("burst", 0, 1e6, &limits.burst),
        mapping->Number("max_in_flight", 0, 1e6, &max_in_flight)}) {
    if (!status.ok()) return status;
  }
  if (max_in_flight != std::floor(max_in_flight)) {
    return ConfigKeyError(mapping->Where("max_in_flight"),
                          "must be a whole number");
  }
  limits.max_in_flight = static_cast<int>(max_in_flight);
  if (limits.burst > 0 && limits.calls_per_second <= 0) {
    return ConfigKeyError(mapping->Where("burst"),
                          "needs calls_per_second as well");
  }
  return limits;
}

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(rate),
      burst_(burst > 0 ? burst : std::max(1.0, rate)),
      tokens_(burst_),
      refilled_at_(now) {}

absl::Duration TokenBucket::TryTake(absl::Time now) {
  absl::MutexLock lock(&mutex_);
  if (now > refilled_at_) {
    tokens_ = std::min(
        burst_, tokens_ + absl::ToDoubleSeconds(now - refilled_at_) * rate_);
    refilled_at_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return absl::ZeroDuration();
  }
  // Rounded up to a whole millisecond: a retry sent at that time finds a
  // token.
  const absl::Duration wait = absl::Seconds((1 - tokens_) / rate_);
  return absl::Ceil(wait, absl::Milliseconds(1));
}

void TokenBucket::GiveBack() {
  absl::MutexLock lock(&mutex_);
  tokens_ = std::min(burst_, tokens_ + 1);
}

bool InFlightLimit::TryAcquire() {
  absl::MutexLock lock(&mutex_);
  if (in_flight_ >= max_) return false;
  ++in_flight_;
  return true;
}

void InFlightLimit::Release() {
  absl::MutexLock lock(&mutex_);
  --in_flight_;
}

int InFlightLimit::in_flight() const {
  absl::MutexLock lock(&mutex_);
  return in_flight_;
}

CallLimiter::Limiter::Limiter(const CallLimits& limits, absl::Time now) {
  if (limits.calls_per_second > 0) {
    bucket.emplace(limits.calls_per_second, limits.burst, now);
  }
  if (limits.max_in_flight > 0) in_flight.emplace(limits.max_in_flight);
}

CallLimiter::Permit::Permit(Permit&& other) noexcept
    : held_(std::move(other.held_)) {
  other.held_.clear();
}

CallLimiter::Permit& CallLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    Release();
    held_ = std::move(other.held_);
    other.held_.clear();
  }
  return *this;
}

CallLimiter::Permit::~Permit() { Release(); }

void CallLimiter::Permit::Release() {
  for (const std::shared_ptr<Limiter>& limiter : held_) {
    limiter->in_flight->Release();
  }
  held_.clear();
}

CallLimiter::LimiterMap CallLimiter::MakeLimiters(
    const std::vector<std::pair<std::string, CallLimits>>& limits,
    absl::Time now) {
  LimiterMap map;
  for (const auto& [name, entry] : limits) {
    if (!entry.unlimited()) map[name] = std::make_shared<Limiter>(entry, now);
  }
  return map;
}

std::shared_ptr<CallLimiter::Limiter> CallLimiter::Find(
    const LimiterMap& map, absl::string_view name) {
  if (name.empty()) return nullptr;
  auto it = map.find(name);
  return it == map.end() ? nullptr : it->second;
}

CallLimiter::CallLimiter(
    const std::vector<std::pair<std::string, CallLimits>>& callers,
    const std::vector<std::pair<std::string, CallLimits>>& projects,
    std::shared_ptr<const Clock> clock, CallLimiterOptions options)
    : clock_(std::move(clock)),
      options_(options),
      callers_(MakeLimiters(callers, clock_->Now())),
      projects_(MakeLimiters(projects, clock_->Now())) {}

absl::StatusOr<CallLimiter::Permit> CallLimiter::Admit(
    absl::string_view caller, absl::string_view project) {
  struct Check {
    std::shared_ptr<Limiter> limiter;
    absl::string_view name;
    const char* rate_reason;
    const char* in_flight_reason;
    const char* kind;
  };
  const Check checks[] = {
      {Find(callers_, caller), caller, kCallerRateLimited,
       kCallerTooManyInFlight, "caller"},
      {Find(projects_, project), project, kProjectRateLimited,
       kProjectTooManyInFlight, "project"}};
  const absl::Time now = clock_->Now();

  // Rates first, then slots; whatever a later refusal makes unnecessary is
  // given back, so a refused call costs nothing.
  std::vector<TokenBucket*> taken;
  const auto give_back_tokens = [&taken] {
    for (TokenBucket* bucket : taken) bucket->GiveBack();
  };
  for (const Check& check : checks) {
    if (!check.limiter || !check.limiter->bucket) continue;
    const absl::Duration wait = check.limiter->bucket->TryTake(now);
    if (wait > absl::ZeroDuration()) {
      give_back_tokens();
      return LimitError(check.rate_reason, check.kind, "calls-per-second",
                        check.name, wait);
    }
    taken.push_back(&*check.limiter->bucket);
  }
  Permit permit;
  for (const Check& check : checks) {
    if (!check.limiter || !check.limiter->in_flight) continue;
    if (!check.limiter->in_flight->TryAcquire()) {
      permit.Release();
      give_back_tokens();
      return LimitError(check.in_flight_reason, check.kind, "calls-in-flight",
                        check.name, options_.in_flight_retry_delay);
    }
    permit.held_.push_back(check.limiter);
  }
  return permit;
}

int CallLimiter::in_flight_of_caller(absl::string_view caller) const {
  std::shared_ptr<Limiter> limiter = Find(callers_, caller);
  return limiter && limiter->in_flight ? limiter->in_flight->in_flight() : 0;
}

int CallLimiter::in_flight_of_project(absl::string_view project) const {
  std::shared_ptr<Limiter> limiter = Find(projects_, project);
  return limiter && limiter->in_flight ? limiter->in_flight->in_flight() : 0;
}

UpstreamThrottle::UpstreamThrottle(std::shared_ptr<const Clock> clock,
                                   UpstreamThrottleOptions options)
    : clock_(std::move(clock)), options_(options) {}

void UpstreamThrottle::RecordThrottled(absl::string_view project,
                                       absl::Duration retry_after) {
  const absl::Time now = clock_->Now();
  const absl::Time until = now + std::clamp(retry_after, absl::ZeroDuration(),
                                            options_.max_retry_after);
  absl::MutexLock lock(&mutex_);
  absl::erase_if(held_until_,
                 [now](const auto& entry) { return entry.second <= now; });
  absl::Time& held = held_until_[project];
  held = std::max(held, until);
}

std::optional<absl::Time> UpstreamThrottle::HoldUntil(
    absl::string_view project) const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mutex_);
  auto it = held_until_.find(project);
  if (it == held_until_.end() || it->second <= now) return std::nullopt;
  return it->second;
}

ThrottleDecision UpstreamThrottle::Decide(absl::string_view project,
                                          absl::Time deadline) const {
  ThrottleDecision decision;
  std::optional<absl::Time> until = HoldUntil(project);
  if (!until) return decision;
  const absl::Duration wait = *until - clock_->Now();
  if (wait <= options_.max_hold &&
      deadline - *until >= options_.min_time_after_hold) {
    decision.action = ThrottleDecision::Action::kHold;
    decision.hold_until = *until;
    return decision;
  }
  decision.action = ThrottleDecision::Action::kRefuse;
  decision.refusal = WithRetryAfter(
      WithErrorInfo(absl::ResourceExhaustedError(absl::StrCat(
                        "Uploadcare throttles project '", project,
                        "'; calls resume after the Retry-After it gave")),
                    kUpstreamThrottled, {{"project", std::string(project)}}),
      absl::Ceil(wait, absl::Milliseconds(1)));
  return decision;
}

}  // namespace ucgate::access
