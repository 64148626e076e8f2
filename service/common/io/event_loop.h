// An event loop on one thread: closures posted from any thread, one-shot
// timers and file-descriptor watches, over raw epoll (plus an eventfd for
// wake-ups). What waits for I/O or time waits here instead of on a thread of
// its own; the upstream transport (libcurl's multi-socket interface) is its
// first user.
//
// Why raw epoll rather than libevent: the loop needs exactly three things
// (posted closures, timers, fd readiness) and libcurl's socket interface
// maps onto epoll one to one; ~300 lines keep the whole contract (ordering,
// draining stop, watches removed mid-batch) in view and add no dependency.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/common/io/timers.h"

namespace ucgate::io {

// Readiness a watch asks for and is told about (bit set).
enum IoEvents : uint32_t {
  kReadable = 1u << 0,
  kWritable = 1u << 1,
  // Only reported: an error or hang-up on the descriptor.
  kIoError = 1u << 2,
};

class EventLoop final : public LoopHost {
 public:
  // Starts the loop's thread (named `name` for debuggers and top, at most 15
  // characters). Errors when the kernel refuses epoll or eventfd.
  static absl::StatusOr<std::unique_ptr<EventLoop>> Start(
      const std::string& name);

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  // Stops (see Stop) and joins the thread. Must not run on the loop thread.
  ~EventLoop() override;

  // Queues `closure` to run on the loop thread; closures run in the order
  // they were posted (per posting thread). From the loop thread itself it
  // runs after the current callback, before the loop next waits. False, with
  // `closure` destroyed unrun on this thread, once the loop has closed (see
  // Stop). Any thread.
  bool Post(absl::AnyInvocable<void()> closure) override;

  // Asks the loop to stop: it runs every closure already posted, and any
  // those post in turn, then closes (later Posts return false) and its thread
  // ends. Pending timers are destroyed unrun; watches are dropped (the
  // descriptors stay open: they belong to whoever watched them). Any thread;
  // idempotent. Wait for the end with Join().
  void Stop();
  // Waits until the loop's thread has ended. Not on the loop thread.
  void Join();

  bool InLoopThread() const {
    return std::this_thread::get_id() == thread_.get_id();
  }

  // Timers (loop thread only). Deadlines are on a monotonic clock; a timer
  // never fires early, and at most about a millisecond late on an idle loop
  // (epoll_wait counts in milliseconds). Timers due at the same moment fire
  // in the order they were set.
  TimerId After(absl::Duration delay, absl::AnyInvocable<void()> fire) override;
  bool Cancel(TimerId id) override;
  absl::Time Now() const override;

  // Watches `fd` for `events` (kReadable | kWritable), replacing any earlier
  // watch of it; `on_ready` gets the events that are ready (kIoError
  // included). Level-triggered. Loop thread only. Once unwatched (or
  // replaced), a callback never runs again, even for readiness the loop had
  // already collected in the same batch.
  absl::Status Watch(int fd, uint32_t events,
                     absl::AnyInvocable<void(uint32_t ready)> on_ready);
  // Changes the events a watched `fd` waits for, keeping its callback (no
  // allocation: what a busy socket does at every turn). Loop thread only.
  absl::Status SetEvents(int fd, uint32_t events);
  // Stops watching `fd` (nothing when it was not watched). Call it before
  // closing the descriptor. Loop thread only.
  void Unwatch(int fd);

  // For tests and metrics (loop thread only).
  size_t pending_timers() const { return timers_.size(); }
  size_t watched_fds() const { return watches_.size(); }

 private:
  EventLoop(int epoll_fd, int wake_fd);

  void Run();
  // Runs what was posted; false (and closed) once stopping with nothing left.
  // `*stopping` tells whether Stop() was called.
  bool RunPosted(bool* stopping);
  void Dispatch(const epoll_event& event);
  void RunDueTimers();
  // epoll_wait's timeout: until the next timer, -1 without one.
  int WaitMillis() const;
  void Wake();

  struct WatchState {
    uint32_t generation = 0;
    uint32_t events = 0;
    // Shared so that a callback that re-watches or unwatches its own
    // descriptor does not destroy itself while it runs.
    std::shared_ptr<absl::AnyInvocable<void(uint32_t)>> on_ready;
  };

  const int epoll_fd_;
  const int wake_fd_;
  std::thread thread_;

  absl::Mutex mu_;
  std::vector<absl::AnyInvocable<void()>> posted_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Set while a wake-up is on its way, so a burst of Posts writes the eventfd
  // once.
  std::atomic<bool> wake_pending_{false};

  // Loop-thread state.
  using TimerKey = std::pair<absl::Time, TimerId>;
  std::map<TimerKey, absl::AnyInvocable<void()>> timers_;
  std::unordered_map<TimerId, absl::Time> timer_deadlines_;
  TimerId next_timer_id_ = 1;
  std::vector<absl::AnyInvocable<void()>> running_;
  // Something was posted from the loop thread since RunPosted last looked.
  bool posted_from_loop_ = false;
  std::unordered_map<int, WatchState> watches_;
  uint32_t next_generation_ = 1;
};

}  // namespace ucgate::io
