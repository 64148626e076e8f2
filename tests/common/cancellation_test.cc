#include "service/common/cancellation.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace ucgate {
namespace {

TEST(CancellationTest, RunsEachSubscriberOnceOnCancel) {
  Cancellation cancellation;
  int first = 0, second = 0;
  auto a = cancellation.Subscribe([&] { ++first; });
  auto b = cancellation.Subscribe([&] { ++second; });
  EXPECT_FALSE(cancellation.IsCancelled());
  EXPECT_EQ(first + second, 0);
  cancellation.Cancel();
  cancellation.Cancel();
  EXPECT_TRUE(cancellation.IsCancelled());
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

TEST(CancellationTest, SubscribingAfterCancelRunsAtOnce) {
  Cancellation cancellation;
  cancellation.Cancel();
  bool ran = false;
  auto subscription = cancellation.Subscribe([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(CancellationTest, AnEndedSubscriptionNeverRuns) {
  Cancellation cancellation;
  bool ran = false;
  {
    auto subscription = cancellation.Subscribe([&] { ran = true; });
  }
  auto reset = cancellation.Subscribe([&] { ran = true; });
  reset.Reset();
  cancellation.Cancel();
  EXPECT_FALSE(ran);
}

TEST(CancellationTest, MovedSubscriptionStaysSubscribedOnce) {
  Cancellation cancellation;
  int runs = 0;
  Cancellation::Subscription moved;
  {
    auto original = cancellation.Subscribe([&] { ++runs; });
    moved = std::move(original);
  }  // the moved-from original unsubscribes nothing
  cancellation.Cancel();
  EXPECT_EQ(runs, 1);
}

TEST(CancellationTest, UnsubscribingWaitsForACallbackRunningElsewhere) {
  Cancellation cancellation;
  absl::Notification callback_started, release_callback;
  std::atomic<bool> callback_returned{false};
  auto subscription = cancellation.Subscribe([&] {
    callback_started.Notify();
    release_callback.WaitForNotification();
    callback_returned = true;
  });
  std::thread canceller([&] { cancellation.Cancel(); });
  callback_started.WaitForNotification();
  std::thread releaser([&] {
    // Only released once the main thread is (about to be) waiting.
    release_callback.Notify();
  });
  subscription.Reset();
  // Reset returned: the callback it guarded has finished.
  EXPECT_TRUE(callback_returned.load());
  canceller.join();
  releaser.join();
}

TEST(CancellationTest, ACallbackMayEndItsOwnSubscription) {
  Cancellation cancellation;
  Cancellation::Subscription subscription;
  bool ran = false;
  subscription = cancellation.Subscribe([&] {
    ran = true;
    subscription.Reset();  // must not wait for itself
  });
  cancellation.Cancel();
  EXPECT_TRUE(ran);
}

TEST(CancellationTest, WaitForTimesOutOrEndsOnCancel) {
  Cancellation cancellation;
  EXPECT_FALSE(cancellation.WaitFor(absl::Milliseconds(1)));
  std::thread canceller([&] { cancellation.Cancel(); });
  // Returns when cancelled, long before the timeout.
  EXPECT_TRUE(cancellation.WaitFor(absl::Hours(1)));
  canceller.join();
  EXPECT_TRUE(cancellation.WaitFor(absl::ZeroDuration()));
}

}  // namespace
}  // namespace ucgate
