// Timers behind an interface, so that job polling is testable without sleeps:
// the gateway runs a LoopScheduler (an upstream I/O loop's timers), tests a
// ManualScheduler they advance by hand. Tasks must be short (hand upstream work
// to the Executor): one slow task delays every other timer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/io/timers.h"

namespace ucgate::gateway {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `task` once, `delay` from now (at once for a delay <= 0), on the
  // scheduler's thread. Dropped when the scheduler shuts down first.
  virtual void RunAfter(absl::Duration delay, std::function<void()> task) = 0;
};

// One thread running tasks in due order.
class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  // Shutdown(), then joins the thread. May run on the scheduler's own
  // thread (a task held its last owner): the thread is detached instead and
  // leaves as soon as that task returns.
  ~ThreadScheduler() override;

  void RunAfter(absl::Duration delay, std::function<void()> task) override;
  // Drops the tasks not yet run; later RunAfter calls are ignored.
  void Shutdown();

 private:
  // Shared with the thread, so that it outlives a detached one.
  struct State {
    absl::Mutex mutex;
    absl::CondVar changed;
    // Keyed by (due time, sequence): FIFO among tasks due at the same time.
    std::map<std::pair<absl::Time, uint64_t>, std::function<void()>> tasks
        ABSL_GUARDED_BY(mutex);
    uint64_t sequence ABSL_GUARDED_BY(mutex) = 0;
    bool stopping ABSL_GUARDED_BY(mutex) = false;
  };

  static void Loop(State& state);

  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::thread thread_;
};

// Timers of an event loop (an upstream I/O loop, where the job polls they
// start run as fibers): no thread of its own. Tasks not yet due when the
// loop stops are dropped, as ThreadScheduler drops them on Shutdown.
class LoopScheduler final : public Scheduler {
 public:
  // `loop` must outlive the scheduler's tasks.
  explicit LoopScheduler(io::LoopHost* loop) : loop_(loop) {}
  void RunAfter(absl::Duration delay, std::function<void()> task) override {
    // The loop's timers are its own thread's: set from there.
    loop_->Post([loop = loop_, delay, task = std::move(task)]() mutable {
      loop->After(delay, std::move(task));
    });
  }

 private:
  io::LoopHost* const loop_;
};

// Time moves only when the test says so; tasks run on the advancing thread.
class ManualScheduler final : public Scheduler {
 public:
  void RunAfter(absl::Duration delay, std::function<void()> task) override;
  // Moves time forward by `by`, running every task due by then in due order
  // (including tasks those tasks schedule within the window).
  void AdvanceBy(absl::Duration by);
  // Runs the tasks due now (delay 0) without moving time.
  void RunDue() { AdvanceBy(absl::ZeroDuration()); }
  int pending() const;
  // Time from now until the next task is due (InfiniteDuration if none).
  absl::Duration NextDelay() const;

 private:
  mutable absl::Mutex mutex_;
  absl::Duration now_ ABSL_GUARDED_BY(mutex_) = absl::ZeroDuration();
  uint64_t sequence_ ABSL_GUARDED_BY(mutex_) = 0;
  std::map<std::pair<absl::Duration, uint64_t>, std::function<void()>> tasks_
      ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::gateway
