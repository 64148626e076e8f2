// The Timers fake the layers above the loop are tested with.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/io/timers.h"

namespace ucgate::io {
namespace {

using ::testing::ElementsAre;

TEST(ManualTimersTest, NothingFiresUntilTimeIsAdvancedPastTheDeadline) {
  ManualTimers timers;
  int fired = 0;
  timers.After(absl::Seconds(2), [&] { ++fired; });
  EXPECT_EQ(timers.Advance(absl::Seconds(1)), 0);
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(timers.Advance(absl::Seconds(1)), 1);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(ManualTimersTest, FiresInDeadlineOrderEachSeeingItsOwnDeadline) {
  const absl::Time start = absl::UnixEpoch() + absl::Hours(1);
  ManualTimers timers(start);
  std::vector<std::string> order;
  timers.After(absl::Milliseconds(30), [&] {
    order.push_back("30 at " + std::to_string(absl::ToInt64Milliseconds(
                                   timers.Now() - start)));
  });
  timers.After(absl::Milliseconds(10), [&] { order.push_back("10 first"); });
  timers.After(absl::Milliseconds(10), [&] { order.push_back("10 second"); });
  timers.After(absl::Milliseconds(-5), [&] { order.push_back("past"); });
  EXPECT_EQ(timers.Advance(absl::Milliseconds(100)), 4);
  EXPECT_THAT(order, ElementsAre("past", "10 first", "10 second", "30 at 30"));
  EXPECT_EQ(timers.Now(), start + absl::Milliseconds(100));
}

TEST(ManualTimersTest, CancelledTimersNeverFire) {
  ManualTimers timers;
  int fired = 0;
  const TimerId kept = timers.After(absl::Seconds(1), [&] { fired += 1; });
  const TimerId dropped = timers.After(absl::Seconds(1), [&] { fired += 10; });
  EXPECT_NE(kept, dropped);
  EXPECT_TRUE(timers.Cancel(dropped));
  EXPECT_FALSE(timers.Cancel(dropped));
  timers.Advance(absl::Seconds(1));
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(timers.Cancel(kept));  // already fired
}

TEST(ManualTimersTest, TimersSetWhileFiringFireWithinTheSameAdvance) {
  ManualTimers timers;
  std::vector<int> order;
  timers.After(absl::Seconds(1), [&] {
    order.push_back(1);
    timers.After(absl::Seconds(1), [&] { order.push_back(2); });
    timers.After(absl::Seconds(5), [&] { order.push_back(3); });
  });
  timers.Advance(absl::Seconds(3));
  EXPECT_THAT(order, ElementsAre(1, 2));
  EXPECT_EQ(timers.NextDue(), absl::UnixEpoch() + absl::Seconds(6));
}

}  // namespace
}  // namespace ucgate::io
