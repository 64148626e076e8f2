// Runs each task as a fiber on one of a few event loops (the upstream I/O
// threads), so that a task waiting on the upstream holds a small stack, not a
// thread: the gateway's calls, stream pages, job polls and batch chunks.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/executor.h"
#include "service/common/io/fiber.h"

namespace ucgate::io {

class FiberExecutor final : public Executor {
 public:
  // `homes` must outlive the executor's fibers. At most `max_fibers` tasks
  // run (or wait) at once; beyond it TrySchedule is false.
  FiberExecutor(std::vector<LoopHost*> homes, std::size_t max_fibers,
                std::size_t stack_bytes = Fiber::kDefaultStackBytes);
  ~FiberExecutor() override;

  // A task scheduled from inside a fiber stays on that fiber's loop (a
  // batch's chunks next to their call: no hop); others go to the loop with
  // the fewest fibers, the first on ties: a lightly loaded gateway keeps
  // one loop thread warm (and its connections) instead of waking each loop
  // in turn, which cost a lone call about 0.2 ms; a busy one spreads.
  bool TrySchedule(std::function<void()> task) override;

  // Refuses new tasks and waits up to `grace` for those running to end;
  // true when none is left. Not from a fiber of this executor.
  bool Shutdown(absl::Duration grace);

  // Tasks running or waiting now.
  std::size_t running() const {
    return state_->running.load(std::memory_order_relaxed);
  }

 private:
  // Shared with the fibers, so that one ending after the executor is gone
  // touches nothing freed.
  struct State {
    explicit State(std::size_t homes) : per_home(homes) {}
    std::atomic<std::size_t> running{0};
    // Fibers alive per home, in the order of homes_.
    std::vector<std::atomic<std::size_t>> per_home;
    absl::Mutex mutex;
    bool stopping ABSL_GUARDED_BY(mutex) = false;
  };

  const std::vector<LoopHost*> homes_;
  const std::size_t max_fibers_;
  const std::size_t stack_bytes_;
  const std::shared_ptr<State> state_;
};

}  // namespace ucgate::io
