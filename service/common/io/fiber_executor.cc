#include "service/common/io/fiber_executor.h"

#include <utility>

namespace ucgate::io {

FiberExecutor::FiberExecutor(std::vector<LoopHost*> homes,
                             std::size_t max_fibers, std::size_t stack_bytes)
    : homes_(std::move(homes)),
      max_fibers_(max_fibers),
      stack_bytes_(stack_bytes),
      state_(std::make_shared<State>(homes_.size())) {}

FiberExecutor::~FiberExecutor() { Shutdown(absl::ZeroDuration()); }

bool FiberExecutor::TrySchedule(std::function<void()> task) {
  if (homes_.empty()) return false;
  {
    absl::MutexLock lock(&state_->mutex);
    if (state_->stopping) return false;
  }
  if (state_->running.fetch_add(1, std::memory_order_relaxed) >= max_fibers_) {
    state_->running.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  std::size_t home = homes_.size();
  if (Fiber* current = Fiber::Current()) {
    for (std::size_t i = 0; i < homes_.size(); ++i) {
      if (homes_[i] == &current->home()) home = i;
    }
  }
  if (home == homes_.size()) {
    home = 0;
    for (std::size_t i = 1; i < homes_.size(); ++i) {
      if (state_->per_home[i].load(std::memory_order_relaxed) <
          state_->per_home[home].load(std::memory_order_relaxed)) {
        home = i;
      }
    }
  }
  state_->per_home[home].fetch_add(1, std::memory_order_relaxed);
  const bool spawned = Fiber::Spawn(
      homes_[home],
      [state = state_, home, task = std::move(task)]() mutable {
        task();
        task = nullptr;  // What it captured goes before the count drops.
        state->per_home[home].fetch_sub(1, std::memory_order_relaxed);
        if (state->running.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          // The last one out wakes a Shutdown that waits.
          absl::MutexLock lock(&state->mutex);
        }
      },
      stack_bytes_);
  if (!spawned) {
    state_->per_home[home].fetch_sub(1, std::memory_order_relaxed);
    state_->running.fetch_sub(1, std::memory_order_relaxed);
  }
  return spawned;
}

bool FiberExecutor::Shutdown(absl::Duration grace) {
  absl::MutexLock lock(&state_->mutex);
  state_->stopping = true;
  return state_->mutex.AwaitWithTimeout(
      absl::Condition(
          +[](std::atomic<std::size_t>* running) {
            return running->load(std::memory_order_acquire) == 0;
          },
          &state_->running),
      grace);
}

}  // namespace ucgate::io
