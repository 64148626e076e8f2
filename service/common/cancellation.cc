#include "service/common/cancellation.h"

#include <utility>

#include "absl/time/clock.h"

namespace ucgate {

void Cancellation::Cancel() {
  std::map<uint64_t, std::function<void()>> to_run;
  {
    absl::MutexLock lock(&mutex_);
    if (cancelled_.load(std::memory_order_relaxed)) return;
    cancelled_.store(true, std::memory_order_release);
    running_callbacks_ = true;
    cancelling_thread_ = std::this_thread::get_id();
    to_run.swap(callbacks_);
  }
  cancelled_changed_.SignalAll();
  for (auto& [id, on_cancel] : to_run) on_cancel();
  absl::MutexLock lock(&mutex_);
  running_callbacks_ = false;
}

Cancellation::Subscription Cancellation::Subscribe(
    std::function<void()> on_cancel) const {
  {
    absl::MutexLock lock(&mutex_);
    if (!cancelled_.load(std::memory_order_relaxed)) {
      const uint64_t id = next_id_++;
      callbacks_.emplace(id, std::move(on_cancel));
      return Subscription(this, id);
    }
  }
  on_cancel();
  return Subscription();
}

bool Cancellation::WaitFor(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mutex_);
  while (!cancelled_.load(std::memory_order_acquire)) {
    if (cancelled_changed_.WaitWithDeadline(&mutex_, deadline)) break;
  }
  return cancelled_.load(std::memory_order_acquire);
}

void Cancellation::Unsubscribe(uint64_t id) const {
  absl::MutexLock lock(&mutex_);
  if (callbacks_.erase(id) > 0) return;
  // Cancel() took the callback: wait until it has returned, unless this is
  // the cancelling thread itself (a callback dropping its own subscription).
  if (running_callbacks_ && cancelling_thread_ != std::this_thread::get_id()) {
    mutex_.Await(absl::Condition(
        +[](const bool* running) { return !*running; }, &running_callbacks_));
  }
}

Cancellation::Subscription& Cancellation::Subscription::operator=(
    Subscription&& other) noexcept {
  if (this != &other) {
    Reset();
    cancellation_ = std::exchange(other.cancellation_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Cancellation::Subscription::Reset() {
  if (cancellation_ != nullptr) {
    std::exchange(cancellation_, nullptr)->Unsubscribe(id_);
  }
}

}  // namespace ucgate
