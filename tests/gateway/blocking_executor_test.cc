#include "service/gateway/blocking_executor.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace ucgate::gateway {
namespace {

TEST(BlockingExecutorTest, RunsEveryScheduledTask) {
  std::atomic<int> done{0};
  {
    BlockingExecutor executor(4, 100);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(executor.TrySchedule([&] { ++done; }));
    }
  }  // the destructor drains the queue
  EXPECT_EQ(done.load(), 50);
}

TEST(BlockingExecutorTest, RefusesWhenTheQueueIsFull) {
  absl::Notification release, started;
  BlockingExecutor executor(1, 2);
  ASSERT_TRUE(executor.TrySchedule([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  EXPECT_TRUE(executor.TrySchedule([] {}));
  EXPECT_TRUE(executor.TrySchedule([] {}));
  EXPECT_FALSE(executor.TrySchedule([] {}));
  release.Notify();
}

}  // namespace
}  // namespace ucgate::gateway
