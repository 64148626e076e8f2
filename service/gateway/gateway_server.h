// Assembles and runs the gateway: projects from the configuration, the gRPC
// server with every service, health checking and reflection.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_interceptor.h"
#include "service/access/project_keys.h"
#include "service/cache/file_info_cache.h"
#include "service/common/clock.h"
#include "service/common/executor.h"
#include "service/common/io/fiber_executor.h"
#include "service/gateway/call_gate.h"
#include "service/gateway/config.h"
#include "service/gateway/project_registry.h"
#include "service/gateway/stream_calls.h"
#include "service/observability/gateway_metrics.h"
#include "service/observability/server_interceptor.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/stack/retrying.h"

namespace ucgate::gateway {

// Builds every configured project's upstream stack over one shared HTTP
// client (one connection pool for the whole gateway). With `reloader`, the
// key files of projects that name them (secret_key_file, public_key_file)
// are watched: each upstream attempt signs with the keys of that moment.
// Batch chunks run on `chunk_executor` (null: a few threads of their own).
absl::StatusOr<std::shared_ptr<const ProjectRegistry>> MakeProjectRegistry(
    const GatewayConfig& config, std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, upstream::Sleeper sleeper = nullptr,
    std::shared_ptr<access::FileReloader> reloader = nullptr,
    std::shared_ptr<observability::GatewayMetrics> metrics = nullptr,
    std::shared_ptr<Executor> chunk_executor = nullptr);

// Where the gateway runs its calls: each a fiber on the HTTP client's event
// loops (waiting for the upstream holds no thread; the transfer's completion
// resumes the call on its loop), at most config.max_queued_calls at once;
// batch chunks get fibers of their own beside their calls.
struct CallExecutors {
  std::shared_ptr<io::FiberExecutor> calls;
  std::shared_ptr<io::FiberExecutor> chunks;
};
CallExecutors MakeCallExecutors(const http::HttpClient& http_client,
                                const GatewayConfig& config);

// The streams' options from the configuration, as ucgate runs them: the
// stream memory budget (which, after a burst, has freed memory returned to
// the system) and, with `metrics`, its gauges.
StreamOptions MakeStreamOptions(
    const StreamsConfig& streams,
    std::shared_ptr<observability::GatewayMetrics> metrics);

// Every server interceptor of the gateway, in the order they run, for
// ServerBuilder::experimental().SetInterceptorCreators (which takes them all
// at once): the observing one first, so it sees every call's outcome.
std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
MakeInterceptorCreators(
    const std::optional<observability::ServerObservabilityOptions>&
        observability);

// The counters of the gateway's one file-info cache (config `cache`), shared
// by every project; nullopt when caching is off.
std::optional<cache::FileInfoCacheStats> FileInfoCacheStats(
    const ProjectRegistry& projects);

// Whether `listen` is well-formed, resolves, and can be bound now (no other
// listener on it): the reason in one line otherwise. Start runs it first so
// a bad or taken address fails before gRPC logs its own lines.
absl::Status CheckCanListen(const std::string& listen);

// Who may call the gateway's port (README "Securing ucgate").
struct GatewayAccess {
  // The port's credentials; null: plaintext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Null: every call goes through, tokens unsealed.
  std::shared_ptr<const CallGate> gate;
};

class GatewayServer {
 public:
  // Listens on `listen` ("HOST:PORT"; port 0 picks a free one). The job
  // watchers' timers run on `scheduler` (null: a thread of the gateway's own).
  // With `observability`, every call is observed (metrics, request id, log
  // line; MakeInterceptorCreators).
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(
      const std::string& listen,
      std::shared_ptr<const ProjectRegistry> projects,
      std::shared_ptr<Executor> executor, StreamOptions stream_options = {},
      std::shared_ptr<Scheduler> scheduler = nullptr, GatewayAccess access = {},
      std::optional<observability::ServerObservabilityOptions> observability =
          std::nullopt);
  ~GatewayServer();

  int port() const { return port_; }
  // What grpc.health.v1 answers for the server: SERVING from Start until
  // Shutdown begins (the admin listener's /readyz follows it).
  bool serving() const { return serving_.load(); }
  // Marks the server NOT_SERVING (grpc.health.v1, every service) at once,
  // keeps answering every call for `drain_delay` (so load balancers and
  // Kubernetes, seeing NOT_SERVING, take the gateway out of their endpoints
  // while it still serves), then refuses new calls, lets calls in flight
  // finish within `grace` and cancels the rest.
  void Shutdown(absl::Duration grace,
                absl::Duration drain_delay = absl::ZeroDuration());
  // How Shutdown waits out the drain delay (default: sleeps); tests replace
  // it to act during the drain.
  void set_drain_waiter(std::function<void(absl::Duration)> waiter) {
    drain_waiter_ = std::move(waiter);
  }
  void Wait();
  std::shared_ptr<grpc::Channel> InProcessChannel();
  // Jobs the watch streams poll right now (one per job, however many
  // watchers).
  int watched_jobs() const { return streams_->watched_jobs(); }

 private:
  GatewayServer() = default;
  // grpc.health.v1's overall status and serving(), together.
  void SetServing(bool serving);

  std::shared_ptr<const ProjectRegistry> projects_;
  std::shared_ptr<Executor> executor_;
  // Set when the gateway made the scheduler, to stop it on shutdown.
  std::shared_ptr<ThreadScheduler> own_scheduler_;
  std::optional<StreamCallRunner> streams_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
  std::function<void(absl::Duration)> drain_waiter_ = [](absl::Duration d) {
    absl::SleepFor(d);
  };
  std::atomic<bool> serving_{false};
};

}  // namespace ucgate::gateway
