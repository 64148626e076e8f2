// Threads for blocking work (libcurl calls), so that gRPC's callback reactor
// threads never block. The queue is bounded: when it is full the caller is
// told at once (RESOURCE_EXHAUSTED) instead of waiting without limit.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace ucgate::gateway {

class BlockingExecutor {
 public:
  BlockingExecutor(int threads, int max_queued);
  // Runs what is queued, then joins the threads.
  ~BlockingExecutor();

  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  // False when the queue is full or the executor is shutting down.
  bool TrySchedule(std::function<void()> task);

 private:
  void Work();

  const int max_queued_;
  absl::Mutex mutex_;
  // Signalled once per task: one idle worker wakes, not all of them.
  absl::CondVar work_available_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace ucgate::gateway
