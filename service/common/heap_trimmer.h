// Gives freed heap memory back to the system after a burst (1,000 streams
// holding pages, say): glibc keeps what it freed in its arenas, so without
// it a gateway that once held 3 GiB for a minute keeps 3 GiB. malloc_trim
// walks every arena and may take milliseconds, so it runs on a thread of
// its own, never on an I/O loop or a gRPC thread.
#pragma once

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace ucgate {

class HeapTrimmer {
 public:
  HeapTrimmer();
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;
  ~HeapTrimmer();

  // Asks for a trim soon. Never blocks; requests made while one runs
  // collapse into the next.
  void Request();

  // Trims done so far, and a wait for `count` of them (tests).
  int64_t trims() const;
  void AwaitTrims(int64_t count) const;

 private:
  void Run();

  mutable absl::Mutex mutex_;
  bool requested_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t trims_ ABSL_GUARDED_BY(mutex_) = 0;
  std::thread thread_;
};

}  // namespace ucgate
