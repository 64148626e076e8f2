// One gRPC server interceptor for everything observed per call:
// - grpc_server_* metrics (GrpcServerMetrics), for every call of a known
//   method;
// - the request id: the caller's W3C traceparent kept, or a trace made; its
//   trace id goes back to the caller in the x-request-id trailer;
// - one log line per call (request id, method, gRPC code, latency, and what
//   the handler noted: caller, project, upstream attempts);
// - ucgate_calls_by_caller_total, when the handler noted a caller.
// Handlers reach their call's CallObservation with FindCallObservation.
// Works with the callback API, unary and streaming (gRPC 1.51's
// experimental::ServerInterceptorFactoryInterface).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "service/common/clock.h"
#include "service/observability/gateway_metrics.h"
#include "service/observability/grpc_server_metrics.h"
#include "service/observability/trace_context.h"

namespace ucgate::observability {

// What is known about one call besides what gRPC knows: its trace, and what
// the handler and the upstream stack note as they serve it. Thread-safe.
// Notes made after the call finished are not logged.
class CallObservation {
 public:
  explicit CallObservation(CallTrace trace) : trace_(std::move(trace)) {}

  const CallTrace& trace() const { return trace_; }
  // The trace id: logged, and returned in the x-request-id trailer.
  const std::string& request_id() const { return trace_.trace_id; }

  // The authenticated caller, by its name in the configuration (never a
  // string the caller sent).
  void SetCaller(absl::string_view configured_name);
  // The project serving the call, by its name in the configuration.
  void SetProject(absl::string_view configured_name);
  // One upstream HTTP attempt made for the call (retries included).
  void AddUpstreamAttempt() {
    upstream_attempts_.fetch_add(1, std::memory_order_relaxed);
  }

  std::string caller() const;
  std::string project() const;
  int upstream_attempts() const {
    return upstream_attempts_.load(std::memory_order_relaxed);
  }

 private:
  const CallTrace trace_;
  mutable absl::Mutex mutex_;
  std::string caller_ ABSL_GUARDED_BY(mutex_);
  std::string project_ ABSL_GUARDED_BY(mutex_);
  std::atomic<int> upstream_attempts_{0};
};

// The observation of the call `context` serves, from the moment the call's
// metadata arrived until the call is destroyed; null when the interceptor is
// not installed. Cheap (a sharded map lookup); keep the pointer for the
// call rather than looking it up again.
std::shared_ptr<CallObservation> FindCallObservation(
    const grpc::ServerContextBase* context);

struct ServerObservabilityOptions {
  // grpc_server_* metrics; null: none.
  std::shared_ptr<GrpcServerMetrics> grpc_metrics;
  // ucgate_calls_by_caller_total; null: none.
  std::shared_ptr<GatewayMetrics> gateway_metrics;
  // One line per call: info, or warning when the gateway failed (Unknown,
  // Internal, DataLoss, Unavailable, DeadlineExceeded).
  bool log_calls = true;
  // Times calls (only differences of its readings are used).
  std::shared_ptr<const Clock> clock;  // null: a steady clock
};

// What the interceptor does for one call, hook point by hook point (usable
// without gRPC's interception machinery: the benchmarks time it alone, and
// another server can drive it). OnInitialMetadata comes first and OnStatus
// once; a stream's message hooks may come from other threads meanwhile
// (their counters are atomic).
class CallRecorder {
 public:
  // `options` must outlive the recorder; `context` keys the call's
  // observation (FindCallObservation); `method` is null for a method outside
  // the metrics' services.
  CallRecorder(const ServerObservabilityOptions* options,
               const grpc::ServerContextBase* context,
               GrpcServerMetrics::Method* method);
  ~CallRecorder();
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

  // The caller's metadata arrived: the call's trace starts, and its
  // observation becomes findable.
  void OnInitialMetadata(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);
  void OnMessageReceived();
  void OnMessageSent();
  // The status is about to be sent: handled counted, x-request-id added to
  // `trailers`, the call logged.
  void OnStatus(const grpc::Status& status,
                std::multimap<std::string, std::string>* trailers);

 private:
  void LogCall(const grpc::Status& status, absl::Duration handling,
               const std::string& caller) const;

  const ServerObservabilityOptions& options_;
  const grpc::ServerContextBase* const context_;
  GrpcServerMetrics::Method* const method_;
  const absl::Time start_;
  std::shared_ptr<CallObservation> observation_;
  bool finished_ = false;
};

// Install with ServerBuilder::experimental().SetInterceptorCreators (which
// replaces the list: give it every factory at once).
class ServerObservabilityFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ServerObservabilityFactory(ServerObservabilityOptions options);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ServerObservabilityOptions options_;
};

// A clock whose readings only mean something as differences: the steady
// clock, immune to wall-clock steps.
std::shared_ptr<const Clock> MakeSteadyClock();

}  // namespace ucgate::observability
