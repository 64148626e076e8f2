#include "service/common/heap_trimmer.h"

#include <malloc.h>

#include <utility>

namespace ucgate {

HeapTrimmer::HeapTrimmer() : thread_([this] { Run(); }) {}

HeapTrimmer::~HeapTrimmer() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  thread_.join();
}

void HeapTrimmer::Request() {
  absl::MutexLock lock(&mutex_);
  requested_ = true;
}

int64_t HeapTrimmer::trims() const {
  absl::MutexLock lock(&mutex_);
  return trims_;
}

void HeapTrimmer::AwaitTrims(int64_t count) const {
  using Wanted = std::pair<const HeapTrimmer*, int64_t>;
  Wanted wanted(this, count);
  absl::MutexLock lock(&mutex_);
  mutex_.Await(absl::Condition(
      +[](Wanted* wanted) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return wanted->first->trims_ >= wanted->second;
      },
      &wanted));
}

void HeapTrimmer::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mutex_);
      mutex_.Await(absl::Condition(
          +[](HeapTrimmer* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return self->requested_ || self->stopping_;
          },
          this));
      if (stopping_) return;
      requested_ = false;
    }
    malloc_trim(0);
    absl::MutexLock lock(&mutex_);
    ++trims_;
  }
}

}  // namespace ucgate
