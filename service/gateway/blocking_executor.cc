#include "service/gateway/blocking_executor.h"

#include <utility>

namespace ucgate::gateway {

BlockingExecutor::BlockingExecutor(int threads, int max_queued)
    : max_queued_(max_queued) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BlockingExecutor::~BlockingExecutor() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    work_available_.SignalAll();
  }
  for (std::thread& thread : threads_) thread.join();
}

bool BlockingExecutor::TrySchedule(std::function<void()> task) {
  absl::MutexLock lock(&mutex_);
  if (stopping_ || static_cast<int>(queue_.size()) >= max_queued_) return false;
  queue_.push_back(std::move(task));
  work_available_.Signal();
  return true;
}

void BlockingExecutor::Work() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mutex_);
      while (!stopping_ && queue_.empty()) work_available_.Wait(&mutex_);
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace ucgate::gateway
