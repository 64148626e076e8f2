#include "service/gateway/scheduler.h"

#include "absl/time/clock.h"
#include "service/common/join_thread.h"

namespace ucgate::gateway {

ThreadScheduler::ThreadScheduler()
    : thread_([state = state_] { Loop(*state); }) {}

ThreadScheduler::~ThreadScheduler() {
  Shutdown();
  JoinUnlessSelf(thread_);
}

void ThreadScheduler::RunAfter(absl::Duration delay,
                               std::function<void()> task) {
  absl::MutexLock lock(&state_->mutex);
  if (state_->stopping) return;
  state_->tasks.emplace(std::make_pair(absl::Now() + delay, state_->sequence++),
                        std::move(task));
  state_->changed.Signal();
}

void ThreadScheduler::Shutdown() {
  decltype(state_->tasks) dropped;
  {
    absl::MutexLock lock(&state_->mutex);
    state_->stopping = true;
    dropped.swap(state_->tasks);
    state_->changed.Signal();
  }
  // `dropped` dies here, outside the lock: its captures may own objects
  // whose destructors schedule.
}

void ThreadScheduler::Loop(State& state) {
  absl::MutexLock lock(&state.mutex);
  while (!state.stopping) {
    if (state.tasks.empty()) {
      state.changed.Wait(&state.mutex);
      continue;
    }
    const absl::Time due = state.tasks.begin()->first.first;
    if (absl::Now() < due) {
      // Woken early by a new task (maybe sooner) or by shutdown.
      state.changed.WaitWithDeadline(&state.mutex, due);
      continue;
    }
    std::function<void()> task = std::move(state.tasks.begin()->second);
    state.tasks.erase(state.tasks.begin());
    state.mutex.Unlock();
    task();
    task = nullptr;
    state.mutex.Lock();
  }
}

void ManualScheduler::RunAfter(absl::Duration delay,
                               std::function<void()> task) {
  absl::MutexLock lock(&mutex_);
  tasks_.emplace(
      std::make_pair(now_ + std::max(delay, absl::ZeroDuration()), sequence_++),
      std::move(task));
}

void ManualScheduler::AdvanceBy(absl::Duration by) {
  absl::Duration until;
  {
    absl::MutexLock lock(&mutex_);
    until = now_ + by;
  }
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mutex_);
      if (tasks_.empty() || tasks_.begin()->first.first > until) {
        now_ = until;
        return;
      }
      now_ = tasks_.begin()->first.first;
      task = std::move(tasks_.begin()->second);
      tasks_.erase(tasks_.begin());
    }
    task();
  }
}

int ManualScheduler::pending() const {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(tasks_.size());
}

absl::Duration ManualScheduler::NextDelay() const {
  absl::MutexLock lock(&mutex_);
  if (tasks_.empty()) return absl::InfiniteDuration();
  return tasks_.begin()->first.first - now_;
}

}  // namespace ucgate::gateway
