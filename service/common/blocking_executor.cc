#include "service/common/blocking_executor.h"

#include <algorithm>
#include <utility>

namespace ucgate {

BlockingExecutor::BlockingExecutor(int threads, int max_queued)
    : max_queued_(max_queued) {
  workers_.reserve(threads);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    threads_.emplace_back(
        [this, worker = workers_.back().get()] { Work(*worker); });
  }
}

BlockingExecutor::~BlockingExecutor() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    for (Worker* worker : idle_) worker->wake.Signal();
  }
  for (std::thread& thread : threads_) thread.join();
}

bool BlockingExecutor::TrySchedule(std::function<void()> task) {
  absl::MutexLock lock(&mutex_);
  if (stopping_) return false;
  if (!idle_.empty()) {
    Worker* worker = idle_.back();
    idle_.pop_back();
    worker->task = std::move(task);
    worker->wake.Signal();
    return true;
  }
  if (static_cast<int>(queue_.size()) >= max_queued_) return false;
  queue_.push_back(std::move(task));
  return true;
}

int BlockingExecutor::idle_workers() {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(idle_.size());
}

void BlockingExecutor::Work(Worker& self) {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mutex_);
      if (!queue_.empty()) {
        task = std::move(queue_.front());
        queue_.pop_front();
      } else if (stopping_) {
        return;  // nothing left to run
      } else {
        idle_.push_back(&self);
        while (!self.task && !stopping_) self.wake.Wait(&mutex_);
        if (!self.task) {  // stopping: leave the idle list
          idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
          return;
        }
        task = std::move(self.task);
        self.task = nullptr;
      }
    }
    task();
  }
}

}  // namespace ucgate
