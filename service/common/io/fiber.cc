#include "service/common/io/fiber.h"

#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/time/clock.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define UCGATE_ASAN_FIBERS 1
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define UCGATE_TSAN_FIBERS 1
#endif

namespace ucgate::io {
namespace {

thread_local Fiber* current_fiber = nullptr;
// The fiber makecontext starts (it passes only ints; the x86-64 switch
// passes it in a register).
thread_local Fiber* starting_fiber = nullptr;
std::atomic<std::size_t> fibers_alive{0};

std::size_t PageSize() {
  static const std::size_t page =
      static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

// A stack with a PROT_NONE guard page below it, so an overflow faults
// instead of writing over the neighbour's memory.
struct Stack {
  void* mapping = nullptr;
  std::size_t mapping_bytes = 0;
  char* base() const { return static_cast<char*>(mapping) + PageSize(); }
  std::size_t usable() const { return mapping_bytes - PageSize(); }
};

// Stacks of fibers that ended, kept per thread for the next fiber: mapping
// a stack, its first-touch faults and above all unmapping it (a TLB
// shootdown on every core) cost more than the rest of a short call; with 64
// pooled, 256 calls in flight spent half the gateway's CPU in the kernel. A
// pooled stack keeps only the pages its fibers touched (tens of KiB), so
// 1,024 per thread bound the pool to a few tens of MiB; stacks beyond that
// are unmapped.
constexpr std::size_t kPooledStacksPerThread = 1024;

struct StackPool {
  std::vector<Stack> free;
  ~StackPool() {
    for (const Stack& stack : free) munmap(stack.mapping, stack.mapping_bytes);
  }
};
thread_local StackPool stack_pool;

Stack AllocateStack(std::size_t bytes) {
  const std::size_t page = PageSize();
  const std::size_t usable = (bytes + page - 1) / page * page;
  std::vector<Stack>& free = stack_pool.free;
  for (std::size_t i = free.size(); i > 0; --i) {
    if (free[i - 1].usable() == usable) {
      Stack stack = free[i - 1];
      free.erase(free.begin() + static_cast<std::ptrdiff_t>(i - 1));
      return stack;
    }
  }
  Stack stack;
  stack.mapping_bytes = usable + page;
  stack.mapping =
      mmap(nullptr, stack.mapping_bytes, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  // Out of address space: nothing sensible is left to do.
  if (stack.mapping == MAP_FAILED) std::abort();
  mprotect(stack.mapping, page, PROT_NONE);
  return stack;
}

void ReleaseStack(const Stack& stack) {
  if (stack_pool.free.size() < kPooledStacksPerThread) {
    stack_pool.free.push_back(stack);
  } else {
    munmap(stack.mapping, stack.mapping_bytes);
  }
}

#if defined(__x86_64__)
// The switch itself, on x86-64: saves the callee-saved registers and the
// floating-point control words on the current stack, stores the stack
// pointer in *save and continues on `next`. swapcontext does the same plus
// two rt_sigprocmask system calls per switch (four switches per upstream
// call), which the gateway does not need: its fibers never change the
// signal mask.
extern "C" void ucgate_switch_fiber_stack(void** save, void* next);
// Where a new fiber's stack first returns to: calls r13(r12), i.e.
// Fiber::Main(self), which never returns.
extern "C" void ucgate_fiber_first_entry();
asm(R"(
    .text
    .globl ucgate_switch_fiber_stack
    .type ucgate_switch_fiber_stack, @function
ucgate_switch_fiber_stack:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $16, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size ucgate_switch_fiber_stack, .-ucgate_switch_fiber_stack

    .globl ucgate_fiber_first_entry
    .type ucgate_fiber_first_entry, @function
ucgate_fiber_first_entry:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size ucgate_fiber_first_entry, .-ucgate_fiber_first_entry
)");
#define UCGATE_FIBER_ASM_SWITCH 1
#endif

// Where a stack was left: its saved stack pointer, or a ucontext.
struct StackContext {
#ifdef UCGATE_FIBER_ASM_SWITCH
  void* sp = nullptr;
#else
  ucontext_t context;
#endif
};

// Leaves the current stack (saved in `save`) for `next`.
void SwitchStacks(StackContext& save, StackContext& next) {
#ifdef UCGATE_FIBER_ASM_SWITCH
  ucgate_switch_fiber_stack(&save.sp, next.sp);
#else
  swapcontext(&save.context, &next.context);
#endif
}

}  // namespace

struct Fiber::Context {
  StackContext fiber;
  StackContext caller;
  std::size_t stack_bytes = 0;
  Stack stack;
#ifdef UCGATE_ASAN_FIBERS
  void* fake_stack = nullptr;
  const void* caller_bottom = nullptr;
  std::size_t caller_size = 0;
#endif
#ifdef UCGATE_TSAN_FIBERS
  // ThreadSanitizer's own view of the stacks: without it a switch looks
  // like one thread's stack jumping about.
  void* tsan_fiber = nullptr;
  void* tsan_caller = nullptr;
#endif
};

Fiber::Fiber(LoopHost* home, absl::AnyInvocable<void()> body,
             std::size_t stack_bytes)
    : home_(home), body_(std::move(body)), context_(new Context) {
  context_->stack_bytes = stack_bytes;
  fibers_alive.fetch_add(1, std::memory_order_relaxed);
}

Fiber::~Fiber() {
#ifdef UCGATE_TSAN_FIBERS
  if (context_->tsan_fiber != nullptr)
    __tsan_destroy_fiber(context_->tsan_fiber);
#endif
  if (context_->stack.mapping != nullptr) ReleaseStack(context_->stack);
  fibers_alive.fetch_sub(1, std::memory_order_relaxed);
}

void Fiber::Prepare() {
  // Taken on the home thread, from its pool, where the stack goes back when
  // the fiber ends: a stack taken on the spawning thread (a gRPC thread)
  // would always be new and always end up in another thread's pool.
  context_->stack = AllocateStack(context_->stack_bytes);
#ifdef UCGATE_ASAN_FIBERS
  // A pooled stack still carries the redzones its last fiber's frames left
  // in ASan's shadow: this fiber starts on a clean one.
  ASAN_UNPOISON_MEMORY_REGION(context_->stack.base(), context_->stack.usable());
#endif
#ifdef UCGATE_TSAN_FIBERS
  context_->tsan_fiber = __tsan_create_fiber(0);
#endif
#ifdef UCGATE_FIBER_ASM_SWITCH
  // The frame ucgate_switch_fiber_stack pops: control words, r15..rbp, then
  // the return address, ucgate_fiber_first_entry, entered with a 16-byte
  // aligned stack as after a call's return.
  char* const top = context_->stack.base() + context_->stack.usable();
  auto* frame = reinterpret_cast<uint64_t*>(
      reinterpret_cast<uintptr_t>(top - 64) & ~uintptr_t{15});
  frame[-1] = reinterpret_cast<uint64_t>(&ucgate_fiber_first_entry);
  frame[-2] = 0;                                         // rbp
  frame[-3] = 0;                                         // rbx
  frame[-4] = reinterpret_cast<uint64_t>(this);          // r12
  frame[-5] = reinterpret_cast<uint64_t>(&Fiber::Main);  // r13
  frame[-6] = 0;                                         // r14
  frame[-7] = 0;                                         // r15
  frame[-9] = 0x1F80 | (uint64_t{0x037F} << 32);         // MXCSR, x87 control
  frame[-8] = 0;
  context_->fiber.sp = &frame[-9];
#else
  ucontext_t& fiber = context_->fiber.context;
  getcontext(&fiber);
  fiber.uc_stack.ss_sp = context_->stack.base();
  fiber.uc_stack.ss_size = context_->stack.usable();
  fiber.uc_link = nullptr;
  void (*const start)() = [] { Fiber::Main(nullptr); };
  makecontext(&fiber, start, 0);
#endif
}

bool Fiber::Spawn(LoopHost* home, absl::AnyInvocable<void()> body,
                  std::size_t stack_bytes) {
  Fiber* fiber = new Fiber(home, std::move(body), stack_bytes);
  if (home->Post([fiber] { fiber->SwitchIn(); })) return true;
  // Never started: its body goes unrun, like a closure posted too late.
  delete fiber;
  return false;
}

Fiber* Fiber::Current() { return current_fiber; }

std::size_t Fiber::alive() {
  return fibers_alive.load(std::memory_order_relaxed);
}

void Fiber::Main(Fiber* entered) {
  // makecontext passes no pointer: the ucontext path finds it here.
  Fiber* const self = entered != nullptr ? entered : starting_fiber;
#ifdef UCGATE_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(nullptr, &self->context_->caller_bottom,
                                  &self->context_->caller_size);
#endif
  std::move(self->body_)();
  self->body_ = nullptr;  // What the body captured goes here, in the fiber.
  self->ended_ = true;
#ifdef UCGATE_ASAN_FIBERS
  __sanitizer_start_switch_fiber(nullptr, self->context_->caller_bottom,
                                 self->context_->caller_size);
#endif
  StackContext ended;  // never switched back to
#ifdef UCGATE_TSAN_FIBERS
  __tsan_switch_to_fiber(self->context_->tsan_caller, 0);
#endif
  SwitchStacks(ended, self->context_->caller);
}

void Fiber::SwitchIn() {
  if (context_->stack.mapping == nullptr) Prepare();
  Fiber* const outer = current_fiber;
  current_fiber = this;
  starting_fiber = this;
#ifdef UCGATE_ASAN_FIBERS
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, context_->stack.base(),
                                 context_->stack.usable());
#endif
#ifdef UCGATE_TSAN_FIBERS
  context_->tsan_caller = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(context_->tsan_fiber, 0);
#endif
  SwitchStacks(context_->caller, context_->fiber);
#ifdef UCGATE_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
  current_fiber = outer;
  if (ended_) delete this;
}

void Fiber::Suspend() {
#ifdef UCGATE_ASAN_FIBERS
  __sanitizer_start_switch_fiber(&context_->fake_stack, context_->caller_bottom,
                                 context_->caller_size);
#endif
#ifdef UCGATE_TSAN_FIBERS
  __tsan_switch_to_fiber(context_->tsan_caller, 0);
#endif
  SwitchStacks(context_->fiber, context_->caller);
#ifdef UCGATE_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(
      context_->fake_stack, &context_->caller_bottom, &context_->caller_size);
#endif
}

void Fiber::Resume() {
  // A home that has closed cannot run the fiber again: it stays suspended
  // (its loop is gone, and with it everything it waited for).
  home_->Post([this] { SwitchIn(); });
}

struct CondVar::FiberWaiter {
  Fiber* fiber;
  FiberWaiter* next = nullptr;
  FiberWaiter* previous = nullptr;
  bool linked = false;
  bool timed_out = false;
  // Whoever resumes the fiber claims it first: a signal and the deadline's
  // timer may race.
  std::atomic<bool> claimed{false};
  bool Claim() { return !claimed.exchange(true, std::memory_order_acq_rel); }
};

bool CondVar::WaitWithDeadline(absl::Mutex* mutex, absl::Time deadline) {
  Fiber* const fiber = Fiber::Current();
  if (fiber == nullptr) {
    return thread_waiters_.WaitWithDeadline(mutex, deadline);
  }
  FiberWaiter waiter{fiber};
  {
    absl::MutexLock lock(&fibers_mutex_);
    waiter.next = fibers_;
    if (fibers_ != nullptr) fibers_->previous = &waiter;
    fibers_ = &waiter;
    waiter.linked = true;
  }
  TimerId timer = 0;
  if (deadline != absl::InfiniteFuture()) {
    // On the home thread, like the fiber now: the timer cannot fire before
    // the fiber has suspended.
    timer = fiber->home().After(deadline - absl::Now(), [&waiter] {
      if (waiter.Claim()) {
        waiter.timed_out = true;
        waiter.fiber->Resume();
      }
    });
  }
  // Released before suspending: a signal from now on posts the fiber's
  // resumption, which its home runs only after the fiber has suspended.
  mutex->Unlock();
  fiber->Suspend();
  if (timer != 0 && !waiter.timed_out) fiber->home().Cancel(timer);
  {
    absl::MutexLock lock(&fibers_mutex_);
    if (waiter.linked) {
      if (waiter.previous != nullptr) waiter.previous->next = waiter.next;
      if (waiter.next != nullptr) waiter.next->previous = waiter.previous;
      if (fibers_ == &waiter) fibers_ = waiter.next;
      waiter.linked = false;
    }
  }
  mutex->Lock();
  return waiter.timed_out;
}

void CondVar::SignalAll() {
  thread_waiters_.SignalAll();
  absl::MutexLock lock(&fibers_mutex_);
  FiberWaiter* waiter = fibers_;
  fibers_ = nullptr;
  while (waiter != nullptr) {
    FiberWaiter* const next = waiter->next;
    waiter->linked = false;
    waiter->next = waiter->previous = nullptr;
    // Resumed under fibers_mutex_: the waiter (on the fiber's stack) is not
    // touched after this, and the fiber takes the mutex before it returns.
    if (waiter->Claim()) waiter->fiber->Resume();
    waiter = next;
  }
}

void SleepFor(absl::Duration delay) {
  Fiber* const fiber = Fiber::Current();
  if (fiber == nullptr) {
    absl::SleepFor(delay);
    return;
  }
  fiber->home().After(delay, [fiber] { fiber->Resume(); });
  fiber->Suspend();
}

bool ManualLoop::Post(absl::AnyInvocable<void()> closure) {
  absl::MutexLock lock(&mutex_);
  posted_.push_back(std::move(closure));
  return true;
}

int ManualLoop::RunPosted() {
  int ran = 0;
  for (;;) {
    std::vector<absl::AnyInvocable<void()>> batch;
    {
      absl::MutexLock lock(&mutex_);
      batch.swap(posted_);
    }
    if (batch.empty()) return ran;
    for (auto& closure : batch) {
      std::move(closure)();
      ++ran;
    }
  }
}

void ManualLoop::Advance(absl::Duration by) {
  const absl::Time until = timers_.Now() + by;
  RunPosted();
  while (timers_.NextDue() <= until) {
    timers_.Advance(timers_.NextDue() - timers_.Now());
    RunPosted();
  }
  timers_.Advance(until - timers_.Now());
  RunPosted();
}

}  // namespace ucgate::io
