#include "service/gateway/stream_memory_budget.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/status.h"

namespace ucgate::gateway {

StreamMemoryBudget::Reservation& StreamMemoryBudget::Reservation::operator=(
    Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    budget_ = std::move(other.budget_);
    bytes_ = other.bytes_;
    other.bytes_ = 0;
  }
  return *this;
}

void StreamMemoryBudget::Reservation::Resize(int64_t bytes) {
  if (budget_ == nullptr || bytes == bytes_) return;
  const int64_t delta = bytes - bytes_;
  bytes_ = bytes;
  budget_->Adjust(delta);
}

std::shared_ptr<StreamMemoryBudget> StreamMemoryBudget::Create(
    int64_t budget_bytes, std::function<void()> on_burst_over) {
  return std::shared_ptr<StreamMemoryBudget>(
      new StreamMemoryBudget(budget_bytes, std::move(on_burst_over)));
}

bool StreamMemoryBudget::FitsLocked(int64_t bytes, int64_t keep_free) const {
  return budget_bytes_ <= 0 || held_ + bytes + keep_free <= budget_bytes_;
}

std::optional<StreamMemoryBudget::Reservation> StreamMemoryBudget::TryReserve(
    int64_t bytes, int64_t keep_free) {
  {
    absl::MutexLock lock(&mutex_);
    if (!FitsLocked(bytes, keep_free)) return std::nullopt;
    NoteHeldLocked(bytes);
  }
  return Reservation(shared_from_this(), bytes);
}

std::optional<StreamMemoryBudget::Reservation> StreamMemoryBudget::Reserve(
    int64_t bytes, absl::Time until, const Cancellation* cancellation) {
  // More than the whole budget would never fit: it waits for all of it.
  if (budget_bytes_ > 0) bytes = std::min(bytes, budget_bytes_);
  Cancellation::Subscription woken_on_cancel;
  if (cancellation != nullptr) {
    woken_on_cancel = cancellation->Subscribe([this] {
      // Taken and dropped so that the signal cannot fall between a
      // waiter's check and its wait.
      { absl::MutexLock lock(&mutex_); }
      released_.SignalAll();
    });
  }
  {
    absl::MutexLock lock(&mutex_);
    while (!FitsLocked(bytes)) {
      if ((cancellation != nullptr && cancellation->IsCancelled()) ||
          released_.WaitWithDeadline(&mutex_, until)) {
        if (FitsLocked(bytes)) break;
        if (cancellation == nullptr || !cancellation->IsCancelled()) {
          refused_.fetch_add(1, std::memory_order_relaxed);
        }
        return std::nullopt;
      }
    }
    NoteHeldLocked(bytes);
  }
  return Reservation(shared_from_this(), bytes);
}

void StreamMemoryBudget::NoteHeldLocked(int64_t delta) {
  held_ += delta;
  burst_peak_ = std::max(burst_peak_, held_);
  peak_ = std::max(peak_, held_);
}

void StreamMemoryBudget::Adjust(int64_t delta) {
  bool burst_over = false;
  {
    absl::MutexLock lock(&mutex_);
    NoteHeldLocked(delta);
    if (burst_peak_ >= kBurstBytes && held_ < burst_peak_ / 16) {
      burst_peak_ = held_;
      burst_over = true;
    }
  }
  if (delta < 0) released_.SignalAll();
  if (burst_over && on_burst_over_) on_burst_over_();
}

void StreamMemoryBudget::RecordRefusal() {
  refused_.fetch_add(1, std::memory_order_relaxed);
}

StreamMemoryBudget::Stats StreamMemoryBudget::stats() const {
  absl::MutexLock lock(&mutex_);
  return {held_, budget_bytes_, refused_.load(std::memory_order_relaxed),
          peak_};
}

absl::Status StreamMemoryExhaustedError(absl::string_view what) {
  return WithRetryAfter(
      WithErrorInfo(absl::ResourceExhaustedError(absl::StrCat(
                        "gateway: ", what,
                        ": the memory for streams is in use "
                        "(streams.memory_budget_bytes); retry later")),
                    "STREAM_MEMORY_EXHAUSTED"),
      absl::Seconds(1));
}

}  // namespace ucgate::gateway
