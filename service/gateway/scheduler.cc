#include "service/gateway/scheduler.h"

#include "absl/time/clock.h"

namespace ucgate::gateway {

ThreadScheduler::ThreadScheduler() : thread_([this] { Loop(); }) {}

ThreadScheduler::~ThreadScheduler() {
  Shutdown();
  thread_.join();
}

void ThreadScheduler::RunAfter(absl::Duration delay,
                               std::function<void()> task) {
  absl::MutexLock lock(&mutex_);
  if (stopping_) return;
  tasks_.emplace(std::make_pair(absl::Now() + delay, sequence_++),
                 std::move(task));
  changed_.Signal();
}

void ThreadScheduler::Shutdown() {
  decltype(tasks_) dropped;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    dropped.swap(tasks_);
    changed_.Signal();
  }
  // `dropped` dies here, outside the lock: its captures may own objects
  // whose destructors schedule.
}

void ThreadScheduler::Loop() {
  absl::MutexLock lock(&mutex_);
  while (!stopping_) {
    if (tasks_.empty()) {
      changed_.Wait(&mutex_);
      continue;
    }
    const absl::Time due = tasks_.begin()->first.first;
    if (absl::Now() < due) {
      // Woken early by a new task (maybe sooner) or by shutdown.
      changed_.WaitWithDeadline(&mutex_, due);
      continue;
    }
    std::function<void()> task = std::move(tasks_.begin()->second);
    tasks_.erase(tasks_.begin());
    mutex_.Unlock();
    task();
    task = nullptr;
    mutex_.Lock();
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
