// The admin listener (config `admin_listen`): plaintext HTTP for the
// platform, apart from the gRPC port.
//   GET /metrics  the Prometheus text exposition of the gateway's registry
//   GET /healthz  200 while the process runs (liveness)
//   GET /readyz   200 while `ready()` says so (the gateway serves: its
//                 configuration and every project's key loaded, not
//                 draining), else 503 (readiness)
// Anything else is 404. Nothing here reads or writes a secret.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/observability/metrics_registry.h"

namespace ucgate::observability {

struct AdminHttpOptions {
  // "HOST:PORT" ("[::]:9090" for IPv6); port 0 picks a free one.
  std::string listen;
  // Exposed on /metrics; null: /metrics is 404.
  std::shared_ptr<const MetricsRegistry> metrics;
  // Read on every /readyz; null: never ready.
  std::function<bool()> ready;
};

class AdminHttpServer {
 public:
  // Listening and serving when this returns.
  static absl::StatusOr<std::unique_ptr<AdminHttpServer>> Start(
      AdminHttpOptions options);
  virtual ~AdminHttpServer() = default;

  virtual int port() const = 0;
};

}  // namespace ucgate::observability
