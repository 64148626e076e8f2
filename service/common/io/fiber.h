// Fibers: calls that wait without holding a thread.
//
// A gateway call runs as a fiber, a function with its own small stack, on an
// event loop's thread (its home). Where the call waits (an upstream exchange,
// a retry backoff, another caller's cache fetch, a batch's chunks), the fiber
// suspends: its stack is kept, the loop thread goes on with other fibers and
// I/O, and whatever ends the wait (a transfer's completion, a timer, a
// signal) posts the fiber back to its home loop, where it continues. So
// thousands of calls can wait on two loop threads, and the code of each
// layer stays straight-line (one return per call) instead of being cut into
// callbacks.
//
// The waiting primitives below (CondVar, SleepFor) work on any thread: in a
// fiber they suspend it, elsewhere they block the thread as absl's do, so
// the same layers serve the gateway (fibers), tools and tests (threads).
//
// Rules for code that runs in fibers: never hold an absl::Mutex across a
// wait (CondVar::Wait releases its own); block the thread only briefly
// (short critical sections, logging); wait only through these primitives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/io/timers.h"

namespace ucgate::io {

class Fiber {
 public:
  // Stacks are reserved at this size with a guard page below them; only the
  // pages a fiber touches cost memory.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Instrumented frames are several times larger.
  static constexpr std::size_t kDefaultStackBytes = 1024 * 1024;
#else
  static constexpr std::size_t kDefaultStackBytes = 256 * 1024;
#endif

  // Runs `body` as a new fiber whose home is `home`: it first runs from a
  // closure posted there. False (body dropped unrun) when `home` has closed.
  static bool Spawn(LoopHost* home, absl::AnyInvocable<void()> body,
                    std::size_t stack_bytes = kDefaultStackBytes);

  // The fiber running on this thread, or null outside fibers.
  static Fiber* Current();

  // Fibers alive now (spawned and not yet ended), across all homes.
  static std::size_t alive();

  // Suspends this fiber (must be Current()) until Resume() is called. The
  // thread goes back to its loop.
  void Suspend();
  // Makes a suspended fiber continue on its home thread. Call it once per
  // Suspend, from any thread, even before that Suspend (a resume posted
  // while the fiber still runs reaches it only once it has suspended:
  // the home runs one closure at a time).
  void Resume();

  LoopHost& home() const { return *home_; }

  // Internal: the stack and switching state (fiber.cc).
  struct Context;

 private:
  Fiber(LoopHost* home, absl::AnyInvocable<void()> body,
        std::size_t stack_bytes);
  ~Fiber();
  // Gives the fiber its stack (on the home thread, at its first run).
  void Prepare();
  // Runs the fiber until it suspends or ends (on the home thread); frees it
  // once it has ended.
  void SwitchIn();
  // Where a new fiber's stack starts: `self`, or null where the switch
  // cannot pass it (it is in a thread_local then).
  static void Main(Fiber* self);

  LoopHost* const home_;
  absl::AnyInvocable<void()> body_;
  std::unique_ptr<Context> context_;
  bool ended_ = false;
};

// A condition variable for fibers and threads alike: Wait suspends a fiber
// (or blocks a thread) until Signal/SignalAll or the deadline. Like any
// condition variable it can wake without a signal: re-check the condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // `mutex` must be held; it is released while waiting and held again on
  // return. True when the deadline passed (a timeout), false when woken.
  bool WaitWithDeadline(absl::Mutex* mutex, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex);
  void Wait(absl::Mutex* mutex) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    WaitWithDeadline(mutex, absl::InfiniteFuture());
  }
  // Wakes every waiter (fibers and threads). Any thread, mutex held or not.
  void SignalAll();

 private:
  struct FiberWaiter;

  absl::CondVar thread_waiters_;
  absl::Mutex fibers_mutex_;
  FiberWaiter* fibers_ ABSL_GUARDED_BY(fibers_mutex_) = nullptr;
};

// Sleeps `delay` (on the home loop's timers in a fiber; the thread
// otherwise).
void SleepFor(absl::Duration delay);

// A host for tests: closures and timers run only when the test says so, on
// the test's thread, so fiber interleavings are deterministic.
class ManualLoop final : public LoopHost {
 public:
  bool Post(absl::AnyInvocable<void()> closure) override;
  TimerId After(absl::Duration delay,
                absl::AnyInvocable<void()> fire) override {
    return timers_.After(delay, std::move(fire));
  }
  bool Cancel(TimerId id) override { return timers_.Cancel(id); }
  absl::Time Now() const override { return timers_.Now(); }

  // Runs posted closures (and those they post) until none is left; returns
  // how many ran.
  int RunPosted();
  // Moves time, firing due timers, running posted closures after each.
  void Advance(absl::Duration by);
  std::size_t pending_timers() const { return timers_.pending(); }

 private:
  absl::Mutex mutex_;
  std::vector<absl::AnyInvocable<void()>> posted_ ABSL_GUARDED_BY(mutex_);
  ManualTimers timers_;
};

}  // namespace ucgate::io
