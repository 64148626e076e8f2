// The load generator every gRPC benchmark scenario uses: keeps N calls in
// flight (over the caller's persistent channels), warms up, then measures for
// a fixed duration or call count, and reports throughput and latency
// percentiles. Calls are started through a StartCall function, so one
// generator drives any RPC (see UnaryStarter) and, through RunBlockingLoad,
// blocking calls such as a direct libcurl request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace ucgate::bench {

struct LoadOptions {
  int in_flight = 16;
  // Unmeasured calls first (connections, caches, thread pools).
  absl::Duration warm_up = absl::Milliseconds(300);
  int64_t warm_up_calls = 0;  // ...or at least this many (0: duration only)
  // The measured phase ends at `duration` or after `calls` calls, whichever
  // comes first (0 calls: duration only).
  absl::Duration duration = absl::Seconds(2);
  int64_t calls = 0;
};

struct LoadResult {
  int64_t calls = 0;
  int64_t failures = 0;
  absl::Duration wall;
  double calls_per_second = 0;
  absl::Duration p50, p90, p99;
  std::string first_error;  // empty when every call succeeded
};

// Called exactly once per call, on any thread, with how the call ended.
using Done = std::function<void(absl::Status)>;
// Starts one call for `slot` (0 .. in_flight - 1; a slot has at most one call
// in flight) and returns at once; the call reports through `done`.
using StartCall = std::function<void(int slot, Done done)>;
// One complete blocking call for `slot`.
using BlockingCall = std::function<absl::Status(int slot)>;

LoadResult RunLoad(const LoadOptions& options, const StartCall& start);
// Blocking calls, one thread per slot.
LoadResult RunBlockingLoad(const LoadOptions& options,
                           const BlockingCall& call);

// `count` channels to `target` with separate connections (identical channel
// arguments would share one subchannel).
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int count);

absl::Status FromGrpc(const grpc::Status& status);

// A StartCall for a unary RPC through the callback API:
// `invoke(slot, context, response, on_done)` starts it, typically as
// stubs[slot % stubs.size()]->async()->Method(context, &request, response,
// std::move(on_done)). Each call gets a fresh context with `timeout`.
template <typename Response, typename Invoke>
StartCall UnaryStarter(Invoke invoke,
                       absl::Duration timeout = absl::Seconds(30)) {
  return [invoke = std::move(invoke), timeout](int slot, Done done) {
    struct Call {
      grpc::ClientContext context;
      Response response;
    };
    auto call = std::make_shared<Call>();
    call->context.set_deadline(std::chrono::system_clock::now() +
                               absl::ToChronoMilliseconds(timeout));
    invoke(slot, &call->context, &call->response,
           [call, done = std::move(done)](grpc::Status status) {
             done(FromGrpc(status));
           });
  };
}

}  // namespace ucgate::bench
