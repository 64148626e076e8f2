#include "service/upstream/stack/retrying.h"

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/common/io/fiber.h"

namespace ucgate::upstream {

Sleeper RealSleeper() {
  return [](absl::Duration delay, const Cancellation* cancellation) {
    if (cancellation != nullptr) {
      cancellation->WaitFor(delay);
    } else {
      io::SleepFor(delay);
    }
  };
}

RandomSource RealRandomSource() {
  struct Shared {
    absl::Mutex mutex;
    absl::BitGen generator ABSL_GUARDED_BY(mutex);
  };
  auto shared = std::make_shared<Shared>();
  return [shared] {
    absl::MutexLock lock(&shared->mutex);
    return absl::Uniform<double>(shared->generator, 0.0, 1.0);
  };
}

}  // namespace ucgate::upstream
