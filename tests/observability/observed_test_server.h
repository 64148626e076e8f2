// An in-process gRPC server with the observing interceptor installed, serving
// a small fake FileService over the callback API: GetFile (OK for a UUID,
// INVALID_ARGUMENT for none, INTERNAL for "fail", and "hang" answers only
// once the caller cancels) and StreamFiles (three messages). The handler
// notes a caller, a project and two upstream attempts on its call's
// CallObservation (the caller named in x-test-claimed-caller, if any) and
// remembers the request id it saw.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "service/observability/gateway_metrics.h"
#include "service/observability/grpc_server_metrics.h"
#include "service/observability/metrics_registry.h"
#include "service/observability/server_interceptor.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::testing {

namespace v1 = ::uploadcare::gateway::v1;

// A clock that moves 1 ms at each reading (thread-safe): every call's
// latency is exactly 1 ms, since the interceptor reads it twice a call.
class TickingClock final : public Clock {
 public:
  absl::Time Now() const override;

 private:
  mutable std::atomic<int64_t> ticks_{0};
};

class ObservedTestServer {
 public:
  ObservedTestServer();
  ~ObservedTestServer();

  // Stops the server once every call has ended (their metrics recorded); the
  // registry stays readable.
  void Shutdown();

  v1::FileService::Stub& stub() { return *stub_; }
  grpc::Channel& channel() { return *channel_; }
  observability::MetricsRegistry& registry() { return registry_; }
  observability::GatewayMetrics& gateway_metrics() { return *gateway_metrics_; }
  // Request ids the handlers saw, in call order.
  std::vector<std::string> seen_request_ids() const;

 private:
  class FakeFileService;

  observability::MetricsRegistry registry_;
  std::shared_ptr<observability::GatewayMetrics> gateway_metrics_;
  std::unique_ptr<FakeFileService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::FileService::Stub> stub_;
  bool shut_down_ = false;
};

// The configured names the server's metrics know.
inline constexpr char kConfiguredCaller[] = "billing";
inline constexpr char kConfiguredProject[] = "demo";
// Metadata whose value the fake handler notes as the caller (instead of
// kConfiguredCaller).
inline constexpr char kClaimedCallerHeader[] = "x-test-claimed-caller";

}  // namespace ucgate::testing
