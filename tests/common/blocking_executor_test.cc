#include "service/common/blocking_executor.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace ucgate {
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

void AwaitIdleWorkers(BlockingExecutor& executor, int workers) {
  while (executor.idle_workers() < workers) std::this_thread::yield();
}

TEST(BlockingExecutorTest, WithoutAQueueRunsOnlyOnAnIdleWorker) {
  absl::Notification release, started;
  BlockingExecutor executor(1, /*max_queued=*/0);
  AwaitIdleWorkers(executor, 1);
  ASSERT_TRUE(executor.TrySchedule([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  EXPECT_EQ(executor.idle_workers(), 0);
  EXPECT_FALSE(executor.TrySchedule([] {}));  // nobody idle, no queue
  release.Notify();
  AwaitIdleWorkers(executor, 1);
  EXPECT_TRUE(executor.TrySchedule([] {}));
}

// The most recently idle worker takes the next task: a steady trickle of
// work keeps running on one warm thread instead of touching every thread.
TEST(BlockingExecutorTest, TheMostRecentlyIdleWorkerTakesTheNextTask) {
  BlockingExecutor executor(4, 0);
  AwaitIdleWorkers(executor, 4);
  std::thread::id first_thread;
  for (int i = 0; i < 5; ++i) {
    absl::Notification done;
    std::thread::id thread;
    ASSERT_TRUE(executor.TrySchedule([&] {
      thread = std::this_thread::get_id();
      done.Notify();
    }));
    done.WaitForNotification();
    AwaitIdleWorkers(executor, 4);
    if (i == 0) first_thread = thread;
    EXPECT_EQ(thread, first_thread) << "task " << i;
  }
}

// The last owner let go inside a task: the executor is destroyed on its own
// thread, which must not try to join itself.
TEST(BlockingExecutorTest, CanBeDestroyedByItsOwnTask) {
  auto executor = std::make_shared<BlockingExecutor>(2, 4);
  BlockingExecutor* raw = executor.get();
  absl::Notification done;
  ASSERT_TRUE(raw->TrySchedule([owner = std::move(executor), &done]() mutable {
    owner.reset();
    done.Notify();
  }));
  done.WaitForNotification();
}

}  // namespace
}  // namespace ucgate
