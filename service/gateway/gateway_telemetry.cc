#include "service/gateway/gateway_telemetry.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "service/api/rpcs.h"

namespace ucgate::gateway {

namespace {

// `metrics` whose every holder also keeps `registry` alive: the metrics
// update families the registry owns, and a holder (the interceptor, the
// upstream stack) may outlive whoever made the telemetry.
template <typename Metrics>
std::shared_ptr<Metrics> KeepingRegistry(
    std::shared_ptr<Metrics> metrics,
    std::shared_ptr<observability::MetricsRegistry> registry) {
  // Members go in reverse order: the metrics before their registry.
  auto both = std::make_shared<
      std::pair<std::shared_ptr<observability::MetricsRegistry>,
                std::shared_ptr<Metrics>>>(std::move(registry),
                                           std::move(metrics));
  return std::shared_ptr<Metrics>(both, both->second.get());
}

}  // namespace

absl::StatusOr<GatewayTelemetry> MakeGatewayTelemetry(
    const GatewayConfig& config) {
  // Keeps the health service's descriptor in the generated pool.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  std::vector<std::string> services = {"grpc.health.v1.Health"};
  observability::GatewayMetricsOptions options;
  for (const api::rpc::Service& service : api::kServices) {
    // "uploadcare.gateway.v1.FileService": the package of its messages.
    services.push_back(absl::StrCat(
        service.rpcs[0].request()->file()->package(), ".", service.name));
    for (int i = 0; i < service.rpc_count; ++i) {
      options.operations.push_back(service.rpcs[i].method);
    }
  }
  for (const ProjectConfig& project : config.projects) {
    options.projects.push_back(project.name);
  }
  // Caller names come only from the configuration, never from a credential.
  for (const access::CallerConfig& caller : config.access.callers) {
    options.callers.push_back(caller.name);
  }
  options.build.version = UCGATE_VERSION;

  GatewayTelemetry telemetry;
  telemetry.registry = std::make_shared<observability::MetricsRegistry>();
  absl::StatusOr<std::shared_ptr<observability::GrpcServerMetrics>> grpc =
      observability::GrpcServerMetrics::Create(*telemetry.registry, services);
  if (!grpc.ok()) return grpc.status();
  telemetry.grpc = KeepingRegistry(*std::move(grpc), telemetry.registry);
  telemetry.gateway =
      KeepingRegistry(std::make_shared<observability::GatewayMetrics>(
                          *telemetry.registry, std::move(options)),
                      telemetry.registry);
  return telemetry;
}

observability::ServerObservabilityOptions ObservabilityOptionsOf(
    const GatewayTelemetry& telemetry) {
  observability::ServerObservabilityOptions options;
  options.grpc_metrics = telemetry.grpc;
  options.gateway_metrics = telemetry.gateway;
  return options;
}

void WatchUpstreamConnections(observability::GatewayMetrics& metrics,
                              const std::shared_ptr<http::HttpClient>& http) {
  metrics.SetUpstreamConnectionsSource(
      [weak = std::weak_ptr<http::HttpClient>(http)]() -> int64_t {
        std::shared_ptr<http::HttpClient> client = weak.lock();
        if (client == nullptr) return 0;
        return static_cast<int64_t>(client->open_connections().value_or(0));
      });
}

}  // namespace ucgate::gateway
