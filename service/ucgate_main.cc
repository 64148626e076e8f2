// ucgate: the gRPC gateway for the Uploadcare REST API.
//   ucgate --config FILE                 production
//   ucgate --emulator --listen ADDR      demo on an embedded emulator
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "service/access/watched_file.h"
#include "service/common/command_line.h"
#include "service/common/log.h"
#include "service/common/protobuf_log.h"
#include "service/emulator/emulator.h"
#include "service/gateway/config.h"
#include "service/gateway/gateway_access.h"
#include "service/gateway/gateway_server.h"
#include "service/gateway/gateway_telemetry.h"
#include "service/gateway/scheduler.h"
#include "service/observability/admin_http_server.h"
#include "service/upstream/http/http_client.h"

namespace {

using ucgate::gateway::GatewayConfig;

constexpr char kDemoPublicKey[] = "demopublickey";
constexpr char kDemoSecretKey[] = "demosecretkey";
constexpr char kDemoProject[] = "demo";
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);
// How often watched files (TLS, JWKS, token keys, project keys) are checked.
constexpr absl::Duration kFilePollInterval = absl::Seconds(1);

struct Flags {
  std::string config_file;
  std::string listen;
  std::string log_level;
  std::string upstream_url;
  int64_t worker_threads = 0;
  // -1: keep what the config file and environment say.
  int64_t cache_max_bytes = -1;
  int64_t cache_ttl_seconds = -1;
  bool emulator = false;
  int64_t emulator_files = 2500;
};

// Blocks SIGINT/SIGTERM (shut down gracefully) and SIGHUP (read every watched
// file again) in every thread; call before any thread starts. A thread waits
// for them.
void BlockTerminationSignals(sigset_t* signals) {
  sigemptyset(signals);
  sigaddset(signals, SIGINT);
  sigaddset(signals, SIGTERM);
  sigaddset(signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, signals, nullptr);
}

// Two glibc defaults make a long StreamFiles grow the gateway's RSS with the
// length of the listing (tests/bench scenario 3):
//  - each allocating thread gets its own arena (up to 8 per core), and every
//    arena keeps the high-water mark of the pages parsed on it: 32 workers
//    taking turns on 1,000-file pages grew RSS from 49 to 156 MiB. One arena
//    per core keeps parsing parallel.
//  - the mmap threshold (and with it the trim threshold) rises to the
//    largest block freed, so after the first big answer every later one
//    comes from, and fragments, the heap, which is then never trimmed. A
//    fixed 256 KiB threshold keeps both at their defaults. Answer bodies are
//    recycled (http::RecycleBody), so this costs no mmap per page: streaming
//    300k files peaked at 1.12x the 10k-file RSS instead of 1.25x, with the
//    same CPU.
// An operator's MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ still win.
void TuneMalloc() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(
                             2u, std::thread::hardware_concurrency())));
  }
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) {
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  }
}

}  // namespace

int main(int argc, char** argv) {
  TuneMalloc();
  // Debian builds abseil without NDEBUG, which leaves absl::Mutex's deadlock
  // detection on: a lock-order graph updated at every lock and every
  // mutex's destruction, a few percent of the gateway's CPU on the hot path.
  // The tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  Flags flags;
  ucgate::CommandLine command_line(
      "ucgate",
      "ucgate --config FILE [options]  |  ucgate --emulator [--listen "
      "HOST:PORT]",
      "gRPC gateway for the Uploadcare REST API: holds the projects' secret "
      "keys,\n"
      "signs every upstream call, and serves uploadcare.gateway.v1 over gRPC\n"
      "(with grpc.health.v1 and server reflection).");
  command_line.AddString(
      "config", "FILE",
      "YAML configuration (projects, upstream, listen address).",
      &flags.config_file);
  command_line.AddString("listen", "HOST:PORT",
                         "Address to serve gRPC on (default 127.0.0.1:50051).",
                         &flags.listen);
  command_line.AddString("log-level", "LEVEL", "debug, info, warning or error.",
                         &flags.log_level);
  command_line.AddString(
      "upstream-url", "URL",
      "Uploadcare REST API base URL (default https://api.uploadcare.com).",
      &flags.upstream_url);
  command_line.AddInt("worker-threads", "N",
                      "Ignored: calls wait as fibers on the I/O threads.",
                      &flags.worker_threads);
  command_line.AddInt("cache-max-bytes", "N",
                      "File-info cache budget in bytes, all projects together "
                      "(default 64 MiB; 0 disables).",
                      &flags.cache_max_bytes);
  command_line.AddInt("cache-ttl-seconds", "N",
                      "How long a cached file is served before it is fetched "
                      "again (default 30).",
                      &flags.cache_ttl_seconds);
  command_line.AddFlag(
      "emulator",
      "Demo mode: start an embedded Uploadcare emulator on loopback and\n"
      "                               serve its project as 'demo' (no network, "
      "no account).",
      &flags.emulator);
  command_line.AddInt("emulator-files", "N",
                      "Files the embedded emulator seeds (default 2500).",
                      &flags.emulator_files);
  command_line.AddEpilog(
      "Environment:\n"
      "  UCGATE_LISTEN, UCGATE_LOG_LEVEL, UCGATE_LOG_FORMAT, "
      "UCGATE_ADMIN_LISTEN,\n"
      "  UCGATE_UPSTREAM_URL, UCGATE_WORKER_THREADS, UCGATE_CACHE_MAX_BYTES,\n"
      "  UCGATE_CACHE_TTL_SECONDS, UCGATE_DRAIN_DELAY_MS\n"
      "      override the config file; flags override both.\n"
      "  UCGATE_EMULATOR_PUBLIC_KEY, UCGATE_EMULATOR_SECRET_KEY\n"
      "      keys of the embedded emulator's project (--emulator).\n"
      "Secret keys are read from files or environment variables named in the\n"
      "config file (secret_key_file / secret_key_env), never from flags.\n"
      "Callers pick a project with the gRPC metadata key x-ucgate-project.");
  if (absl::Status status = command_line.Parse(argc, argv, 1, nullptr);
      !status.ok()) {
    return command_line.UsageError(status);
  }
  if (command_line.help_requested()) {
    std::cout << command_line.Help();
    return 0;
  }
  if (flags.emulator == !flags.config_file.empty()) {
    return command_line.UsageError(absl::InvalidArgumentError(
        flags.emulator ? "--emulator and --config exclude each other"
                       : "give --config FILE, or --emulator for the demo"));
  }

  ucgate::gateway::EnvironmentLookup env =
      ucgate::gateway::ProcessEnvironment();
  GatewayConfig config;
  if (!flags.config_file.empty()) {
    absl::StatusOr<GatewayConfig> loaded =
        ucgate::gateway::LoadConfigFile(flags.config_file, env);
    if (!loaded.ok()) return command_line.UsageError(loaded.status());
    config = *std::move(loaded);
  }
  if (absl::Status status = ucgate::gateway::ApplyEnvironment(env, &config);
      !status.ok()) {
    return command_line.UsageError(status);
  }
  if (!flags.listen.empty()) config.listen = flags.listen;
  if (!flags.upstream_url.empty())
    config.upstream.base_url = flags.upstream_url;
  if (flags.worker_threads > 0) {
    config.worker_threads = static_cast<int>(flags.worker_threads);
    config.worker_threads_set = true;
  }
  if (flags.cache_max_bytes >= 0)
    config.cache.max_bytes = flags.cache_max_bytes;
  if (flags.cache_ttl_seconds >= 0) {
    config.cache.ttl = absl::Seconds(flags.cache_ttl_seconds);
  }
  if (!flags.log_level.empty() &&
      !ucgate::ParseLogLevel(flags.log_level, &config.log_level)) {
    return command_line.UsageError(absl::InvalidArgumentError(
        "--log-level must be debug, info, warning or error"));
  }
  ucgate::SetLogLevel(config.log_level);
  // JSON lines for log collectors in production; the demo stays readable.
  ucgate::SetLogFormat(config.log_format.value_or(
      flags.emulator ? ucgate::LogFormat::kText : ucgate::LogFormat::kJson));
  ucgate::RouteProtobufLogs();
  // Before the emulator starts and prints: a bad or taken address is one line.
  if (absl::Status status = ucgate::gateway::CheckCanListen(config.listen);
      !status.ok()) {
    std::fprintf(stderr, "ucgate: %s\n", std::string(status.message()).c_str());
    return 2;
  }

  sigset_t termination_signals;
  BlockTerminationSignals(&termination_signals);

  std::unique_ptr<ucgate::emulator::Emulator> emulator;
  if (flags.emulator) {
    if (!ucgate::access::IsLoopbackListenAddress(config.listen)) {
      return command_line.UsageError(
          absl::InvalidArgumentError("--emulator serves on loopback only (e.g. "
                                     "--listen 127.0.0.1:50051)"));
    }
    ucgate::emulator::EmulatorOptions options;
    options.projects.push_back(
        {env("UCGATE_EMULATOR_PUBLIC_KEY").value_or(kDemoPublicKey),
         env("UCGATE_EMULATOR_SECRET_KEY").value_or(kDemoSecretKey)});
    options.seed_files = static_cast<int>(flags.emulator_files);
    absl::StatusOr<std::unique_ptr<ucgate::emulator::Emulator>> started =
        ucgate::emulator::Emulator::Start(options);
    if (!started.ok()) {
      std::fprintf(stderr, "ucgate: cannot start the emulator: %s\n",
                   std::string(started.status().message()).c_str());
      return 1;
    }
    emulator = *std::move(started);
    ucgate::gateway::ProjectConfig project;
    project.name = kDemoProject;
    project.public_key = options.projects[0].public_key;
    project.secret_key = ucgate::Secret(options.projects[0].secret_key);
    project.base_url = emulator->base_url();
    config.projects = {std::move(project)};
    // No load balancer to wait for in the demo: SIGTERM stops at once.
    config.drain_delay = absl::ZeroDuration();
    // Demo keys are printed so anyone can sign requests to the emulator by
    // hand; keys given through the environment are never printed.
    const bool demo_keys = !env("UCGATE_EMULATOR_SECRET_KEY").has_value();
    std::printf("ucgate: embedded Uploadcare emulator at %s with %d files\n",
                emulator->base_url().c_str(), options.seed_files);
    std::printf(
        "ucgate: project '%s', public key %s%s\n", kDemoProject,
        options.projects[0].public_key.c_str(),
        demo_keys ? absl::StrCat(", secret key ", kDemoSecretKey,
                                 " (demo keys; set UCGATE_EMULATOR_PUBLIC_KEY/"
                                 "UCGATE_EMULATOR_SECRET_KEY to change them)")
                        .c_str()
                  : "");
  }
  if (absl::Status status = ucgate::gateway::ValidateConfig(config);
      !status.ok()) {
    return command_line.UsageError(status);
  }

  absl::StatusOr<ucgate::gateway::GatewayTelemetry> telemetry =
      ucgate::gateway::MakeGatewayTelemetry(config);
  if (!telemetry.ok()) {
    std::fprintf(stderr, "ucgate: metrics: %s\n",
                 std::string(telemetry.status().message()).c_str());
    return 1;
  }
  // Ready (/readyz) while the gateway serves: set once it does, cleared
  // before it goes away.
  std::atomic<const ucgate::gateway::GatewayServer*> serving_gateway{nullptr};
  std::unique_ptr<ucgate::observability::AdminHttpServer> admin;
  if (!config.admin_listen.empty()) {
    auto started = ucgate::observability::AdminHttpServer::Start(
        {config.admin_listen, telemetry->registry, [&serving_gateway] {
           const auto* gateway = serving_gateway.load();
           return gateway != nullptr && gateway->serving();
         }});
    if (!started.ok()) {
      std::fprintf(stderr, "ucgate: %s\n",
                   std::string(started.status().message()).c_str());
      return 1;
    }
    admin = *std::move(started);
    UCGATE_LOG(kInfo, "admin listener (/metrics, /healthz, /readyz) on ",
               config.admin_listen, " (port ", admin->port(), ")");
    // As the gRPC address below: the resolved port, for scripts and tests.
    std::printf(
        "ucgate: admin listening on %s:%d\n",
        config.admin_listen.substr(0, config.admin_listen.rfind(':')).c_str(),
        admin->port());
  }

  ucgate::http::CurlHttpClientOptions http_options;
  http_options.connect_timeout = config.upstream.connect_timeout;
  http_options.request_timeout = config.upstream.request_timeout;
  http_options.ca_file = config.upstream.ca_file;
  http_options.max_idle_connections = config.upstream.max_idle_connections;
  http_options.max_response_bytes =
      static_cast<size_t>(config.upstream.max_response_bytes);
  http_options.io_threads = static_cast<size_t>(config.upstream.io_threads);
  http_options.max_connections_per_host =
      static_cast<size_t>(config.upstream.max_connections_per_host);
  http_options.max_in_flight =
      static_cast<size_t>(config.upstream.max_in_flight);
  http_options.http2 = config.upstream.http2;
  if (config.worker_threads_set) {
    UCGATE_LOG(kWarning,
               "worker_threads is ignored: calls wait on the upstream as "
               "fibers on the I/O threads (upstream.io_threads)");
  }
  auto clock = ucgate::MakeSystemClock();
  // Watched files: TLS certificate and key, JWKS, token keys, project keys.
  auto reloader = ucgate::access::FileReloader::Create();
  absl::StatusOr<ucgate::gateway::GatewayAccessSetup> access =
      ucgate::gateway::MakeGatewayAccess(config, reloader, clock);
  if (!access.ok()) return command_line.UsageError(access.status());
  std::shared_ptr<ucgate::http::HttpClient> http_client =
      ucgate::http::MakeCurlHttpClient(http_options);
  ucgate::gateway::WatchUpstreamConnections(*telemetry->gateway, http_client);
  const ucgate::gateway::CallExecutors executors =
      ucgate::gateway::MakeCallExecutors(*http_client, config);
  absl::StatusOr<std::shared_ptr<const ucgate::gateway::ProjectRegistry>>
      projects = ucgate::gateway::MakeProjectRegistry(
          config, http_client, clock, nullptr, reloader, telemetry->gateway,
          executors.chunks);
  if (!projects.ok()) return command_line.UsageError(projects.status());
  // The configuration file itself: callers, authorization mode and limits
  // reload while the gateway runs.
  std::shared_ptr<ucgate::gateway::ConfigFileReload> config_reload;
  if (!flags.config_file.empty()) {
    absl::StatusOr<std::shared_ptr<ucgate::gateway::ConfigFileReload>> watched =
        ucgate::gateway::ConfigFileReload::Create(
            flags.config_file, env, config, access->gate, access->jwks, clock);
    if (!watched.ok()) return command_line.UsageError(watched.status());
    config_reload = *std::move(watched);
    config_reload->set_reload_observer(
        [metrics = telemetry->gateway](bool took_effect) {
          metrics->RecordConfigReload(
              took_effect ? ucgate::observability::ReloadResult::kSuccess
                          : ucgate::observability::ReloadResult::kFailure);
        });
    reloader->Add(config_reload);
  }
  // Watched files are read on a thread of their own (a slow mount never
  // stalls an I/O loop); the job watches' timers run on the first upstream
  // I/O loop, where their polls run as fibers.
  auto scheduler = std::make_shared<ucgate::gateway::ThreadScheduler>();
  std::shared_ptr<ucgate::gateway::Scheduler> watch_scheduler = scheduler;
  if (const auto loops = http_client->loops(); !loops.empty()) {
    watch_scheduler =
        std::make_shared<ucgate::gateway::LoopScheduler>(loops.front());
  }
  reloader->Start(
      [scheduler](absl::Duration delay, std::function<void()> task) {
        scheduler->RunAfter(delay, std::move(task));
      },
      kFilePollInterval);
  ucgate::gateway::StreamOptions stream_options =
      ucgate::gateway::MakeStreamOptions(config.streams, telemetry->gateway);
  absl::StatusOr<std::unique_ptr<ucgate::gateway::GatewayServer>> server =
      ucgate::gateway::GatewayServer::Start(
          config.listen, *projects, executors.calls, std::move(stream_options),
          watch_scheduler, access->access,
          ucgate::gateway::ObservabilityOptionsOf(*telemetry));
  if (!server.ok()) {
    // A deployment error like a bad config: one line, exit code 2.
    std::fprintf(stderr, "ucgate: %s\n",
                 std::string(server.status().message()).c_str());
    return 2;
  }
  serving_gateway.store(server->get());
  std::vector<std::string> names;
  for (const auto& project : (*projects)->projects())
    names.push_back(project.name);
  UCGATE_LOG(kInfo, "ucgate listening on ", config.listen, " (port ",
             (*server)->port(), ", ", config.access.tls ? "TLS" : "plaintext",
             "), projects: ", absl::StrJoin(names, ", "),
             ", callers: ", config.access.callers.size());
  // The resolved address (port 0 picks one), for scripts and tests to read.
  std::string host = config.listen.substr(0, config.listen.rfind(':'));
  std::printf("ucgate: listening on %s:%d\n", host.c_str(), (*server)->port());
  std::fflush(stdout);

  std::thread signal_waiter([&] {
    int signal_number = 0;
    while (sigwait(&termination_signals, &signal_number) == 0 &&
           signal_number == SIGHUP) {
      UCGATE_LOG(kInfo, "SIGHUP: reading every watched file again");
      reloader->MarkAllStale();
    }
    UCGATE_LOG(kInfo, "signal ", signal_number, ": shutting down (drain ",
               absl::FormatDuration(config.drain_delay), ", grace ",
               absl::FormatDuration(kShutdownGrace), ")");
    (*server)->Shutdown(kShutdownGrace, config.drain_delay);
  });
  (*server)->Wait();
  signal_waiter.join();
  serving_gateway.store(nullptr);
  reloader->Stop();
  scheduler->Shutdown();
  UCGATE_LOG(kInfo, "ucgate stopped");
  return 0;
}
