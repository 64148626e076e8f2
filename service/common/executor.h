// Where the gateway runs work that waits on the upstream: calls, stream
// pages, job polls, batch chunks. The gateway runs them as fibers on the
// upstream I/O loops (io::FiberExecutor: waiting holds no thread); tools and
// tests may run them on threads (BlockingExecutor).
#pragma once

#include <functional>

namespace ucgate {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` soon, elsewhere. False when it cannot take it now (at its
  // cap, or shutting down): the caller answers RESOURCE_EXHAUSTED or runs
  // the task itself.
  virtual bool TrySchedule(std::function<void()> task) = 0;
};

}  // namespace ucgate
