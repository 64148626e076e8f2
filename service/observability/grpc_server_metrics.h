// The gRPC server metrics of the grpc-ecosystem convention (go-grpc-prometheus
// names and labels, which callers' dashboards already use):
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method}
//   (histogram) grpc_server_msg_received_total / grpc_server_msg_sent_total
// Labels come only from the descriptors of the services named at creation,
// so the series are bounded: a call of any other method makes no series (it
// is counted in ucgate_grpc_unknown_method_calls_total).
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "service/observability/metrics_registry.h"

namespace ucgate::observability {

// go-grpc-prometheus's spelling of a code: "OK", "Canceled", "InvalidArgument",
// "NotFound", ... A value outside the 17 codes reads "Unknown".
absl::string_view GrpcCodeLabel(grpc::StatusCode code);

struct GrpcServerMetricsOptions {
  // grpc_server_handling_seconds' bucket bounds (Prometheus' defaults).
  std::vector<double> handling_seconds_buckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
};

class GrpcServerMetrics {
 public:
  // The series of one method, made when the metrics are created (the
  // handled counter of a code other than OK on its first use).
  class Method {
   public:
    absl::string_view service() const { return service_; }
    absl::string_view name() const { return name_; }
    // "unary", "client_stream", "server_stream" or "bidi_stream".
    absl::string_view type() const { return type_; }
    // "package.Service/Method", for logs.
    absl::string_view full_name() const { return full_name_; }

    void RecordStarted() { started_->Increment(); }
    void RecordReceived() { received_->Increment(); }
    void RecordSent() { sent_->Increment(); }
    void RecordHandled(grpc::StatusCode code, absl::Duration handling);

   private:
    friend class GrpcServerMetrics;
    Method(GrpcServerMetrics* owner, std::string service, std::string name,
           std::string type);
    prometheus::Counter* HandledCounter(grpc::StatusCode code);

    GrpcServerMetrics* owner_;
    std::string service_, name_, type_, full_name_;
    prometheus::Counter* started_;
    prometheus::Counter* received_;
    prometheus::Counter* sent_;
    prometheus::Histogram* handling_;
    // By code; made on first use (Family::Add returns the same counter to
    // racing callers, so a lost race costs nothing).
    std::array<std::atomic<prometheus::Counter*>, 17> handled_{};
  };

  // Series for every method of `services` (full names such as
  // "uploadcare.gateway.v1.FileService" or "grpc.health.v1.Health", found in
  // the generated descriptor pool: link the service's generated code). An
  // unknown name is INVALID_ARGUMENT.
  static absl::StatusOr<std::shared_ptr<GrpcServerMetrics>> Create(
      MetricsRegistry& registry, const std::vector<std::string>& services,
      GrpcServerMetricsOptions options = {});

  // The method of a gRPC path ("/package.Service/Method"), or null when it is
  // not a method of the services.
  Method* Find(absl::string_view path) const;

  // A call of a method outside the services.
  void RecordUnknownMethod() { unknown_method_calls_->Increment(); }

 private:
  GrpcServerMetrics(MetricsRegistry& registry,
                    GrpcServerMetricsOptions options);

  prometheus::Family<prometheus::Counter>* started_family_;
  prometheus::Family<prometheus::Counter>* handled_family_;
  prometheus::Family<prometheus::Histogram>* handling_family_;
  prometheus::Family<prometheus::Counter>* received_family_;
  prometheus::Family<prometheus::Counter>* sent_family_;
  prometheus::Counter* unknown_method_calls_;
  GrpcServerMetricsOptions options_;
  // Keyed by path; filled by Create, read-only afterwards.
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_;
};

}  // namespace ucgate::observability
