// One-shot, cancellable timers behind an interface, so that whatever waits
// on time (curl's timeouts, retry backoff, job polls) runs on an event loop's
// timers in production and on a hand-moved fake in tests (no sleeps).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

namespace ucgate::io {

using TimerId = uint64_t;

class Timers {
 public:
  virtual ~Timers() = default;

  // Runs `fire` once, `delay` from now (at once-ish when not positive), on
  // the owner's thread. Ids are never 0 and never reused.
  virtual TimerId After(absl::Duration delay,
                        absl::AnyInvocable<void()> fire) = 0;
  // True when the timer was pending: it will never run and `fire` is
  // destroyed. False when it already ran, is running, or never existed.
  virtual bool Cancel(TimerId id) = 0;
  // The clock the delays count on (monotonic for the event loop).
  virtual absl::Time Now() const = 0;
};

// A thread that runs posted closures one at a time, in order, and has
// timers: where fibers live (fiber.h). EventLoop is one; tests use
// ManualLoop.
class LoopHost : public Timers {
 public:
  // Queues `closure` to run on the host's thread after whatever runs now.
  // False (closure dropped) once the host has closed. Any thread.
  virtual bool Post(absl::AnyInvocable<void()> closure) = 0;
};

// Timers a test moves by hand: nothing fires until Advance() says time has
// passed. Single-threaded, like the loop thread it stands in for.
class ManualTimers final : public Timers {
 public:
  explicit ManualTimers(absl::Time start = absl::UnixEpoch()) : now_(start) {}

  TimerId After(absl::Duration delay,
                absl::AnyInvocable<void()> fire) override {
    const TimerId id = next_id_++;
    const absl::Time due = now_ + std::max(delay, absl::ZeroDuration());
    pending_.emplace(Key{due, id}, std::move(fire));
    return id;
  }

  bool Cancel(TimerId id) override {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->first.second == id) {
        pending_.erase(it);
        return true;
      }
    }
    return false;
  }

  absl::Time Now() const override { return now_; }

  // Moves the clock forward, firing every timer that falls due on the way in
  // deadline order (ties in the order they were set), each seeing Now() at
  // its own deadline. Timers set by a firing timer fire too if they fall due
  // within the advance. Returns how many fired.
  int Advance(absl::Duration by) {
    const absl::Time until = now_ + by;
    int fired = 0;
    while (!pending_.empty() && pending_.begin()->first.first <= until) {
      auto first = pending_.begin();
      now_ = std::max(now_, first->first.first);
      absl::AnyInvocable<void()> fire = std::move(first->second);
      pending_.erase(first);
      std::move(fire)();
      ++fired;
    }
    now_ = until;
    return fired;
  }

  size_t pending() const { return pending_.size(); }
  // When the earliest pending timer is due (InfiniteFuture when none is).
  absl::Time NextDue() const {
    return pending_.empty() ? absl::InfiniteFuture()
                            : pending_.begin()->first.first;
  }

 private:
  using Key = std::pair<absl::Time, TimerId>;
  absl::Time now_;
  TimerId next_id_ = 1;
  std::map<Key, absl::AnyInvocable<void()>> pending_;
};

}  // namespace ucgate::io
