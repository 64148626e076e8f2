#include "service/gateway/gateway_server.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "service/api/rpcs.h"
#include "service/cache/lru_file_info_cache.h"
#include "service/common/blocking_executor.h"
#include "service/common/heap_trimmer.h"
#include "service/common/log.h"
#include "service/gateway/service_handlers.h"
#include "service/gateway/undecodable_request.h"
#include "service/upstream/stack/upstream_stack_factory.h"

namespace ucgate::gateway {

absl::StatusOr<std::shared_ptr<const ProjectRegistry>> MakeProjectRegistry(
    const GatewayConfig& config, std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, upstream::Sleeper sleeper,
    std::shared_ptr<access::FileReloader> reloader,
    std::shared_ptr<observability::GatewayMetrics> metrics,
    std::shared_ptr<Executor> chunk_executor) {
  std::vector<Project> projects;
  // One cache and one pool of batch helpers for the whole gateway.
  std::shared_ptr<cache::FileInfoCache> file_info_cache;
  if (config.cache.max_bytes > 0) {
    file_info_cache = cache::MakeLruFileInfoCache(
        {config.cache.max_bytes, config.cache.ttl}, clock);
    if (metrics) {
      metrics->SetFileInfoCacheSource(
          [cache = file_info_cache] { return cache->Stats(); });
    }
  }
  if (chunk_executor == nullptr) {
    // Two batch calls can run at full width; more share the helpers, and
    // each caller runs its own chunks too.
    chunk_executor = std::make_shared<BlockingExecutor>(
        2 * (config.batch.max_concurrent_chunks - 1), /*max_queued=*/0);
  }
  for (const ProjectConfig& project : config.projects) {
    upstream::ProjectUpstreamOptions options;
    options.project_name = project.name;
    options.base_url =
        project.base_url.empty() ? config.upstream.base_url : project.base_url;
    options.api_version = project.api_version;
    options.auth_scheme = project.auth_scheme;
    options.credentials = {project.public_key, project.secret_key};
    if (reloader != nullptr && !project.secret_key_file.empty()) {
      absl::StatusOr<
          std::shared_ptr<access::ReloadingValue<access::ProjectKeys>>>
          keys = access::LoadProjectKeyFiles(
              {project.name, project.secret_key_file, project.public_key_file,
               project.public_key});
      if (!keys.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "project '", project.name, "': ", keys.status().message()));
      }
      if (metrics != nullptr) {
        (*keys)->set_reload_observer(
            [metrics, name = project.name](bool took_effect) {
              metrics->RecordCredentialReload(
                  name, took_effect ? observability::ReloadResult::kSuccess
                                    : observability::ReloadResult::kFailure);
            });
      }
      reloader->Add(*keys);
      // The signer owns the watched value; the reloader only polls it.
      options.credentials_source =
          [keys = *keys]() -> std::shared_ptr<const auth::Credentials> {
        std::shared_ptr<const access::ProjectKeys> now = keys->Get();
        return std::make_shared<const auth::Credentials>(
            auth::Credentials{now->public_key, now->secret_key});
      };
    }
    options.retry = config.upstream.retry;
    options.batch.max_concurrent_chunks = config.batch.max_concurrent_chunks;
    options.chunk_executor = chunk_executor;
    options.file_info_cache = file_info_cache;
    options.metrics = metrics;
    options.batch.metrics = metrics;
    absl::StatusOr<upstream::ProjectUpstream> upstream =
        upstream::MakeProjectUpstream(
            std::move(options), http_client, clock,
            sleeper ? sleeper : upstream::RealSleeper());
    if (!upstream.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "project '", project.name, "': ", upstream.status().message()));
    }
    projects.push_back(
        {project.name, project.api_version, *std::move(upstream)});
  }
  return std::make_shared<const ProjectRegistry>(std::move(projects));
}

StreamOptions MakeStreamOptions(
    const StreamsConfig& streams,
    std::shared_ptr<observability::GatewayMetrics> metrics) {
  StreamOptions options;
  options.max_items_per_message = streams.items_per_message;
  options.max_concurrent = streams.max_concurrent;
  options.watch.initial_interval = streams.watch_initial_interval;
  options.watch.max_interval = streams.watch_max_interval;
  auto heap_trimmer = std::make_shared<HeapTrimmer>();
  options.memory = StreamMemoryBudget::Create(
      streams.memory_budget_bytes, [heap_trimmer] { heap_trimmer->Request(); });
  if (metrics != nullptr) {
    metrics->SetStreamMemorySource([memory = options.memory] {
      const StreamMemoryBudget::Stats stats = memory->stats();
      return observability::StreamMemoryStats{
          stats.held_bytes, stats.budget_bytes, stats.refused};
    });
  }
  options.metrics = std::move(metrics);
  return options;
}

CallExecutors MakeCallExecutors(const http::HttpClient& http_client,
                                const GatewayConfig& config) {
  const auto max_calls = static_cast<size_t>(config.max_queued_calls);
  return {
      std::make_shared<io::FiberExecutor>(http_client.loops(), max_calls),
      std::make_shared<io::FiberExecutor>(
          http_client.loops(),
          max_calls * static_cast<size_t>(config.batch.max_concurrent_chunks))};
}

std::optional<cache::FileInfoCacheStats> FileInfoCacheStats(
    const ProjectRegistry& projects) {
  for (const Project& project : projects.projects()) {
    if (project.upstream.file_info_cache) {
      return project.upstream.file_info_cache->Stats();
    }
  }
  return std::nullopt;
}

absl::Status CheckCanListen(const std::string& listen) {
  if (absl::Status status = ValidateListenAddress(listen); !status.ok()) {
    return status;
  }
  if (absl::StartsWith(listen, "unix:")) return absl::OkStatus();
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const int resolved = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                   port.c_str(), &hints, &addresses);
  if (resolved != 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen,
                                               ": ", gai_strerror(resolved)));
  }
  // Like gRPC, one bindable address of the name is enough ("localhost" may
  // resolve to ::1 where IPv6 is off).
  int first_error = 0;
  bool bound = false;
  for (addrinfo* address = addresses; address != nullptr && !bound;
       address = address->ai_next) {
    const int fd =
        socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (fd < 0) {
      if (first_error == 0) first_error = errno;
      continue;
    }
    // SO_REUSEADDR (as gRPC sets it) so a predecessor's TIME_WAIT sockets do
    // not count, but no SO_REUSEPORT: a live listener does.
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, address->ai_addr, address->ai_addrlen) == 0) {
      bound = true;
    } else if (first_error == 0) {
      first_error = errno;
    }
    close(fd);
  }
  freeaddrinfo(addresses);
  if (bound) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, ": ",
                                             std::strerror(first_error)));
}

std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
MakeInterceptorCreators(
    const std::optional<observability::ServerObservabilityOptions>&
        observability) {
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      creators;
  // First, so that the observer records the status it rewrites.
  creators.push_back(MakeUndecodableRequestInterceptorFactory());
  if (observability) {
    creators.push_back(
        std::make_unique<observability::ServerObservabilityFactory>(
            *observability));
  }
  return creators;
}

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(
    const std::string& listen, std::shared_ptr<const ProjectRegistry> projects,
    std::shared_ptr<Executor> executor, StreamOptions stream_options,
    std::shared_ptr<Scheduler> scheduler, GatewayAccess access,
    std::optional<observability::ServerObservabilityOptions> observability) {
  // Keeps the health descriptor linked in, so reflection can describe it.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<GatewayServer> gateway(new GatewayServer());
  gateway->projects_ = std::move(projects);
  gateway->executor_ = std::move(executor);
  if (!scheduler) {
    gateway->own_scheduler_ = std::make_shared<ThreadScheduler>();
    scheduler = gateway->own_scheduler_;
  }
  // One runner, hence one set of job watch hubs, for the whole gateway.
  gateway->streams_.emplace(gateway->projects_, gateway->executor_, scheduler,
                            stream_options, access.gate);
  gateway->services_ = MakeServiceHandlers(
      UnaryCallRunner(gateway->projects_, gateway->executor_, access.gate,
                      scheduler),
      *gateway->streams_);

  if (absl::Status status = CheckCanListen(listen); !status.ok()) return status;
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, so a second gateway started on the
  // same port by mistake would share the traffic instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(listen,
                           access.credentials
                               ? access.credentials
                               : grpc::InsecureServerCredentials(),
                           &gateway->port_);
  for (const auto& service : gateway->services_)
    builder.RegisterService(service.get());
  builder.experimental().SetInterceptorCreators(
      MakeInterceptorCreators(observability));
  gateway->server_ = builder.BuildAndStart();
  if (!gateway->server_ || gateway->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen,
                     " (address in use, or not a valid HOST:PORT)"));
  }
  grpc::HealthCheckServiceInterface* health =
      gateway->server_->GetHealthCheckService();
  for (const api::rpc::Service& service : api::kServices) {
    // "uploadcare.gateway.v1.FileService": the package of its messages.
    const std::string& package = service.rpcs[0].request()->file()->package();
    health->SetServingStatus(absl::StrCat(package, ".", service.name), true);
  }
  gateway->SetServing(true);
  return gateway;
}

GatewayServer::~GatewayServer() { Shutdown(absl::ZeroDuration()); }

void GatewayServer::Shutdown(absl::Duration grace, absl::Duration drain_delay) {
  if (shut_down_ || !server_) return;
  shut_down_ = true;
  SetServing(false);
  if (drain_delay > absl::ZeroDuration()) {
    UCGATE_LOG(kInfo, "NOT_SERVING; still answering for ",
               absl::FormatDuration(drain_delay), " (drain_delay)");
    drain_waiter_(drain_delay);
  }
  // Watches last as long as their jobs: end them first, not after `grace`.
  if (streams_) streams_->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
  if (std::optional<cache::FileInfoCacheStats> stats =
          FileInfoCacheStats(*projects_)) {
    UCGATE_LOG(kInfo,
               "file-info cache at shutdown: ", cache::FormatStats(*stats));
  }
  if (own_scheduler_) own_scheduler_->Shutdown();
}

void GatewayServer::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
  serving_.store(serving);
}

void GatewayServer::Wait() { server_->Wait(); }

std::shared_ptr<grpc::Channel> GatewayServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

}  // namespace ucgate::gateway
