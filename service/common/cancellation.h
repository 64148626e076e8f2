// A call's cancellation, pushed to whoever waits on the call's behalf.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/io/fiber.h"

namespace ucgate {

// Told once that a call is cancelled (the caller went away, a stream or a
// poller stopped). What waits for the call — a curl transfer, a cache
// waiter, a retry backoff — subscribes and is woken at once, instead of
// polling a flag. Thread-safe; Cancel() is sticky.
class Cancellation {
 public:
  class Subscription;

  Cancellation() = default;
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;
  ~Cancellation() = default;

  bool IsCancelled() const {
    return cancelled_.load(std::memory_order_acquire);
  }

  // Runs every subscribed callback once, on this thread. Later calls do
  // nothing.
  void Cancel();

  // Runs `on_cancel` when the call is cancelled; at once, on this thread, if
  // it already is. Callbacks must not block: they run on the cancelling
  // thread (often a gRPC thread). Once the subscription is gone the callback
  // never starts, and if it is running on another thread the subscription's
  // destructor waits for it to return, so it may capture what the
  // subscriber owns.
  // Const: listening does not change the cancellation.
  [[nodiscard]] Subscription Subscribe(std::function<void()> on_cancel) const;

  // Waits up to `timeout`, returning early when cancelled. True if cancelled.
  // In a fiber it suspends the fiber, not the thread.
  bool WaitFor(absl::Duration timeout) const;

 private:
  void Unsubscribe(uint64_t id) const;

  mutable absl::Mutex mutex_;
  std::atomic<bool> cancelled_{false};
  // Set while Cancel() runs the callbacks, so that unsubscribing from
  // another thread waits for them.
  bool running_callbacks_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread::id cancelling_thread_ ABSL_GUARDED_BY(mutex_);
  mutable uint64_t next_id_ ABSL_GUARDED_BY(mutex_) = 1;
  mutable std::map<uint64_t, std::function<void()>> callbacks_
      ABSL_GUARDED_BY(mutex_);
  // Wakes WaitFor.
  mutable io::CondVar cancelled_changed_;
};

// Unsubscribes when destroyed. Movable; empty when default-constructed.
class Cancellation::Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept { *this = std::move(other); }
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { Reset(); }

  // Unsubscribes now (see Subscribe for what that guarantees).
  void Reset();

 private:
  friend class Cancellation;
  Subscription(const Cancellation* cancellation, uint64_t id)
      : cancellation_(cancellation), id_(id) {}

  const Cancellation* cancellation_ = nullptr;
  uint64_t id_ = 0;
};

}  // namespace ucgate
