// The bytes that listing streams hold in upstream pages, all streams
// together, bounded by streams.memory_budget_bytes. A stream reserves a page
// before fetching it (an estimate that covers the answer's body and its
// mapping), trues the reservation up to the page's real size once mapped,
// and gives it back as its caller drains the page. A stream whose first page
// does not fit is refused (RESOURCE_EXHAUSTED with RetryInfo); a later page
// waits, suspended, for the memory other streams give back.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/cancellation.h"
#include "service/common/io/fiber.h"

namespace ucgate::gateway {

class StreamMemoryBudget
    : public std::enable_shared_from_this<StreamMemoryBudget> {
 public:
  // Bytes held now and the budget, for the ucgate_stream_memory_* gauges.
  struct Stats {
    int64_t held_bytes = 0;
    int64_t budget_bytes = 0;
    int64_t refused = 0;
    // The most ever held at once.
    int64_t peak_bytes = 0;
  };

  // Bytes reserved from the budget; given back when destroyed. Movable.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept { *this = std::move(other); }
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { Release(); }

    int64_t bytes() const { return bytes_; }
    // Becomes `bytes`, whether or not it fits: what a page really holds
    // once mapped (an estimate was reserved before it was fetched).
    void Resize(int64_t bytes);
    void Release() { Resize(0); }

   private:
    friend class StreamMemoryBudget;
    Reservation(std::shared_ptr<StreamMemoryBudget> budget, int64_t bytes)
        : budget_(std::move(budget)), bytes_(bytes) {}
    std::shared_ptr<StreamMemoryBudget> budget_;
    int64_t bytes_ = 0;
  };

  // `budget_bytes` 0: unbounded (still counted). `on_burst_over` runs, on
  // the releasing thread and must not block, when the bytes held fall back
  // near zero after a burst (the gateway returns freed memory to the
  // system then).
  static std::shared_ptr<StreamMemoryBudget> Create(
      int64_t budget_bytes, std::function<void()> on_burst_over = nullptr);

  // Reserves `bytes` if they fit now with `keep_free` bytes of the budget
  // still free; nullopt when they do not.
  std::optional<Reservation> TryReserve(int64_t bytes, int64_t keep_free = 0);
  // Waits until `bytes` fit, `until` passes or `cancellation` (may be null)
  // fires; in a fiber the wait holds no thread. More than the whole budget
  // waits for all of it. A wait that times out counts as a refusal.
  std::optional<Reservation> Reserve(int64_t bytes, absl::Time until,
                                     const Cancellation* cancellation);

  // A stream refused for want of memory (ucgate_stream_memory_refusals_total).
  void RecordRefusal();

  Stats stats() const;
  int64_t budget_bytes() const { return budget_bytes_; }

  // A burst ends (on_burst_over) once the bytes held, having reached
  // this much, fall below a sixteenth of it.
  static constexpr int64_t kBurstBytes = 32 << 20;

 private:
  StreamMemoryBudget(int64_t budget_bytes, std::function<void()> on_burst_over)
      : budget_bytes_(budget_bytes), on_burst_over_(std::move(on_burst_over)) {}
  bool FitsLocked(int64_t bytes, int64_t keep_free = 0) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void Adjust(int64_t delta);
  void NoteHeldLocked(int64_t delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const int64_t budget_bytes_;
  const std::function<void()> on_burst_over_;
  mutable absl::Mutex mutex_;
  io::CondVar released_;
  int64_t held_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t burst_peak_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t peak_ ABSL_GUARDED_BY(mutex_) = 0;
  std::atomic<int64_t> refused_{0};
};

// The refusal of a stream, or of a page that waited too long, for want of
// stream memory: RESOURCE_EXHAUSTED with RetryInfo (STREAM_MEMORY_EXHAUSTED).
absl::Status StreamMemoryExhaustedError(absl::string_view what);

}  // namespace ucgate::gateway
