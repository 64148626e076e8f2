// Fibers on a hand-run loop (ManualLoop: every interleaving is the test's
// choice) and on real event loops (many fibers waiting on two threads).
#include "service/common/io/fiber.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/cancellation.h"
#include "service/common/io/event_loop.h"
#include "service/common/io/fiber_executor.h"

namespace ucgate::io {
namespace {

using ::testing::ElementsAre;

TEST(FiberTest, RunsOnlyWhenItsHomeRunsAndSuspendsUntilResumed) {
  ManualLoop loop;
  std::vector<std::string> steps;
  Fiber* fiber = nullptr;
  ASSERT_TRUE(Fiber::Spawn(&loop, [&] {
    fiber = Fiber::Current();
    steps.push_back("started");
    fiber->Suspend();
    steps.push_back("resumed");
  }));
  EXPECT_TRUE(steps.empty());
  EXPECT_EQ(Fiber::alive(), 1u);
  loop.RunPosted();
  EXPECT_THAT(steps, ElementsAre("started"));
  EXPECT_EQ(Fiber::Current(), nullptr);  // back on the loop's own stack
  fiber->Resume();
  EXPECT_THAT(steps, ElementsAre("started"));  // posted, not run inline
  loop.RunPosted();
  EXPECT_THAT(steps, ElementsAre("started", "resumed"));
  EXPECT_EQ(Fiber::alive(), 0u);
}

TEST(FiberTest, AResumePostedWhileTheFiberRunsTakesEffectAfterItSuspends) {
  ManualLoop loop;
  int passes = 0;
  ASSERT_TRUE(Fiber::Spawn(&loop, [&] {
    Fiber* self = Fiber::Current();
    self->Resume();  // e.g. a completion that arrived before the wait
    ++passes;
    self->Suspend();
    ++passes;
  }));
  loop.RunPosted();
  EXPECT_EQ(passes, 2);
  EXPECT_EQ(Fiber::alive(), 0u);
}

TEST(CondVarTest, AFiberWaitsWithoutTheThreadAndWakesOnSignal) {
  ManualLoop loop;
  absl::Mutex mutex;
  CondVar changed;
  bool ready = false;
  bool seen = false;
  ASSERT_TRUE(Fiber::Spawn(&loop, [&] {
    absl::MutexLock lock(&mutex);
    while (!ready) changed.Wait(&mutex);
    seen = true;
  }));
  loop.RunPosted();
  EXPECT_FALSE(seen);
  // Signalled from another thread, as an upstream completion would be.
  std::thread signaller([&] {
    absl::MutexLock lock(&mutex);
    ready = true;
    changed.SignalAll();
  });
  signaller.join();
  loop.RunPosted();
  EXPECT_TRUE(seen);
}

TEST(CondVarTest, AFiberWaitEndsAtItsDeadlineOnTheLoopsTimers) {
  ManualLoop loop;
  absl::Mutex mutex;
  CondVar never;
  bool timed_out = false;
  ASSERT_TRUE(Fiber::Spawn(&loop, [&] {
    absl::MutexLock lock(&mutex);
    timed_out =
        never.WaitWithDeadline(&mutex, absl::Now() + absl::Milliseconds(500));
  }));
  loop.RunPosted();
  EXPECT_EQ(loop.pending_timers(), 1u);
  loop.Advance(absl::Milliseconds(100));
  EXPECT_FALSE(timed_out);
  loop.Advance(absl::Seconds(1));
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(Fiber::alive(), 0u);
}

TEST(CondVarTest, ASignalBeforeTheDeadlineCancelsTheTimer) {
  ManualLoop loop;
  absl::Mutex mutex;
  CondVar changed;
  bool timed_out = true;
  ASSERT_TRUE(Fiber::Spawn(&loop, [&] {
    absl::MutexLock lock(&mutex);
    timed_out =
        changed.WaitWithDeadline(&mutex, absl::Now() + absl::Seconds(30));
  }));
  loop.RunPosted();
  changed.SignalAll();
  loop.RunPosted();
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(CondVarTest, ThreadsWaitOnItToo) {
  absl::Mutex mutex;
  CondVar changed;
  bool ready = false;
  std::thread waiter([&] {
    absl::MutexLock lock(&mutex);
    while (!ready) changed.Wait(&mutex);
  });
  {
    absl::MutexLock lock(&mutex);
    ready = true;
  }
  changed.SignalAll();
  waiter.join();
  absl::MutexLock lock(&mutex);
  EXPECT_TRUE(changed.WaitWithDeadline(&mutex, absl::Now()));
}

TEST(SleepForTest, AFiberSleepsOnItsHomesTimers) {
  ManualLoop loop;
  bool woke = false;
  ASSERT_TRUE(Fiber::Spawn(&loop, [&] {
    io::SleepFor(absl::Seconds(2));
    woke = true;
  }));
  loop.Advance(absl::Seconds(1));
  EXPECT_FALSE(woke);
  loop.Advance(absl::Seconds(1));
  EXPECT_TRUE(woke);
}

TEST(CancellationTest, WaitForInAFiberWakesWhenCancelledElsewhere) {
  ManualLoop loop;
  Cancellation cancellation;
  bool cancelled = false;
  ASSERT_TRUE(Fiber::Spawn(
      &loop, [&] { cancelled = cancellation.WaitFor(absl::Hours(1)); }));
  loop.RunPosted();
  std::thread([&] { cancellation.Cancel(); }).join();
  loop.RunPosted();
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

// Ten thousand calls waiting at once on two real loop threads: what the
// gateway does with thousands of upstream calls in flight.
TEST(FiberExecutorTest, TenThousandWaitersOnTwoLoopThreads) {
  auto first = EventLoop::Start("fiber-test-0");
  auto second = EventLoop::Start("fiber-test-1");
  ASSERT_TRUE(first.ok() && second.ok());
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer keeps a context per fiber in an internal allocator that
  // 10,000 exhaust.
  constexpr int kWaiters = 1000;
#else
  constexpr int kWaiters = 10000;
#endif
  FiberExecutor executor({first->get(), second->get()}, kWaiters);
  absl::Mutex mutex;
  CondVar go;
  CondVar arrived;
  bool released = false;
  int waiting = 0;
  std::atomic<int> finished{0};
  for (int i = 0; i < kWaiters; ++i) {
    ASSERT_TRUE(executor.TrySchedule([&] {
      absl::MutexLock lock(&mutex);
      ++waiting;
      arrived.SignalAll();
      while (!released) go.Wait(&mutex);
      finished.fetch_add(1);
    }));
  }
  // At the cap: the next task is refused, not queued.
  EXPECT_FALSE(executor.TrySchedule([] {}));
  {
    absl::MutexLock lock(&mutex);
    while (waiting < kWaiters) arrived.Wait(&mutex);
    EXPECT_EQ(executor.running(), static_cast<size_t>(kWaiters));
    released = true;
  }
  go.SignalAll();
  EXPECT_TRUE(executor.Shutdown(absl::Seconds(60)));
  EXPECT_EQ(finished.load(), kWaiters);
  EXPECT_FALSE(executor.TrySchedule([] {}));  // shut down
}

TEST(FiberExecutorTest, TasksScheduledFromAFiberStayOnItsLoop) {
  auto first = EventLoop::Start("fiber-test-0");
  auto second = EventLoop::Start("fiber-test-1");
  ASSERT_TRUE(first.ok() && second.ok());
  FiberExecutor executor({first->get(), second->get()}, 100);
  absl::Notification done;
  std::atomic<bool> same_loop{false};
  ASSERT_TRUE(executor.TrySchedule([&] {
    LoopHost* parent = &Fiber::Current()->home();
    absl::Mutex mutex;
    CondVar child_done;
    bool finished = false;
    ASSERT_TRUE(executor.TrySchedule([&] {
      same_loop = &Fiber::Current()->home() == parent;
      absl::MutexLock lock(&mutex);
      finished = true;
      child_done.SignalAll();
    }));
    absl::MutexLock lock(&mutex);
    while (!finished) child_done.Wait(&mutex);
    done.Notify();
  }));
  done.WaitForNotification();
  EXPECT_TRUE(same_loop.load());
  EXPECT_TRUE(executor.Shutdown(absl::Seconds(10)));
}

}  // namespace
}  // namespace ucgate::io
