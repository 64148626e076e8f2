// Bounded wait for a condition another thread makes true, for the few tests
// that observe a real gRPC server or emulator from outside (everything that
// can take an injected clock or scheduler uses that instead).
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ucgate::testing {

template <typename Condition>
bool Eventually(Condition condition,
                absl::Duration give_up_after = absl::Seconds(10)) {
  const absl::Time give_up = absl::Now() + give_up_after;
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

}  // namespace ucgate::testing
