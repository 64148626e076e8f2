// Linked into every test of a ThreadSanitizer tree (UCGATE_SANITIZE=thread).
// Also absl::Status's reference count, dropped inside the library: TSan
// would report the free of a shared error as racing with its readers.
// Debian's abseil is built without TSan's annotations, so TSan cannot see
// absl::Mutex, absl::CondVar or absl::Notification order anything, and
// reports every field they guard as a race (two threads incrementing a
// counter under one absl::Mutex are enough). These definitions stand in for
// the library's entry points (they win at link time over the shared
// library's), call the real ones found with dlsym, and tell TSan the
// acquire/release each one performs.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

template <typename Function>
Function Real(const char* mangled_name) {
  void* real = dlsym(RTLD_NEXT, mangled_name);
  if (real == nullptr) std::abort();  // another abseil: update the names
  return reinterpret_cast<Function>(real);
}

void Acquired(const void* sync) { __tsan_acquire(const_cast<void*>(sync)); }
void Releasing(const void* sync) { __tsan_release(const_cast<void*>(sync)); }

// abseil evaluates a Condition with the mutex held, on whichever thread
// holds it then: each evaluation is a small critical section of its own.
struct GuardedCondition {
  const absl::Condition* condition;
  const absl::Mutex* mutex;
  static bool Eval(GuardedCondition* guarded) {
    Acquired(guarded->mutex);
    const bool met = guarded->condition->Eval();
    Releasing(guarded->mutex);
    return met;
  }
  absl::Condition Wrapped() { return absl::Condition(&Eval, this); }
};

}  // namespace

// abseil's deadlock detector keeps its lock graph under an internal
// SpinLock that TSan cannot see either: off in this tree (the ASan tree
// keeps it on).
const bool deadlock_detection_off = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

// Each entry point: the real function (looked up once) and what it does.
#define UCGATE_REAL(type, name) static const auto real = Real<type>(name)

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  UCGATE_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  Acquired(this);
}
void Mutex::ReaderLock() {
  UCGATE_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  Acquired(this);
}
bool Mutex::TryLock() {
  UCGATE_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquired(this);
  return locked;
}
bool Mutex::ReaderTryLock() {
  UCGATE_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) Acquired(this);
  return locked;
}
void Mutex::Unlock() {
  UCGATE_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  Releasing(this);
  real(this);
}
void Mutex::ReaderUnlock() {
  UCGATE_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  Releasing(this);
  real(this);
}
void Mutex::LockWhen(const Condition& condition) {
  UCGATE_REAL(void (*)(Mutex*, const Condition&),
              "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  GuardedCondition guarded{&condition, this};
  real(this, guarded.Wrapped());
  Acquired(this);
}
void Mutex::ReaderLockWhen(const Condition& condition) {
  UCGATE_REAL(void (*)(Mutex*, const Condition&),
              "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  GuardedCondition guarded{&condition, this};
  real(this, guarded.Wrapped());
  Acquired(this);
}
bool Mutex::LockWhenWithTimeout(const Condition& condition, Duration timeout) {
  UCGATE_REAL(
      bool (*)(Mutex*, const Condition&, Duration),
      "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_"
      "8DurationE");
  GuardedCondition guarded{&condition, this};
  const bool met = real(this, guarded.Wrapped(), timeout);
  Acquired(this);  // held either way
  return met;
}
bool Mutex::LockWhenWithDeadline(const Condition& condition, Time deadline) {
  UCGATE_REAL(
      bool (*)(Mutex*, const Condition&, Time),
      "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_"
      "4TimeE");
  GuardedCondition guarded{&condition, this};
  const bool met = real(this, guarded.Wrapped(), deadline);
  Acquired(this);
  return met;
}
// Await releases the mutex while it waits and holds it again on return.
void Mutex::Await(const Condition& condition) {
  UCGATE_REAL(void (*)(Mutex*, const Condition&),
              "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  GuardedCondition guarded{&condition, this};
  Releasing(this);
  real(this, guarded.Wrapped());
  Acquired(this);
}
bool Mutex::AwaitWithTimeout(const Condition& condition, Duration timeout) {
  UCGATE_REAL(bool (*)(Mutex*, const Condition&, Duration),
              "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_"
              "8DurationE");
  GuardedCondition guarded{&condition, this};
  Releasing(this);
  const bool met = real(this, guarded.Wrapped(), timeout);
  Acquired(this);
  return met;
}
bool Mutex::AwaitWithDeadline(const Condition& condition, Time deadline) {
  UCGATE_REAL(bool (*)(Mutex*, const Condition&, Time),
              "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_"
              "4TimeE");
  GuardedCondition guarded{&condition, this};
  Releasing(this);
  const bool met = real(this, guarded.Wrapped(), deadline);
  Acquired(this);
  return met;
}

void CondVar::Wait(Mutex* mutex) {
  UCGATE_REAL(void (*)(CondVar*, Mutex*),
              "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  Releasing(mutex);
  real(this, mutex);
  Acquired(mutex);
}
bool CondVar::WaitWithTimeout(Mutex* mutex, Duration timeout) {
  UCGATE_REAL(bool (*)(CondVar*, Mutex*, Duration),
              "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_"
              "8DurationE");
  Releasing(mutex);
  const bool timed_out = real(this, mutex, timeout);
  Acquired(mutex);
  return timed_out;
}
bool CondVar::WaitWithDeadline(Mutex* mutex, Time deadline) {
  UCGATE_REAL(bool (*)(CondVar*, Mutex*, Time),
              "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_"
              "4TimeE");
  Releasing(mutex);
  const bool timed_out = real(this, mutex, deadline);
  Acquired(mutex);
  return timed_out;
}

void Notification::Notify() {
  UCGATE_REAL(void (*)(Notification*),
              "_ZN4absl7debian312Notification6NotifyEv");
  Releasing(this);
  real(this);
}
void Notification::WaitForNotification() const {
  UCGATE_REAL(void (*)(const Notification*),
              "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  Acquired(this);
}
bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  UCGATE_REAL(bool (*)(const Notification*, Duration),
              "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeout"
              "ENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) Acquired(this);
  return notified;
}
bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  UCGATE_REAL(bool (*)(const Notification*, Time),
              "_ZNK4absl7debian312Notification31WaitForNotificationWith"
              "DeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) Acquired(this);
  return notified;
}

// Every release of a reference is ordered after the ones before it, so the
// last one, which frees the error, comes after every reader's.
void Status::UnrefNonInlined(uintptr_t rep) {
  UCGATE_REAL(void (*)(uintptr_t),
              "_ZN4absl7debian36Status15UnrefNonInlinedEm");
  const void* shared = reinterpret_cast<const void*>(rep);
  Releasing(shared);
  Acquired(shared);
  real(rep);
}

ABSL_NAMESPACE_END
}  // namespace absl
