#include "service/common/blocking_executor.h"

#include <algorithm>
#include <utility>

#include "service/common/join_thread.h"

namespace ucgate {

BlockingExecutor::BlockingExecutor(int threads, int max_queued)
    : state_(std::make_shared<State>(max_queued)) {
  state_->workers.reserve(threads);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    state_->workers.push_back(std::make_unique<Worker>());
    threads_.emplace_back(
        [state = state_, worker = state_->workers.back().get()] {
          Work(*state, *worker);
        });
  }
}

BlockingExecutor::~BlockingExecutor() {
  {
    absl::MutexLock lock(&state_->mutex);
    state_->stopping = true;
    for (Worker* worker : state_->idle) worker->wake.Signal();
  }
  for (std::thread& thread : threads_) JoinUnlessSelf(thread);
}

bool BlockingExecutor::TrySchedule(std::function<void()> task) {
  State& state = *state_;
  absl::MutexLock lock(&state.mutex);
  if (state.stopping) return false;
  if (!state.idle.empty()) {
    Worker* worker = state.idle.back();
    state.idle.pop_back();
    worker->task = std::move(task);
    worker->wake.Signal();
    return true;
  }
  if (static_cast<int>(state.queue.size()) >= state.max_queued) return false;
  state.queue.push_back(std::move(task));
  return true;
}

int BlockingExecutor::idle_workers() {
  absl::MutexLock lock(&state_->mutex);
  return static_cast<int>(state_->idle.size());
}

void BlockingExecutor::Work(State& state, Worker& self) {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&state.mutex);
      if (!state.queue.empty()) {
        task = std::move(state.queue.front());
        state.queue.pop_front();
      } else if (state.stopping) {
        return;  // nothing left to run
      } else {
        state.idle.push_back(&self);
        while (!self.task && !state.stopping) self.wake.Wait(&state.mutex);
        if (!self.task) {  // stopping: leave the idle list
          state.idle.erase(
              std::find(state.idle.begin(), state.idle.end(), &self));
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
