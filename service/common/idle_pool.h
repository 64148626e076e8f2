// A bounded pool of idle objects kept for reuse.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace ucgate {

// Keeps at most `max_idle` idle objects (parsers, answer buffers, curl
// handles) so that what they hold stays warm, without growing with the number
// of threads that ever used one. The most recently returned object is taken
// first: its buffers are the likeliest to be in cache, its connection to
// still be open. Thread-safe.
template <typename T>
class IdlePool {
 public:
  explicit IdlePool(std::size_t max_idle) : max_idle_(max_idle) {}

  // The most recently returned idle object for which `fits` holds, if any.
  template <typename Fits>
  std::optional<T> TakeIf(Fits fits) {
    absl::MutexLock lock(&mutex_);
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
      if (fits(static_cast<const T&>(*it))) {
        std::optional<T> taken(std::move(*it));
        idle_.erase(std::next(it).base());
        return taken;
      }
    }
    return std::nullopt;
  }

  std::optional<T> Take() {
    return TakeIf([](const T&) { return true; });
  }

  // Keeps `object` if there is room. Otherwise hands it back, so that it is
  // destroyed outside the pool's lock (closing a connection may do I/O).
  std::optional<T> Give(T object) {
    absl::MutexLock lock(&mutex_);
    if (idle_.size() >= max_idle_) return std::optional<T>(std::move(object));
    idle_.push_back(std::move(object));
    return std::nullopt;
  }

 private:
  const std::size_t max_idle_;
  absl::Mutex mutex_;
  std::vector<T> idle_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate
