// The gateway's metrics, made once per process from its configuration: the
// registry /metrics exposes, the grpc_server_* families of every served
// service, and the ucgate_* families with the configured projects and the
// API's operations as their only label values.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "service/gateway/config.h"
#include "service/observability/gateway_metrics.h"
#include "service/observability/grpc_server_metrics.h"
#include "service/observability/metrics_registry.h"
#include "service/observability/server_interceptor.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::gateway {

struct GatewayTelemetry {
  std::shared_ptr<observability::MetricsRegistry> registry;
  std::shared_ptr<observability::GrpcServerMetrics> grpc;
  std::shared_ptr<observability::GatewayMetrics> gateway;
};

absl::StatusOr<GatewayTelemetry> MakeGatewayTelemetry(
    const GatewayConfig& config);

// What the observing interceptor needs of `telemetry` (a log line per call).
observability::ServerObservabilityOptions ObservabilityOptionsOf(
    const GatewayTelemetry& telemetry);

// ucgate_upstream_connections reads `http`'s open connections at scrape time
// (held weakly: the gauge does not keep the transport alive).
void WatchUpstreamConnections(observability::GatewayMetrics& metrics,
                              const std::shared_ptr<http::HttpClient>& http);

}  // namespace ucgate::gateway
