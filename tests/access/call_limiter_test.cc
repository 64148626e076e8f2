// Call limits with a manual clock: token buckets, calls in flight, per
// caller and per project, RetryInfo; the upstream throttle hold.
#include "service/access/call_limiter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/access/access_reasons.h"
#include "service/common/status.h"
#include "tests/access/access_test_util.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

TEST(TokenBucketTest, BurstThenRefillRate) {
  TokenBucket bucket(/*rate=*/2, /*burst=*/3, kStart);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration()) << i;
  }
  EXPECT_EQ(bucket.TryTake(kStart), absl::Milliseconds(500));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(200)),
            absl::Milliseconds(300));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(500)),
            absl::ZeroDuration());
  // A long pause refills to the burst, no further.
  const absl::Time later = kStart + absl::Minutes(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bucket.TryTake(later), absl::ZeroDuration()) << i;
  }
  EXPECT_GT(bucket.TryTake(later), absl::ZeroDuration());
}

TEST(TokenBucketTest, DefaultBurstIsOneSecondOfCalls) {
  TokenBucket slow(0.5, 0, kStart);
  EXPECT_EQ(slow.TryTake(kStart), absl::ZeroDuration());
  EXPECT_EQ(slow.TryTake(kStart), absl::Seconds(2));
  TokenBucket fast(10, 0, kStart);
  for (int i = 0; i < 10; ++i) fast.TryTake(kStart);
  EXPECT_EQ(fast.TryTake(kStart), absl::Milliseconds(100));
}

TEST(TokenBucketTest, AClockGoingBackDoesNotMintTokens) {
  TokenBucket bucket(1, 1, kStart);
  EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(kStart - absl::Hours(1)), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(kStart), absl::ZeroDuration());
}

class CallLimiterTest : public ::testing::Test {
 protected:
  CallLimiter MakeLimiter() {
    CallLimits billing;
    billing.calls_per_second = 1;
    billing.burst = 2;
    billing.max_in_flight = 2;
    CallLimits shop;
    shop.calls_per_second = 10;
    shop.max_in_flight = 3;
    return CallLimiter({{"billing", billing}, {"unlimited", CallLimits()}},
                       {{"shop", shop}}, clock_);
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
};

TEST_F(CallLimiterTest, ACallerBeyondItsRateGetsRetryInfo) {
  CallLimiter limiter = MakeLimiter();
  EXPECT_THAT(limiter.Admit("billing", "blog"), IsOk());
  EXPECT_THAT(limiter.Admit("billing", "blog"), IsOk());
  absl::StatusOr<CallLimiter::Permit> refused =
      limiter.Admit("billing", "blog");
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted,
                                "the caller's calls-per-second limit is "
                                "reached"));
  EXPECT_EQ(ErrorReason(refused.status()), kCallerRateLimited);
  EXPECT_EQ(RetryAfter(refused.status()), absl::Seconds(1));
  clock_->Advance(absl::Seconds(1));
  EXPECT_THAT(limiter.Admit("billing", "blog"), IsOk());
}

TEST_F(CallLimiterTest, InFlightSlotsComeBackWithThePermit) {
  CallLimiter limiter = MakeLimiter();
  std::optional<CallLimiter::Permit> first;
  {
    absl::StatusOr<CallLimiter::Permit> a = limiter.Admit("billing", "blog");
    absl::StatusOr<CallLimiter::Permit> b = limiter.Admit("billing", "blog");
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    EXPECT_EQ(limiter.in_flight_of_caller("billing"), 2);
    clock_->Advance(absl::Seconds(10));  // The rate is not what stops it.
    absl::StatusOr<CallLimiter::Permit> c = limiter.Admit("billing", "blog");
    EXPECT_THAT(c, StatusIs(absl::StatusCode::kResourceExhausted,
                            HasSubstr("calls-in-flight")));
    EXPECT_EQ(ErrorReason(c.status()), kCallerTooManyInFlight);
    EXPECT_EQ(RetryAfter(c.status()), absl::Milliseconds(100));
    first.emplace(*std::move(a));
  }
  EXPECT_EQ(limiter.in_flight_of_caller("billing"), 1);
  EXPECT_THAT(limiter.Admit("billing", "blog"), IsOk());
  first.reset();
  EXPECT_EQ(limiter.in_flight_of_caller("billing"), 0);
}

TEST_F(CallLimiterTest, AProjectLimitCountsEveryCaller) {
  CallLimiter limiter = MakeLimiter();
  std::vector<CallLimiter::Permit> held;
  for (const char* caller : {"unlimited", "someone", ""}) {
    absl::StatusOr<CallLimiter::Permit> permit = limiter.Admit(caller, "shop");
    ASSERT_THAT(permit, IsOk()) << caller;
    held.push_back(*std::move(permit));
  }
  EXPECT_EQ(limiter.in_flight_of_project("shop"), 3);
  absl::StatusOr<CallLimiter::Permit> refused =
      limiter.Admit("unlimited", "shop");
  EXPECT_EQ(ErrorReason(refused.status()), kProjectTooManyInFlight);
  // Other projects are not limited.
  EXPECT_THAT(limiter.Admit("unlimited", "blog"), IsOk());
}

TEST_F(CallLimiterTest, ARefusedCallTakesNothing) {
  CallLimiter limiter = MakeLimiter();
  // Fill the project's in-flight slots with other callers.
  std::vector<CallLimiter::Permit> held;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<CallLimiter::Permit> permit = limiter.Admit("", "shop");
    ASSERT_THAT(permit, IsOk());
    held.push_back(*std::move(permit));
  }
  // billing's calls are refused by the project: neither billing's tokens nor
  // its slots are spent.
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<CallLimiter::Permit> refused =
        limiter.Admit("billing", "shop");
    EXPECT_EQ(ErrorReason(refused.status()), kProjectTooManyInFlight);
  }
  EXPECT_EQ(limiter.in_flight_of_caller("billing"), 0);
  held.clear();
  EXPECT_THAT(limiter.Admit("billing", "shop"), IsOk());
  EXPECT_THAT(limiter.Admit("billing", "shop"), IsOk());  // Burst of 2 intact.
}

TEST_F(CallLimiterTest, APermitOutlivesItsLimiter) {
  std::optional<CallLimiter::Permit> permit;
  {
    CallLimiter limiter = MakeLimiter();  // A configuration reload drops it.
    absl::StatusOr<CallLimiter::Permit> admitted =
        limiter.Admit("billing", "shop");
    ASSERT_THAT(admitted, IsOk());
    permit.emplace(*std::move(admitted));
  }
  permit.reset();  // Releases into the old limiter's counters, still alive.
}

TEST_F(CallLimiterTest, MovedPermitsReleaseOnce) {
  CallLimiter limiter = MakeLimiter();
  absl::StatusOr<CallLimiter::Permit> a = limiter.Admit("billing", "x");
  ASSERT_THAT(a, IsOk());
  CallLimiter::Permit moved = *std::move(a);
  CallLimiter::Permit assigned;
  assigned = std::move(moved);
  EXPECT_EQ(limiter.in_flight_of_caller("billing"), 1);
  assigned = CallLimiter::Permit();
  EXPECT_EQ(limiter.in_flight_of_caller("billing"), 0);
}

TEST(ParseCallLimitsTest, KeysAndErrors) {
  absl::StatusOr<CallLimits> limits = ParseCallLimits(
      YAML::Load("{calls_per_second: 2.5, burst: 5, max_in_flight: 8}"),
      "config.projects[0].limits");
  ASSERT_THAT(limits, IsOk());
  EXPECT_EQ(limits->calls_per_second, 2.5);
  EXPECT_EQ(limits->burst, 5);
  EXPECT_EQ(limits->max_in_flight, 8);
  EXPECT_THAT(ParseCallLimits(YAML::Load("{max_in_flight: many}"),
                              "config.projects[0].limits"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("config.projects[0].limits.max_in_flight: "
                                 "must be a number")));
  EXPECT_THAT(
      ParseCallLimits(YAML::Load("[1]"), "l"),
      StatusIs(absl::StatusCode::kInvalidArgument, "l: must be a mapping"));
}

class UpstreamThrottleTest : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  UpstreamThrottle throttle_{clock_};
};

TEST_F(UpstreamThrottleTest, NotHeldUntilThrottled) {
  EXPECT_EQ(throttle_.HoldUntil("shop"), std::nullopt);
  EXPECT_EQ(throttle_.Decide("shop", absl::InfiniteFuture()).action,
            ThrottleDecision::Action::kProceed);
}

TEST_F(UpstreamThrottleTest, HoldsShortWaitsForEveryCallerOfTheProject) {
  throttle_.RecordThrottled("shop", absl::Seconds(1));
  EXPECT_EQ(throttle_.HoldUntil("shop"), kStart + absl::Seconds(1));
  EXPECT_EQ(throttle_.HoldUntil("blog"), std::nullopt);
  ThrottleDecision decision =
      throttle_.Decide("shop", kStart + absl::Seconds(10));
  EXPECT_EQ(decision.action, ThrottleDecision::Action::kHold);
  EXPECT_EQ(decision.hold_until, kStart + absl::Seconds(1));
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(throttle_.Decide("shop", kStart + absl::Seconds(10)).action,
            ThrottleDecision::Action::kProceed);
}

TEST_F(UpstreamThrottleTest, RefusesWithRetryInfoWhenTheWaitIsLong) {
  throttle_.RecordThrottled("shop", absl::Seconds(30));
  ThrottleDecision decision = throttle_.Decide("shop", absl::InfiniteFuture());
  EXPECT_EQ(decision.action, ThrottleDecision::Action::kRefuse);
  EXPECT_THAT(decision.refusal,
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("Uploadcare throttles project 'shop'")));
  EXPECT_EQ(ErrorReason(decision.refusal), kUpstreamThrottled);
  EXPECT_EQ(RetryAfter(decision.refusal), absl::Seconds(30));
  // Near the end of the hold a call waits instead...
  clock_->Advance(absl::Milliseconds(29500));
  decision = throttle_.Decide("shop", absl::InfiniteFuture());
  EXPECT_EQ(decision.action, ThrottleDecision::Action::kHold);
  EXPECT_EQ(decision.hold_until, kStart + absl::Seconds(30));
  // ... unless its deadline would not leave time for the call itself.
  decision = throttle_.Decide("shop", kStart + absl::Milliseconds(30100));
  EXPECT_EQ(decision.action, ThrottleDecision::Action::kRefuse);
  EXPECT_EQ(RetryAfter(decision.refusal), absl::Milliseconds(500));
}

TEST_F(UpstreamThrottleTest, RefusesWhenTheDeadlineEndsTooSoonAfterTheHold) {
  throttle_.RecordThrottled("shop", absl::Seconds(1));
  // The call would leave the hold with 0.5 s for the upstream: refused now.
  EXPECT_EQ(throttle_.Decide("shop", kStart + absl::Milliseconds(1500)).action,
            ThrottleDecision::Action::kRefuse);
  EXPECT_EQ(throttle_.Decide("shop", kStart + absl::Seconds(2)).action,
            ThrottleDecision::Action::kHold);
}

TEST_F(UpstreamThrottleTest, HoldsOnlyExtendAndRetryAfterIsCapped) {
  throttle_.RecordThrottled("shop", absl::Seconds(20));
  throttle_.RecordThrottled("shop", absl::Seconds(2));  // Earlier: ignored.
  EXPECT_EQ(throttle_.HoldUntil("shop"), kStart + absl::Seconds(20));
  throttle_.RecordThrottled("shop", absl::Hours(5));
  EXPECT_EQ(throttle_.HoldUntil("shop"), kStart + absl::Minutes(5));
  throttle_.RecordThrottled("blog", -absl::Seconds(3));
  EXPECT_EQ(throttle_.HoldUntil("blog"), std::nullopt);
}

TEST(UpstreamThrottleOptionsTest, ZeroMaxHoldRefusesEveryHeldCall) {
  auto clock = std::make_shared<ManualClock>(kStart);
  UpstreamThrottleOptions options;
  options.max_hold = absl::ZeroDuration();
  UpstreamThrottle throttle(clock, options);
  throttle.RecordThrottled("shop", absl::Milliseconds(100));
  EXPECT_EQ(throttle.Decide("shop", absl::InfiniteFuture()).action,
            ThrottleDecision::Action::kRefuse);
}

}  // namespace
}  // namespace ucgate::access
