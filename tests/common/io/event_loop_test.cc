// The event loop with its real thread, epoll and clock. Tests wait for the
// loop through notifications (never sleep); the short timers here measure
// ordering and "never early", not wall-clock accuracy.
#include "service/common/io/event_loop.h"

#include <unistd.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ucgate::io {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<EventLoop> StartLoop() {
  auto loop = EventLoop::Start("test-loop");
  EXPECT_TRUE(loop.ok()) << loop.status();
  return *std::move(loop);
}

// Runs `work` on the loop and waits for it.
template <typename Work>
void OnLoop(EventLoop& loop, Work work) {
  absl::Notification done;
  ASSERT_TRUE(loop.Post([&] {
    work();
    done.Notify();
  }));
  done.WaitForNotification();
}

class Pipe {
 public:
  Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int read_end() const { return fds_[0]; }
  void Write() { ASSERT_EQ(::write(fds_[1], "x", 1), 1); }
  void Drain() {
    char buffer[16];
    ASSERT_GT(::read(fds_[0], buffer, sizeof buffer), 0);
  }

 private:
  int fds_[2] = {-1, -1};
};

TEST(EventLoopTest, PostedClosuresRunOnTheLoopThreadInOrder) {
  auto loop = StartLoop();
  std::vector<int> order;
  std::atomic<bool> all_on_loop{true};
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(loop->Post([&, i] {
      if (!loop->InLoopThread()) all_on_loop = false;
      order.push_back(i);
    }));
  }
  OnLoop(*loop, [] {});
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(order[i], i);
  EXPECT_TRUE(all_on_loop);
  EXPECT_FALSE(loop->InLoopThread());
}

TEST(EventLoopTest, PostsFromManyThreadsAllRunEachThreadsInOrder) {
  auto loop = StartLoop();
  constexpr int kThreads = 4;
  constexpr int kPosts = 2000;
  std::vector<std::vector<int>> seen(kThreads);  // touched on the loop only
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kPosts; ++i) {
        loop->Post([&, t, i] { seen[t].push_back(i); });
      }
    });
  }
  for (std::thread& poster : posters) poster.join();
  OnLoop(*loop, [] {});
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kPosts));
    for (int i = 0; i < kPosts; ++i) ASSERT_EQ(seen[t][i], i);
  }
}

TEST(EventLoopTest, TimersFireInDeadlineOrderAndCancelledOnesNever) {
  auto loop = StartLoop();
  std::vector<int> order;
  absl::Notification last_fired;
  // Deadlines 30 ms apart: each After reads the clock, and a loaded machine
  // (sanitizers, parallel tests) may pause the loop thread between calls.
  OnLoop(*loop, [&] {
    loop->After(absl::Milliseconds(90), [&] {
      order.push_back(3);
      last_fired.Notify();
    });
    loop->After(absl::Milliseconds(30), [&] { order.push_back(1); });
    const TimerId cancelled =
        loop->After(absl::Milliseconds(60), [&] { order.push_back(-2); });
    loop->After(absl::Milliseconds(60), [&] { order.push_back(2); });
    loop->After(absl::ZeroDuration(), [&] { order.push_back(0); });
    EXPECT_TRUE(loop->Cancel(cancelled));
    EXPECT_FALSE(loop->Cancel(cancelled));
    EXPECT_EQ(loop->pending_timers(), 4u);
  });
  last_fired.WaitForNotification();
  EXPECT_THAT(order, ElementsAre(0, 1, 2, 3));
  OnLoop(*loop, [&] { EXPECT_EQ(loop->pending_timers(), 0u); });
}

TEST(EventLoopTest, TimersNeverFireEarly) {
  auto loop = StartLoop();
  absl::Notification fired;
  absl::Time set_at;
  absl::Time fired_at;
  OnLoop(*loop, [&] {
    set_at = loop->Now();
    loop->After(absl::Milliseconds(15), [&] {
      fired_at = loop->Now();
      fired.Notify();
    });
  });
  fired.WaitForNotification();
  EXPECT_GE(fired_at - set_at, absl::Milliseconds(15));
}

TEST(EventLoopTest, ATimerCancelledByAnEarlierOneDoesNotFire) {
  auto loop = StartLoop();
  std::vector<int> order;
  absl::Notification done;
  TimerId second = 0;
  OnLoop(*loop, [&] {
    loop->After(absl::Milliseconds(1), [&] {
      order.push_back(1);
      EXPECT_TRUE(loop->Cancel(second));
    });
    second = loop->After(absl::Milliseconds(1), [&] { order.push_back(2); });
    loop->After(absl::Milliseconds(2), [&] { done.Notify(); });
  });
  done.WaitForNotification();
  EXPECT_THAT(order, ElementsAre(1));
}

TEST(EventLoopTest, WatchReportsReadinessUntilUnwatched) {
  auto loop = StartLoop();
  Pipe pipe;
  std::atomic<int> calls{0};
  absl::Notification readable;
  OnLoop(*loop, [&] {
    ASSERT_TRUE(loop->Watch(pipe.read_end(), kReadable,
                            [&](uint32_t ready) {
                              EXPECT_TRUE(ready & kReadable);
                              pipe.Drain();
                              loop->Unwatch(pipe.read_end());
                              ++calls;
                              readable.Notify();
                            })
                    .ok());
    EXPECT_EQ(loop->watched_fds(), 1u);
  });
  pipe.Write();
  readable.WaitForNotification();
  pipe.Write();  // Unwatched: nobody is told.
  OnLoop(*loop, [&] { EXPECT_EQ(loop->watched_fds(), 0u); });
  OnLoop(*loop, [] {});
  EXPECT_EQ(calls.load(), 1);
}

TEST(EventLoopTest, AWatchDroppedByAnEarlierCallbackOfTheBatchIsNotCalled) {
  auto loop = StartLoop();
  Pipe first;
  Pipe second;
  first.Write();
  second.Write();
  std::atomic<int> calls{0};
  // Both are readable before the loop next waits: one epoll batch reports
  // both, and whichever runs first drops the other.
  auto drop_both = [&](uint32_t) {
    ++calls;
    loop->Unwatch(first.read_end());
    loop->Unwatch(second.read_end());
  };
  OnLoop(*loop, [&] {
    ASSERT_TRUE(loop->Watch(first.read_end(), kReadable, drop_both).ok());
    ASSERT_TRUE(loop->Watch(second.read_end(), kReadable, drop_both).ok());
  });
  // Two round trips: the batch has certainly been dispatched.
  OnLoop(*loop, [] {});
  OnLoop(*loop, [] {});
  EXPECT_EQ(calls.load(), 1);
}

TEST(EventLoopTest, ACallbackMayReplaceItsOwnWatch) {
  auto loop = StartLoop();
  Pipe pipe;
  std::vector<std::string> calls;
  absl::Notification replaced_ran;
  absl::Notification first_ran;
  auto watch_again = [&] {
    ASSERT_TRUE(loop->Watch(pipe.read_end(), kReadable,
                            [&](uint32_t) {
                              pipe.Drain();
                              calls.push_back("replacement");
                              loop->Unwatch(pipe.read_end());
                              replaced_ran.Notify();
                            })
                    .ok());
  };
  auto owned = std::make_shared<int>(7);  // lives in the first callback
  OnLoop(*loop, [&] {
    ASSERT_TRUE(loop->Watch(pipe.read_end(), kReadable,
                            [&, owned](uint32_t) {
                              pipe.Drain();
                              watch_again();
                              // Still alive although replaced.
                              calls.push_back("first " +
                                              std::to_string(*owned));
                              first_ran.Notify();
                            })
                    .ok());
  });
  owned.reset();
  pipe.Write();
  // The second byte only once the first callback has drained the first: a
  // callback that ran late would drain both, and the replacement would wait
  // for a byte that never comes.
  first_ran.WaitForNotification();
  pipe.Write();
  replaced_ran.WaitForNotification();
  EXPECT_THAT(calls, ElementsAre("first 7", "replacement"));
}

TEST(EventLoopTest, SetEventsChangesWhatAWatchWaitsForKeepingItsCallback) {
  auto loop = StartLoop();
  Pipe pipe;
  std::vector<uint32_t> seen;
  absl::Notification told;
  OnLoop(*loop, [&] {
    // A pipe's read end never becomes writable: nothing is reported yet.
    ASSERT_TRUE(loop->Watch(pipe.read_end(), kWritable,
                            [&](uint32_t ready) {
                              seen.push_back(ready);
                              pipe.Drain();
                              loop->Unwatch(pipe.read_end());
                              told.Notify();
                            })
                    .ok());
  });
  pipe.Write();
  OnLoop(*loop, [] {});
  OnLoop(*loop, [&] {
    EXPECT_TRUE(seen.empty());
    ASSERT_TRUE(loop->SetEvents(pipe.read_end(), kReadable).ok());
  });
  told.WaitForNotification();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0] & kReadable);
  OnLoop(*loop, [&] {
    EXPECT_EQ(loop->SetEvents(pipe.read_end(), kReadable).code(),
              absl::StatusCode::kNotFound);
  });
}

TEST(EventLoopTest, APostFromTheLoopRunsBeforeTheLoopWaits) {
  auto loop = StartLoop();
  absl::Notification ran;
  // Nothing else would wake the loop: the inner post must not need a wake.
  ASSERT_TRUE(loop->Post([&] { loop->Post([&] { ran.Notify(); }); }));
  ran.WaitForNotification();
}

TEST(EventLoopTest, WatchOfABadDescriptorIsAnError) {
  auto loop = StartLoop();
  OnLoop(*loop, [&] {
    EXPECT_FALSE(loop->Watch(-1, kReadable, [](uint32_t) {}).ok());
    EXPECT_FALSE(loop->Watch(987654, kReadable, [](uint32_t) {}).ok());
    EXPECT_EQ(loop->watched_fds(), 0u);
  });
}

TEST(EventLoopTest, StopRunsEverythingPostedThenRefusesMore) {
  auto loop = StartLoop();
  std::vector<std::string> ran;
  absl::Notification hold;
  // The loop is held, so the Stop() below lands while work is queued.
  loop->Post([&] { hold.WaitForNotification(); });
  loop->Post([&] {
    ran.push_back("queued");
    loop->Post([&] { ran.push_back("posted while draining"); });
  });
  loop->Stop();
  hold.Notify();
  loop->Join();
  EXPECT_THAT(ran, ElementsAre("queued", "posted while draining"));
  auto witness = std::make_shared<int>(1);
  std::weak_ptr<int> watch_destroyed = witness;
  EXPECT_FALSE(loop->Post([witness = std::move(witness)] {}));
  EXPECT_TRUE(watch_destroyed.expired());  // refused closures are destroyed
}

// Destroys a flag-setting witness where it dies.
struct DestroyedOn {
  std::thread::id* where;
  explicit DestroyedOn(std::thread::id* where) : where(where) {}
  DestroyedOn(DestroyedOn&& other) noexcept : where(other.where) {
    other.where = nullptr;
  }
  ~DestroyedOn() {
    if (where != nullptr) *where = std::this_thread::get_id();
  }
};

TEST(EventLoopTest, StopDestroysPendingTimersUnrunOnTheLoopThread) {
  auto loop = StartLoop();
  std::thread::id destroyed_on;
  std::thread::id loop_thread;
  bool fired = false;
  OnLoop(*loop, [&] {
    loop_thread = std::this_thread::get_id();
    loop->After(absl::Hours(1),
                [&, witness = DestroyedOn(&destroyed_on)] { fired = true; });
  });
  loop->Stop();
  loop->Join();
  EXPECT_FALSE(fired);
  EXPECT_EQ(destroyed_on, loop_thread);
}

TEST(EventLoopTest, StopWakesAnIdleLoopAndIsIdempotent) {
  auto loop = StartLoop();
  OnLoop(*loop, [] {});
  loop->Stop();
  loop->Stop();
  loop->Join();
  loop.reset();  // the destructor stops and joins again harmlessly
}

}  // namespace
}  // namespace ucgate::io
