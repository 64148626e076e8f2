// Injected time, so that signing, timeouts and job polling are testable
// without sleeps.
#pragma once

#include <memory>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ucgate {

// Tells the time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A clock the caller moves by hand (tests, and the emulator's job timeline).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time now) { now_ = now; }
  void Advance(absl::Duration by) { now_ += by; }

 private:
  absl::Time now_;
};

inline std::shared_ptr<const Clock> MakeSystemClock() {
  return std::make_shared<SystemClock>();
}

}  // namespace ucgate
