// Threads for blocking work (libcurl calls), so that gRPC's callback reactor
// threads never block. The queue is bounded: when it is full the caller is
// told at once (RESOURCE_EXHAUSTED) instead of waiting without limit. With
// max_queued 0 a task runs only if a worker is idle right now (the batch
// splitter's chunk helpers: the caller runs the chunk itself otherwise).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "service/common/executor.h"

namespace ucgate {

class BlockingExecutor final : public Executor {
 public:
  BlockingExecutor(int threads, int max_queued);
  // Runs what is queued, then joins the threads. May run on one of the
  // executor's own threads (a task held its last owner): that thread is
  // detached instead and leaves as soon as its task returns.
  ~BlockingExecutor() override;

  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  // False when the queue is full or the executor is shutting down.
  bool TrySchedule(std::function<void()> task) override;

  // Workers waiting for a task (tests use it to start from a known state).
  int idle_workers();

 private:
  // One thread's mailbox: a task is handed straight to an idle worker.
  struct Worker {
    absl::CondVar wake;
    std::function<void()> task;
  };

  // Shared with the threads, so that it outlives a detached one.
  struct State {
    explicit State(int max_queued) : max_queued(max_queued) {}
    const int max_queued;
    absl::Mutex mutex;
    // Idle workers, the most recently idle last. It is woken first: its
    // stack and caches are warm, and threads that are not needed stay
    // untouched, so memory does not creep up with the number of tasks run.
    std::vector<Worker*> idle ABSL_GUARDED_BY(mutex);
    // Tasks waiting while every worker is busy.
    std::deque<std::function<void()>> queue ABSL_GUARDED_BY(mutex);
    bool stopping ABSL_GUARDED_BY(mutex) = false;
    std::vector<std::unique_ptr<Worker>> workers;
  };

  static void Work(State& state, Worker& self);

  std::shared_ptr<State> state_;
  std::vector<std::thread> threads_;
};

}  // namespace ucgate
