#include "tests/bench/load_generator.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace ucgate::bench {
namespace {

// One phase (warm-up or measured): latencies per slot, so completions never
// contend on a lock.
class Phase {
 public:
  Phase(int slots, absl::Time deadline, int64_t max_calls)
      : deadline_(deadline), max_calls_(max_calls), slots_(slots) {}

  // Claims the next call; false once the phase is over.
  bool Claim() {
    if (absl::Now() >= deadline_) return false;
    if (max_calls_ > 0 && claimed_.fetch_add(1) >= max_calls_) return false;
    return true;
  }

  void Record(int slot, absl::Duration latency, const absl::Status& status) {
    Slot& record = slots_[slot];
    record.latencies.push_back(latency);
    if (!status.ok()) {
      if (record.failures++ == 0) record.first_error = status.ToString();
    }
  }

  void SlotFinished() {
    absl::MutexLock lock(&mutex_);
    ++finished_slots_;
  }
  void AwaitSlots() {
    absl::MutexLock lock(&mutex_);
    mutex_.Await(absl::Condition(this, &Phase::AllSlotsFinished));
  }

  LoadResult Result(absl::Duration wall) const {
    LoadResult result;
    std::vector<absl::Duration> all;
    for (const Slot& slot : slots_) {
      all.insert(all.end(), slot.latencies.begin(), slot.latencies.end());
      result.failures += slot.failures;
      if (result.first_error.empty()) result.first_error = slot.first_error;
    }
    result.calls = static_cast<int64_t>(all.size());
    result.wall = wall;
    if (all.empty()) return result;
    std::sort(all.begin(), all.end());
    result.calls_per_second = all.size() / absl::ToDoubleSeconds(wall);
    const auto at = [&](double q) {
      return all[static_cast<size_t>(q * (all.size() - 1))];
    };
    result.p50 = at(0.5);
    result.p90 = at(0.9);
    result.p99 = at(0.99);
    return result;
  }

 private:
  struct Slot {
    std::vector<absl::Duration> latencies;
    int64_t failures = 0;
    std::string first_error;
  };
  bool AllSlotsFinished() const {
    return finished_slots_ == static_cast<int>(slots_.size());
  }

  const absl::Time deadline_;
  const int64_t max_calls_;
  std::atomic<int64_t> claimed_{0};
  std::vector<Slot> slots_;
  absl::Mutex mutex_;
  int finished_slots_ = 0;
};

// Keeps one call in flight on `slot` until the phase ends. Each completion
// starts the next call from the completing thread.
void RunSlot(Phase& phase, const StartCall& start, int slot) {
  if (!phase.Claim()) {
    phase.SlotFinished();
    return;
  }
  const absl::Time begin = absl::Now();
  start(slot, [&phase, &start, slot, begin](absl::Status status) {
    phase.Record(slot, absl::Now() - begin, status);
    RunSlot(phase, start, slot);
  });
}

LoadResult RunPhase(int in_flight, absl::Duration duration, int64_t calls,
                    const StartCall& start) {
  const absl::Time begin = absl::Now();
  Phase phase(in_flight, begin + duration, calls);
  for (int slot = 0; slot < in_flight; ++slot) RunSlot(phase, start, slot);
  phase.AwaitSlots();
  return phase.Result(absl::Now() - begin);
}

LoadResult RunBlockingPhase(int in_flight, absl::Duration duration,
                            int64_t calls, const BlockingCall& call) {
  const absl::Time begin = absl::Now();
  Phase phase(in_flight, begin + duration, calls);
  std::vector<std::thread> threads;
  for (int slot = 0; slot < in_flight; ++slot) {
    threads.emplace_back([&, slot] {
      while (phase.Claim()) {
        const absl::Time call_begin = absl::Now();
        absl::Status status = call(slot);
        phase.Record(slot, absl::Now() - call_begin, status);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return phase.Result(absl::Now() - begin);
}

}  // namespace

LoadResult RunLoad(const LoadOptions& options, const StartCall& start) {
  RunPhase(options.in_flight, options.warm_up, 0, start);
  if (options.warm_up_calls > 0) {
    RunPhase(options.in_flight, absl::InfiniteDuration(), options.warm_up_calls,
             start);
  }
  return RunPhase(options.in_flight, options.duration, options.calls, start);
}

LoadResult RunBlockingLoad(const LoadOptions& options,
                           const BlockingCall& call) {
  RunBlockingPhase(options.in_flight, options.warm_up, 0, call);
  if (options.warm_up_calls > 0) {
    RunBlockingPhase(options.in_flight, absl::InfiniteDuration(),
                     options.warm_up_calls, call);
  }
  return RunBlockingPhase(options.in_flight, options.duration, options.calls,
                          call);
}

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt("ucgate.bench.channel", i);
    channels.push_back(grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), arguments));
  }
  return channels;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace ucgate::bench
