#include "service/common/io/event_loop.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace ucgate::io {
namespace {

// epoll_event.data of the wake-up eventfd; watches carry (generation, fd).
constexpr uint64_t kWakeToken = std::numeric_limits<uint64_t>::max();
constexpr int kMaxEventsPerWait = 256;

uint64_t WatchToken(int fd, uint32_t generation) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
}

uint32_t ToEpollEvents(uint32_t events) {
  uint32_t epoll_events = 0;
  if (events & kReadable) epoll_events |= EPOLLIN;
  if (events & kWritable) epoll_events |= EPOLLOUT;
  return epoll_events;
}

uint32_t FromEpollEvents(uint32_t epoll_events) {
  uint32_t ready = 0;
  if (epoll_events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) ready |= kReadable;
  if (epoll_events & EPOLLOUT) ready |= kWritable;
  if (epoll_events & (EPOLLERR | EPOLLHUP)) ready |= kIoError;
  return ready;
}

absl::Status ErrnoStatus(absl::string_view what) {
  return absl::InternalError(
      absl::StrCat("event loop: ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::Start(
    const std::string& name) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return ErrnoStatus("epoll_create1");
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    const absl::Status status = ErrnoStatus("eventfd");
    ::close(epoll_fd);
    return status;
  }
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = kWakeToken;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &wake) != 0) {
    const absl::Status status = ErrnoStatus("epoll_ctl(eventfd)");
    ::close(wake_fd);
    ::close(epoll_fd);
    return status;
  }
  std::unique_ptr<EventLoop> loop(new EventLoop(epoll_fd, wake_fd));
  loop->thread_ = std::thread([raw = loop.get()] { raw->Run(); });
  pthread_setname_np(loop->thread_.native_handle(), name.substr(0, 15).c_str());
  return loop;
}

EventLoop::EventLoop(int epoll_fd, int wake_fd)
    : epoll_fd_(epoll_fd), wake_fd_(wake_fd) {}

EventLoop::~EventLoop() {
  Stop();
  Join();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

bool EventLoop::Post(absl::AnyInvocable<void()> closure) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return false;
    posted_.push_back(std::move(closure));
  }
  // From the loop itself no wake-up is needed: the loop looks before it
  // waits.
  if (InLoopThread()) {
    posted_from_loop_ = true;
  } else {
    Wake();
  }
  return true;
}

void EventLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  Wake();
}

void EventLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void EventLoop::Wake() {
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  const uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

absl::Time EventLoop::Now() const {
  return absl::FromUnixNanos(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

TimerId EventLoop::After(absl::Duration delay,
                         absl::AnyInvocable<void()> fire) {
  const TimerId id = next_timer_id_++;
  const absl::Time due = Now() + std::max(delay, absl::ZeroDuration());
  timers_.emplace(TimerKey{due, id}, std::move(fire));
  timer_deadlines_.emplace(id, due);
  return id;
}

bool EventLoop::Cancel(TimerId id) {
  auto found = timer_deadlines_.find(id);
  if (found == timer_deadlines_.end()) return false;
  timers_.erase(TimerKey{found->second, id});
  timer_deadlines_.erase(found);
  return true;
}

absl::Status EventLoop::Watch(
    int fd, uint32_t events,
    absl::AnyInvocable<void(uint32_t ready)> on_ready) {
  if (fd < 0) return absl::InvalidArgumentError("event loop: negative fd");
  WatchState state;
  state.generation = next_generation_++;
  state.events = events;
  state.on_ready =
      std::make_shared<absl::AnyInvocable<void(uint32_t)>>(std::move(on_ready));
  epoll_event event{};
  event.events = ToEpollEvents(events);
  event.data.u64 = WatchToken(fd, state.generation);
  const bool known = watches_.count(fd) > 0;
  int result =
      ::epoll_ctl(epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
  // A descriptor closed and reopened under the same number behind our back
  // (the kernel dropped the old registration), or one registered and never
  // recorded: try the other operation.
  if (result != 0 && known && errno == ENOENT) {
    result = ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  } else if (result != 0 && !known && errno == EEXIST) {
    result = ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
  }
  if (result != 0) {
    const absl::Status status = ErrnoStatus("epoll_ctl");
    watches_.erase(fd);
    return status;
  }
  watches_[fd] = std::move(state);
  return absl::OkStatus();
}

absl::Status EventLoop::SetEvents(int fd, uint32_t events) {
  auto found = watches_.find(fd);
  if (found == watches_.end()) {
    return absl::NotFoundError("event loop: the descriptor is not watched");
  }
  if (found->second.events == events) return absl::OkStatus();
  epoll_event event{};
  event.events = ToEpollEvents(events);
  event.data.u64 = WatchToken(fd, found->second.generation);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) != 0) {
    return ErrnoStatus("epoll_ctl");
  }
  found->second.events = events;
  return absl::OkStatus();
}

void EventLoop::Unwatch(int fd) {
  auto found = watches_.find(fd);
  if (found == watches_.end()) return;
  // Fails only when the descriptor is already closed, which unregistered it.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(found);
}

bool EventLoop::RunPosted(bool* stopping) {
  {
    absl::MutexLock lock(&mu_);
    if (posted_.empty() && stopping_) {
      closed_ = true;
      return false;
    }
    running_.swap(posted_);
    *stopping = stopping_;
  }
  posted_from_loop_ = false;
  for (absl::AnyInvocable<void()>& closure : running_) {
    std::move(closure)();
    closure = nullptr;  // What it captured goes now, in order.
  }
  running_.clear();
  return true;
}

void EventLoop::RunDueTimers() {
  const absl::Time now = Now();
  // Timers set by these callbacks are due after `now`: they wait for the
  // next pass, so a timer re-arming itself at zero delay cannot starve I/O.
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto first = timers_.begin();
    absl::AnyInvocable<void()> fire = std::move(first->second);
    timer_deadlines_.erase(first->first.second);
    timers_.erase(first);
    std::move(fire)();
  }
}

int EventLoop::WaitMillis() const {
  if (posted_from_loop_) return 0;
  if (timers_.empty()) return -1;
  const absl::Duration left = timers_.begin()->first.first - Now();
  if (left <= absl::ZeroDuration()) return 0;
  const int64_t millis =
      absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1)));
  return static_cast<int>(
      std::min<int64_t>(millis, std::numeric_limits<int>::max()));
}

void EventLoop::Dispatch(const epoll_event& event) {
  if (event.data.u64 == kWakeToken) {
    // Drained before the flag drops: a Post that saw the flag set had queued
    // its closure already (the next RunPosted takes it), and a Post after the
    // drop writes again. The other order could swallow a later write.
    uint64_t count = 0;
    [[maybe_unused]] const ssize_t got = ::read(wake_fd_, &count, sizeof count);
    wake_pending_.store(false, std::memory_order_release);
    return;
  }
  const int fd = static_cast<int>(event.data.u64 & 0xffffffffu);
  const uint32_t generation = static_cast<uint32_t>(event.data.u64 >> 32);
  auto found = watches_.find(fd);
  // Unwatched or re-watched by an earlier callback of this batch.
  if (found == watches_.end() || found->second.generation != generation) {
    return;
  }
  // Held here: the callback may replace or drop its own watch.
  const std::shared_ptr<absl::AnyInvocable<void(uint32_t)>> on_ready =
      found->second.on_ready;
  (*on_ready)(FromEpollEvents(event.events));
}

void EventLoop::Run() {
  epoll_event events[kMaxEventsPerWait];
  for (;;) {
    bool stopping = false;
    if (!RunPosted(&stopping)) break;
    if (stopping) continue;  // Only what was posted runs from now on.
    RunDueTimers();
    const int ready =
        ::epoll_wait(epoll_fd_, events, kMaxEventsPerWait, WaitMillis());
    for (int i = 0; i < ready; ++i) Dispatch(events[i]);
  }
  // Destroyed here, on the loop thread, like everything they captured.
  timers_.clear();
  timer_deadlines_.clear();
  for (auto& [fd, watch] : watches_) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  }
  watches_.clear();
}

}  // namespace ucgate::io
