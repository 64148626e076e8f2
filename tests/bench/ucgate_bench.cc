// The benchmark harness: every scenario of issue 4 side by side in one run,
// printed as tables with each target's ratio and verdict.
//
//   ucgate_bench [--quick] [--scenarios 1,2,3,4] [options]   (--help)
//
// 1. bare gRPC echo vs GetFile served from the gateway's file-info cache
// 2. GetFile forwarded to the emulator (cache off) vs direct keep-alive curl
// 3. StreamFiles vs direct page fetches, and the gateway's peak RSS
// 4. WatchConversionJob with many watchers: upstream polls
// 6. (on demand) a soak: 1,000 slow streams beside unary load, RSS sampled
//
// Exits non-zero when a scenario that ran produced no numbers or failed
// calls (what the ctest smoke run checks); missed targets are reported, not
// failures.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/common/command_line.h"
#include "service/common/log.h"
#include "service/emulator/emulator.h"
#include "service/gateway/gateway_server.h"
#include "service/gateway/gateway_telemetry.h"
#include "service/restapi/file_json.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/http/http_client.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_rounds.h"
#include "tests/bench/child_process.h"
#include "tests/bench/echo_server.h"
#include "tests/bench/load_generator.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::bench {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr char kPublicKey[] = "benchpublickey";
constexpr char kSecretKey[] = "benchsecretkey";

struct Settings {
  bool quick = false;
  std::vector<int> scenarios = {1, 2, 3, 4};
  int64_t in_flight = 16;
  int64_t channels = 4;
  int64_t seconds = 3;
  int64_t rounds = 5;
  int64_t stream_files = 100000;
  int64_t latency_ms = 20;
  std::string rss_files = "10000,1000000";
  int64_t soak_seconds = 180;
  int64_t soak_streams = 1000;
  std::string gateway_binary = UCGATE_BIN;
  std::string emulator_binary = UCGATE_EMULATOR_BIN;
};

LoadOptions Load(const Settings& settings, int in_flight) {
  LoadOptions options;
  options.in_flight = in_flight;
  options.warm_up =
      settings.quick ? absl::Milliseconds(100) : absl::Milliseconds(500);
  options.duration = settings.quick ? absl::Milliseconds(300)
                                    : absl::Seconds(settings.seconds);
  return options;
}

// The file-info cache is configured through GatewayConfig::cache.max_bytes
// once it exists; until then scenario 1 says so instead of measuring.
template <typename Config, typename = void>
struct HasFileCache : std::false_type {};
template <typename Config>
struct HasFileCache<
    Config, std::void_t<decltype(std::declval<Config&>().cache.max_bytes)>>
    : std::true_type {};
constexpr bool kFileCacheAvailable =
    HasFileCache<gateway::GatewayConfig>::value;

template <typename Config>
void SetCacheBytes(Config& config, int64_t bytes) {
  if constexpr (HasFileCache<Config>::value) config.cache.max_bytes = bytes;
}

// An in-process gateway serving one project on `emulator`.
struct Gateway {
  std::shared_ptr<const gateway::ProjectRegistry> projects;
  std::unique_ptr<gateway::GatewayServer> server;
  std::string target;
};

// `observed`: with the metrics and the observing interceptor (per-call log
// line included), as ucgate runs.
absl::StatusOr<Gateway> StartGateway(const emulator::Emulator& emulator,
                                     std::shared_ptr<http::HttpClient> http,
                                     int64_t cache_bytes,
                                     bool observed = false) {
  gateway::GatewayConfig config;
  SetCacheBytes(config, cache_bytes);
  gateway::ProjectConfig project;
  project.name = "bench";
  project.public_key = kPublicKey;
  project.secret_key = Secret(kSecretKey);
  project.base_url = emulator.base_url();
  config.projects.push_back(project);
  Gateway gateway;
  gateway::GatewayTelemetry telemetry;
  std::optional<observability::ServerObservabilityOptions> observability;
  if (observed) {
    auto made = gateway::MakeGatewayTelemetry(config);
    if (!made.ok()) return made.status();
    telemetry = *std::move(made);
    observability = gateway::ObservabilityOptionsOf(telemetry);
  }
  gateway::StreamOptions stream_options =
      gateway::MakeStreamOptions(config.streams, telemetry.gateway);
  // As ucgate runs: every call a fiber on the HTTP client's I/O loops.
  const gateway::CallExecutors executors =
      gateway::MakeCallExecutors(*http, config);
  auto projects = gateway::MakeProjectRegistry(
      config, std::move(http), MakeSystemClock(), /*sleeper=*/nullptr,
      /*reloader=*/nullptr, telemetry.gateway, executors.chunks);
  if (!projects.ok()) return projects.status();
  gateway.projects = *std::move(projects);
  auto server = gateway::GatewayServer::Start(
      "127.0.0.1:0", gateway.projects, executors.calls, stream_options,
      /*scheduler=*/nullptr, gateway::GatewayAccess{}, observability);
  if (!server.ok()) return server.status();
  gateway.server = *std::move(server);
  gateway.target = absl::StrCat("127.0.0.1:", gateway.server->port());
  return gateway;
}

template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> Stubs(
    const std::string& target, int channels) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (auto& channel : MakeChannels(target, channels)) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

// GetFile of `uuids[call % size]` on the slot's channel.
StartCall GetFileStarter(
    const std::vector<std::unique_ptr<v1::FileService::Stub>>& stubs,
    const std::vector<v1::GetFileRequest>& requests) {
  auto next = std::make_shared<std::atomic<size_t>>(0);
  return UnaryStarter<v1::GetFileResponse>(
      [&stubs, &requests, next](int slot, grpc::ClientContext* context,
                                v1::GetFileResponse* response, auto on_done) {
        const v1::GetFileRequest& request =
            requests[next->fetch_add(1) % requests.size()];
        stubs[slot % stubs.size()]->async()->GetFile(
            context, &request, response, std::move(on_done));
      });
}

// The bare hop: an echo answering as many bytes as `response_bytes`.
struct Echo {
  std::unique_ptr<EchoServer> server;
  EchoCalls calls;

  StartCall Starter() const { return calls.Starter(); }
};

absl::StatusOr<Echo> StartEcho(int channels, size_t request_bytes,
                               size_t response_bytes) {
  Echo echo;
  auto server = EchoServer::Start("127.0.0.1:0");
  if (!server.ok()) return server.status();
  echo.server = *std::move(server);
  echo.calls =
      EchoCalls(echo.server->port(), channels, request_bytes, response_bytes);
  return echo;
}

absl::StatusOr<std::unique_ptr<emulator::Emulator>> StartEmulator(int files) {
  emulator::EmulatorOptions options;
  options.projects.push_back({kPublicKey, kSecretKey});
  options.seed_files = files;
  return emulator::Emulator::Start(options);
}

// Rounds of 1 s rows (one round in --quick); see bench_rounds.h.
std::vector<Round> MeasureInRounds(const Settings& settings, int in_flight,
                                   const std::vector<MeasureRow>& rows,
                                   const RoundRatio& ratio) {
  LoadOptions load = Load(settings, in_flight);
  if (!settings.quick) load.duration = absl::Seconds(1);
  return MeasureRounds(load, settings.quick ? 1 : settings.rounds, rows, ratio);
}

// ---------------------------------------------------------------------------
// 1. Bare echo vs GetFile from the cache, N in flight.

absl::Status CachedGetFileScenario(const Settings& settings, Report& report) {
  const std::string scenario = "1 cache";
  const std::string target_text =
      absl::StrCat("cached GetFile >= 0.8x echo calls/s, ", settings.in_flight,
                   " in flight");
  if (!kFileCacheAvailable) {
    report.AddNote(scenario,
                   "cache not available in this build "
                   "(GatewayConfig has no cache.max_bytes)");
    report.AddVerdict(scenario, target_text, "cache not available",
                      Verdict::kNotAvailable);
    return absl::OkStatus();
  }
  auto emulator = StartEmulator(1000);
  if (!emulator.ok()) return emulator.status();
  auto http = http::MakeCurlHttpClient({});
  auto gateway = StartGateway(**emulator, http, int64_t{64} << 20);
  if (!gateway.ok()) return gateway.status();
  // The same gateway observed (metrics, request ids, a JSON log line per
  // call, written to a sink that drops it): the overhead ucgate runs with.
  auto observed =
      StartGateway(**emulator, http, int64_t{64} << 20, /*observed=*/true);
  if (!observed.ok()) return observed.status();
  const LogFormat format_before = CurrentLogFormat();
  SetLogFormat(LogFormat::kJson);
  SetLogSink([](absl::string_view) {});

  // 100 different files, all cached after the warm-up.
  std::vector<v1::GetFileRequest> requests;
  for (const v1::File& file : (*emulator)->Files(kPublicKey)) {
    if (requests.size() == 100) break;
    requests.emplace_back().set_uuid(file.uuid());
  }
  v1::GetFileResponse answer;
  *answer.mutable_file() = (*emulator)->Files(kPublicKey).front();
  const size_t file_bytes = answer.ByteSizeLong();
  auto echo = StartEcho(static_cast<int>(settings.channels),
                        requests.front().ByteSizeLong(), file_bytes);
  if (!echo.ok()) return echo.status();

  const int in_flight = static_cast<int>(settings.in_flight);
  auto stubs = Stubs<v1::FileService>(gateway->target,
                                      static_cast<int>(settings.channels));
  LoadOptions cached_options = Load(settings, in_flight);
  cached_options.warm_up_calls = static_cast<int64_t>(requests.size()) * 2;
  cached_options.calls = 1;  // the warm-up fills the cache; nothing to measure
  StartCall get_file = GetFileStarter(stubs, requests);
  RunLoad(cached_options, get_file);  // fills the cache
  auto observed_stubs = Stubs<v1::FileService>(
      observed->target, static_cast<int>(settings.channels));
  StartCall observed_get_file = GetFileStarter(observed_stubs, requests);
  RunLoad(cached_options, observed_get_file);  // its own cache
  (*emulator)->ClearRequests();

  std::vector<Round> rounds = MeasureInRounds(
      settings, in_flight,
      {[&](const LoadOptions& load) { return RunLoad(load, echo->Starter()); },
       [&](const LoadOptions& load) { return RunLoad(load, get_file); },
       [&](const LoadOptions& load) {
         return RunLoad(load, observed_get_file);
       }},
      [](const std::vector<LoadResult>& rows) {
        return rows[1].calls_per_second / rows[0].calls_per_second;
      });
  SetLogSink(nullptr);
  SetLogFormat(format_before);
  const size_t upstream_calls = (*emulator)->requests().size();
  const Round& median = ReportRounds(
      report, scenario, "cached GetFile / echo calls/s, each round", rounds);
  const LoadResult& echo_result = median.rows[0];
  const LoadResult& cached = median.rows[1];
  report.AddLoad(scenario,
                 absl::StrCat("bare gRPC echo (", file_bytes, " B answers)"),
                 in_flight, echo_result);
  report.AddLoad(scenario, "GetFile from the gateway's cache", in_flight,
                 cached);
  report.AddLoad(scenario,
                 "the same, observed (metrics, request id, JSON log line)",
                 in_flight, median.rows[2]);
  std::vector<double> observed_ratios;
  for (const Round& round : rounds) {
    observed_ratios.push_back(round.rows[2].calls_per_second /
                              round.rows[1].calls_per_second);
  }
  std::sort(observed_ratios.begin(), observed_ratios.end());
  report.AddFigure(
      scenario, "observed / unobserved cached GetFile calls/s, each round",
      absl::StrJoin(observed_ratios, " ", [](std::string* out, double ratio) {
        absl::StrAppendFormat(out, "%.2f", ratio);
      }));
  report.AddFigure(scenario, "upstream calls while measuring cached GetFile",
                   absl::StrCat(upstream_calls));
  report.AddVerdict(
      scenario, target_text,
      absl::StrFormat("%s%.0f vs %.0f calls/s)", MedianText(rounds),
                      cached.calls_per_second, echo_result.calls_per_second),
      median.ratio >= 0.8 ? Verdict::kMet : Verdict::kMissed);
  gateway->server->Shutdown(absl::ZeroDuration());
  observed->server->Shutdown(absl::ZeroDuration());
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// 2. GetFile forwarded (cache off) vs a direct keep-alive libcurl GET.

absl::Status ForwardedGetFileScenario(const Settings& settings,
                                      Report& report) {
  const std::string scenario = "2 forward";
  auto emulator = StartEmulator(1000);
  if (!emulator.ok()) return emulator.status();
  auto http = http::MakeCurlHttpClient({});
  auto gateway = StartGateway(**emulator, http, 0);
  if (!gateway.ok()) return gateway.status();
  const v1::File file = (*emulator)->Files(kPublicKey).front();
  std::vector<v1::GetFileRequest> requests(1);
  requests[0].set_uuid(file.uuid());
  v1::GetFileResponse answer;
  *answer.mutable_file() = file;
  auto echo = StartEcho(static_cast<int>(settings.channels),
                        requests[0].ByteSizeLong(), answer.ByteSizeLong());
  if (!echo.ok()) return echo.status();

  // Direct: what a service calling the REST API itself does per request.
  auto signer = auth::MakeRequestSigner(auth::AuthScheme::kSigned,
                                        {kPublicKey, Secret(kSecretKey)},
                                        MakeSystemClock());
  const std::string path = absl::StrCat("/files/", file.uuid(), "/");
  const std::string url = absl::StrCat((*emulator)->base_url(), path);
  BlockingCall direct = [&](int) -> absl::Status {
    http::HttpRequest request;
    request.url = url;
    request.headers = {{"Accept", "application/vnd.uploadcare-v0.7+json"},
                       {"Content-Type", "application/json"}};
    signer->Sign(http::HttpMethod::kGet, path, "application/json", "",
                 request.headers);
    auto response = http->Send(request, {});
    if (!response.ok()) return response.status();
    if (response->status_code != 200) {
      return absl::UnknownError(absl::StrCat("HTTP ", response->status_code));
    }
    return absl::OkStatus();
  };

  auto stubs = Stubs<v1::FileService>(gateway->target,
                                      static_cast<int>(settings.channels));
  StartCall forwarded = GetFileStarter(stubs, requests);

  // Diagnostics: the gRPC hop into the gateway alone (a malformed UUID is
  // refused on the reactor thread: no executor handoff, no upstream call),
  // and the upstream stack alone (sign, curl, map; no gRPC, no handoff).
  std::vector<v1::GetFileRequest> refused_requests(1);
  refused_requests[0].set_uuid("not-a-uuid");
  StartCall refused_start = GetFileStarter(stubs, refused_requests);
  StartCall hop_only = [&](int slot, Done done) {
    refused_start(slot, [done = std::move(done)](absl::Status status) {
      done(absl::IsInvalidArgument(status)
               ? absl::OkStatus()
               : absl::InternalError(absl::StrCat(
                     "expected INVALID_ARGUMENT, got ", status.ToString())));
    });
  };
  upstream::FileOperations& stack =
      *gateway->projects->projects().front().upstream.files;
  BlockingCall stack_only = [&](int) {
    return stack.GetFile({}, requests[0]).status();
  };

  std::vector<Round> rounds = MeasureInRounds(
      settings, 1,
      {[&](const LoadOptions& load) { return RunLoad(load, echo->Starter()); },
       [&](const LoadOptions& load) { return RunBlockingLoad(load, direct); },
       [&](const LoadOptions& load) { return RunLoad(load, forwarded); }},
      [](const std::vector<LoadResult>& rows) {
        return absl::FDivDuration(rows[2].p50 - rows[1].p50, rows[0].p50);
      });
  const Round& median = ReportRounds(
      report, scenario, "forwarded p50 - direct p50, in echo p50s, each round",
      rounds);
  const LoadResult& echo_serial = median.rows[0];
  const LoadResult& direct_serial = median.rows[1];
  const LoadResult& forwarded_serial = median.rows[2];
  const LoadResult hop_serial = RunLoad(Load(settings, 1), hop_only);
  const LoadResult stack_serial =
      RunBlockingLoad(Load(settings, 1), stack_only);
  const int in_flight = static_cast<int>(settings.in_flight);
  const LoadResult direct_parallel =
      RunBlockingLoad(Load(settings, in_flight), direct);
  const LoadResult forwarded_parallel =
      RunLoad(Load(settings, in_flight), forwarded);

  report.AddLoad(scenario, "bare gRPC echo", 1, echo_serial);
  report.AddLoad(scenario, "direct libcurl GET", 1, direct_serial);
  report.AddLoad(scenario, "GetFile via ucgate (cache off)", 1,
                 forwarded_serial);
  report.AddLoad(scenario, "  gRPC hop only (refused request)", 1, hop_serial);
  report.AddLoad(scenario, "  upstream stack only (sign, curl, map)", 1,
                 stack_serial);
  report.AddLoad(scenario, "direct libcurl GET", in_flight, direct_parallel);
  report.AddLoad(scenario, "GetFile via ucgate (cache off)", in_flight,
                 forwarded_parallel);

  const absl::Duration added = forwarded_serial.p50 - direct_serial.p50;
  report.AddVerdict(scenario,
                    "forwarded p50 - direct p50 <= 1.5x echo p50, 1 in flight",
                    absl::StrFormat("%sadds %s; echo %s)", MedianText(rounds),
                                    Micros(added), Micros(echo_serial.p50)),
                    median.ratio <= 1.5 ? Verdict::kMet : Verdict::kMissed);
  gateway->server->Shutdown(absl::ZeroDuration());
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// 3. StreamFiles vs fetching the same pages directly; the gateway's peak RSS.
// Both run as separate processes (ucgate-emulator, ucgate), so that the
// gateway's memory is its own.

struct Upstream {
  std::unique_ptr<ChildProcess> process;
  std::string base_url;
};

absl::StatusOr<Upstream> StartEmulatorProcess(const Settings& settings,
                                              int64_t files) {
  Upstream upstream;
  auto process = ChildProcess::Start(
      {settings.emulator_binary, "--listen", "127.0.0.1:0", "--seed-files",
       absl::StrCat(files), "--log-level", "error"},
      {absl::StrCat("UCGATE_EMULATOR_PUBLIC_KEY=", kPublicKey),
       absl::StrCat("UCGATE_EMULATOR_SECRET_KEY=", kSecretKey)},
      "listening on ", absl::Minutes(5), &upstream.base_url);
  if (!process.ok()) return process.status();
  upstream.process = *std::move(process);
  return upstream;
}

// Every GET under /files/ waits `latency` before it is answered.
absl::Status AddUpstreamLatency(http::HttpClient& http,
                                const std::string& base_url,
                                absl::Duration latency) {
  http::HttpRequest request;
  request.method = http::HttpMethod::kPost;
  request.url = absl::StrCat(base_url, "/__emulator/faults");
  request.headers = {{"Content-Type", "application/json"}};
  request.body =
      absl::StrCat(R"({"method":"GET","path_prefix":"/files/","latency_ms":)",
                   absl::ToInt64Milliseconds(latency), "}");
  auto response = http.Send(request, {});
  if (!response.ok()) return response.status();
  if (response->status_code / 100 != 2) {
    return absl::InternalError(
        absl::StrCat("POST /__emulator/faults: HTTP ", response->status_code));
  }
  return absl::OkStatus();
}

struct GatewayProcess {
  std::unique_ptr<ChildProcess> process;
  std::string target;
};

// ucgate on `base_url`, by default with the cache off: the memory measured
// is the stream's, not the cache's (bounded apart by cache.max_bytes).
absl::StatusOr<GatewayProcess> StartGatewayProcess(const Settings& settings,
                                                   const std::string& base_url,
                                                   int64_t cache_bytes = 0) {
  const std::string config_path =
      absl::StrCat("/tmp/ucgate_bench_", getpid(), ".yaml");
  std::ofstream(config_path) << "listen: 127.0.0.1:0\n"
                             << "log_level: error\n"
                             << "cache: {max_bytes: " << cache_bytes << "}\n"
                             << "upstream: {base_url: \"" << base_url << "\"}\n"
                             << "projects:\n"
                             << "  - name: bench\n"
                             << "    public_key: " << kPublicKey << "\n"
                             << "    secret_key_env: UCGATE_BENCH_SECRET\n";
  GatewayProcess gateway;
  auto process =
      ChildProcess::Start({settings.gateway_binary, "--config", config_path},
                          {absl::StrCat("UCGATE_BENCH_SECRET=", kSecretKey)},
                          "listening on ", absl::Seconds(30), &gateway.target);
  std::remove(config_path.c_str());
  if (!process.ok()) return process.status();
  gateway.process = *std::move(process);
  return gateway;
}

struct Listing {
  int64_t files = 0;
  int64_t messages = 0;  // pages (direct) or stream messages
  absl::Duration wall;
};

// What a client of the REST API does itself: GET each page with a keep-alive
// handle, map it, follow `next`.
absl::StatusOr<Listing> FetchPagesDirectly(http::HttpClient& http,
                                           const std::string& base_url) {
  auto signer = auth::MakeRequestSigner(auth::AuthScheme::kSigned,
                                        {kPublicKey, Secret(kSecretKey)},
                                        MakeSystemClock());
  Listing listing;
  const absl::Time begin = absl::Now();
  std::string url = absl::StrCat(base_url, "/files/?limit=1000");
  while (!url.empty()) {
    if (!absl::StartsWith(url, base_url)) {
      return absl::InternalError(absl::StrCat("unexpected next URL ", url));
    }
    const std::string path_and_query = url.substr(base_url.size());
    http::HttpRequest request;
    request.url = url;
    request.headers = {{"Accept", "application/vnd.uploadcare-v0.7+json"},
                       {"Content-Type", "application/json"}};
    signer->Sign(http::HttpMethod::kGet, path_and_query, "application/json", "",
                 request.headers);
    auto response = http.Send(request, {});
    if (!response.ok()) return response.status();
    if (response->status_code != 200) {
      return absl::InternalError(absl::StrCat("GET ", path_and_query, ": HTTP ",
                                              response->status_code));
    }
    v1::ListFilesResponse page;
    if (auto status = restapi::ParseFileListPage(response->body, &page, &url);
        !status.ok()) {
      return status;
    }
    listing.files += page.files_size();
    ++listing.messages;
  }
  listing.wall = absl::Now() - begin;
  return listing;
}

absl::StatusOr<Listing> StreamAllFiles(const std::string& target) {
  auto stub = v1::FileService::NewStub(MakeChannels(target, 1).front());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::minutes(30));
  v1::StreamFilesRequest request;
  Listing listing;
  const absl::Time begin = absl::Now();
  auto reader = stub->StreamFiles(&context, request);
  v1::StreamFilesResponse message;
  while (reader->Read(&message)) {
    listing.files += message.files_size();
    ++listing.messages;
  }
  if (auto status = FromGrpc(reader->Finish()); !status.ok()) return status;
  listing.wall = absl::Now() - begin;
  return listing;
}

std::string Seconds(absl::Duration duration) {
  return absl::StrFormat("%.2f s", absl::ToDoubleSeconds(duration));
}

std::string Mebibytes(int64_t bytes) {
  return absl::StrFormat("%.1f MiB", bytes / (1024.0 * 1024.0));
}

absl::Status StreamFilesScenario(const Settings& settings, Report& report) {
  const std::string scenario = "3 stream";
  const int64_t files = settings.quick ? 5000 : settings.stream_files;
  const absl::Duration latency = absl::Milliseconds(settings.latency_ms);
  auto http = http::MakeCurlHttpClient({});
  {
    auto upstream = StartEmulatorProcess(settings, files);
    if (!upstream.ok()) return upstream.status();
    if (auto status = AddUpstreamLatency(*http, upstream->base_url, latency);
        !status.ok()) {
      return status;
    }
    auto gateway = StartGatewayProcess(settings, upstream->base_url);
    if (!gateway.ok()) return gateway.status();
    auto emulator_cpu_before = upstream->process->CpuTime();
    auto direct = FetchPagesDirectly(*http, upstream->base_url);
    if (!direct.ok()) return direct.status();
    auto emulator_cpu_direct = upstream->process->CpuTime();
    auto gateway_cpu_before = gateway->process->CpuTime();
    auto streamed = StreamAllFiles(gateway->target);
    if (!streamed.ok()) return streamed.status();
    auto gateway_cpu_after = gateway->process->CpuTime();
    auto emulator_cpu_stream = upstream->process->CpuTime();
    // Where the time goes on this 2-core machine: every process's CPU.
    if (emulator_cpu_before.ok() && emulator_cpu_direct.ok() &&
        emulator_cpu_stream.ok() && gateway_cpu_before.ok() &&
        gateway_cpu_after.ok()) {
      report.AddFigure(
          scenario, "CPU: emulator serving the pages directly / via ucgate",
          absl::StrCat(Seconds(*emulator_cpu_direct - *emulator_cpu_before),
                       " / ",
                       Seconds(*emulator_cpu_stream - *emulator_cpu_direct)));
      report.AddFigure(scenario, "CPU: ucgate streaming them",
                       Seconds(*gateway_cpu_after - *gateway_cpu_before));
    }
    // The default listing leaves removed files out: both must agree.
    if (direct->files != streamed->files || direct->files == 0) {
      return absl::InternalError(absl::StrCat("listed ", direct->files,
                                              " files directly but streamed ",
                                              streamed->files));
    }
    const std::string setting =
        absl::StrCat(direct->files, " files, upstream latency ",
                     absl::ToInt64Milliseconds(latency), " ms per page");
    report.AddFigure(scenario,
                     absl::StrCat("direct libcurl pages of 1000 (",
                                  direct->messages, " pages), ", setting),
                     Seconds(direct->wall));
    report.AddFigure(scenario,
                     absl::StrCat("StreamFiles via ucgate (",
                                  streamed->messages, " messages), ", setting),
                     Seconds(streamed->wall));
    const double ratio = absl::FDivDuration(streamed->wall, direct->wall);
    report.AddVerdict(
        scenario, "StreamFiles wall <= 1.1x direct page fetches",
        absl::StrFormat("%.2fx (%s vs %s)", ratio, Seconds(streamed->wall),
                        Seconds(direct->wall)),
        ratio <= 1.1 ? Verdict::kMet : Verdict::kMissed);
  }

  // Peak RSS: a fresh gateway per size, no upstream latency.
  std::vector<int64_t> sizes;
  for (absl::string_view part : absl::StrSplit(
           settings.quick ? std::string("2000,20000") : settings.rss_files, ',',
           absl::SkipEmpty())) {
    int64_t size = 0;
    if (!absl::SimpleAtoi(part, &size) || size < 1) {
      return absl::InvalidArgumentError("--rss-files expects sizes");
    }
    sizes.push_back(size);
  }
  std::vector<int64_t> peaks;
  for (int64_t size : sizes) {
    auto upstream = StartEmulatorProcess(settings, size);
    if (!upstream.ok()) return upstream.status();
    auto gateway = StartGatewayProcess(settings, upstream->base_url);
    if (!gateway.ok()) return gateway.status();
    auto at_start = gateway->process->PeakRssBytes();
    auto streamed = StreamAllFiles(gateway->target);
    if (!streamed.ok()) return streamed.status();
    // Removed files (a few percent of the seeded ones) are not listed.
    if (streamed->files < size * 9 / 10) {
      return absl::InternalError(
          absl::StrCat("streamed ", streamed->files, " of ", size, " files"));
    }
    auto peak = gateway->process->PeakRssBytes();
    if (!at_start.ok()) return at_start.status();
    if (!peak.ok()) return peak.status();
    report.AddFigure(
        scenario,
        absl::StrCat("ucgate peak RSS (VmHWM) streaming ", streamed->files,
                     " of ", size, " seeded files in ", Seconds(streamed->wall),
                     " (at start ", Mebibytes(*at_start), ")"),
        Mebibytes(*peak));
    peaks.push_back(*peak);
  }
  if (peaks.size() >= 2) {
    const double ratio = static_cast<double>(peaks.back()) / peaks.front();
    report.AddVerdict(
        scenario,
        absl::StrCat("flat memory: peak RSS for ", sizes.back(),
                     " files <= 1.2x for ", sizes.front()),
        absl::StrFormat("%.2fx (%s vs %s)", ratio, Mebibytes(peaks.back()),
                        Mebibytes(peaks.front())),
        ratio <= 1.2 ? Verdict::kMet : Verdict::kMissed);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// 4. WatchConversionJob: many watchers of one job, upstream polls counted.

// One watcher: reads updates until the stream ends.
class Watcher : public grpc::ClientReadReactor<v1::WatchConversionJobResponse> {
 public:
  Watcher(v1::ConversionService::Stub& stub,
          const v1::WatchConversionJobRequest& request,
          std::function<void(Watcher&)> on_done)
      : on_done_(std::move(on_done)) {
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::minutes(2));
    stub.async()->WatchConversionJob(&context_, &request, this);
    StartRead(&update_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    ++updates_;
    last_status_ = update_.status();
    StartRead(&update_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = FromGrpc(status);
    on_done_(*this);
  }

  int updates() const { return updates_; }
  v1::ConversionStatus last_status() const { return last_status_; }
  const absl::Status& status() const { return status_; }

 private:
  grpc::ClientContext context_;
  v1::WatchConversionJobResponse update_;
  std::function<void(Watcher&)> on_done_;
  int updates_ = 0;
  v1::ConversionStatus last_status_ = v1::CONVERSION_STATUS_UNSPECIFIED;
  absl::Status status_;
};

struct WatchOutcome {
  int finished = 0;  // watchers that saw FINISHED and ended cleanly
  int64_t polls = 0;
  absl::Duration wall;
  std::string first_error;
};

// Converts a document, then watches the job with `watchers` streams.
absl::StatusOr<WatchOutcome> WatchOneJob(emulator::Emulator& emulator,
                                         const std::string& target,
                                         const std::string& document_uuid,
                                         int watchers, int channels) {
  auto conversion_stubs = Stubs<v1::ConversionService>(target, channels);
  v1::ConvertDocumentRequest convert;
  convert.add_conversions()->set_uuid(document_uuid);
  convert.mutable_conversions(0)->set_format(v1::DOCUMENT_FORMAT_PDF);
  v1::ConvertDocumentResponse jobs;
  grpc::ClientContext convert_context;
  if (auto status = FromGrpc(conversion_stubs.front()->ConvertDocument(
          &convert_context, convert, &jobs));
      !status.ok()) {
    return status;
  }
  if (jobs.jobs_size() != 1) {
    return absl::InternalError("ConvertDocument did not start one job");
  }
  emulator.ClearRequests();
  v1::WatchConversionJobRequest watch;
  watch.set_kind(v1::CONVERSION_KIND_DOCUMENT);
  watch.set_token(jobs.jobs(0).token());

  absl::Mutex mutex;
  int done = 0;
  WatchOutcome outcome;
  const absl::Time begin = absl::Now();
  std::vector<std::unique_ptr<Watcher>> streams;
  for (int i = 0; i < watchers; ++i) {
    streams.push_back(std::make_unique<Watcher>(
        *conversion_stubs[i % conversion_stubs.size()], watch,
        [&](Watcher& watcher) {
          absl::MutexLock lock(&mutex);
          ++done;
          if (watcher.status().ok() &&
              watcher.last_status() == v1::CONVERSION_STATUS_FINISHED) {
            ++outcome.finished;
          } else if (outcome.first_error.empty()) {
            outcome.first_error =
                watcher.status().ok()
                    ? absl::StrCat("ended at status ", watcher.last_status())
                    : watcher.status().ToString();
          }
        }));
  }
  {
    absl::MutexLock lock(&mutex);
    const auto all_done = [&] { return done == watchers; };
    if (!mutex.AwaitWithTimeout(absl::Condition(&all_done), absl::Minutes(3))) {
      return absl::DeadlineExceededError("watchers did not finish");
    }
  }
  outcome.wall = absl::Now() - begin;
  const std::string status_path =
      absl::StrCat("/convert/document/status/", jobs.jobs(0).token());
  for (const emulator::RecordedRequest& request : emulator.requests()) {
    outcome.polls += absl::StartsWith(request.path_and_query, status_path);
  }
  return outcome;
}

absl::Status WatchScenario(const Settings& settings, Report& report) {
  const std::string scenario = "4 watch";
  const int watchers = settings.quick ? 50 : 1000;
  auto emulator = StartEmulator(200);
  if (!emulator.ok()) return emulator.status();
  auto gateway =
      StartGateway(**emulator, http::MakeCurlHttpClient({}), int64_t{64} << 20);
  if (!gateway.ok()) return gateway.status();
  std::string document_uuid;
  for (const v1::File& file : (*emulator)->Files(kPublicKey)) {
    if (!file.has_datetime_removed() &&
        absl::StartsWith(file.mime_type(), "application/pdf")) {
      document_uuid = file.uuid();
      break;
    }
  }
  if (document_uuid.empty()) {
    return absl::InternalError("the emulator seeded no PDF document");
  }
  auto one = WatchOneJob(**emulator, gateway->target, document_uuid, 1, 1);
  if (!one.ok()) return one.status();
  auto many = WatchOneJob(**emulator, gateway->target, document_uuid, watchers,
                          static_cast<int>(settings.channels));
  if (!many.ok()) return many.status();
  for (const auto& [count, outcome] :
       {std::pair<int, const WatchOutcome*>{1, &*one},
        std::pair<int, const WatchOutcome*>{watchers, &*many}}) {
    report.AddFigure(
        scenario,
        absl::StrCat("upstream status polls, ", count,
                     " watcher(s) of one job (", outcome->finished, " of ",
                     count, " saw FINISHED, ", Seconds(outcome->wall), ")"),
        absl::StrCat(outcome->polls));
    if (outcome->finished != count) {
      return absl::InternalError(
          absl::StrCat(count - outcome->finished,
                       " watchers failed: ", outcome->first_error));
    }
  }
  report.AddVerdict(
      scenario,
      absl::StrCat("one upstream poll serves every watcher: polls with ",
                   watchers, " watchers <= polls with 1 + 1"),
      absl::StrCat(many->polls, " vs ", one->polls),
      many->polls <= one->polls + 1 ? Verdict::kMet : Verdict::kMissed);
  gateway->server->Shutdown(absl::ZeroDuration());
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// 6. Soak (not in the default run; deploy/scripts/bench.sh runs it): ucgate
// as a process, `soak_streams` StreamFiles readers reading one message a
// second (each starts over when its listing ends) beside 16 GetFile calls in
// flight, for `soak_seconds`. Samples the gateway's RSS; every call must
// succeed (a stream refused for memory, with RetryInfo, is counted apart and
// retried), RSS must stay flat through the second half and fall back once
// the streams end.

absl::Status SoakScenario(const Settings& settings, Report& report) {
  const std::string name = "6. soak: slow streams + unary load";
  const int64_t files = settings.quick ? 300 : 2500;
  const int streams =
      settings.quick ? 20 : static_cast<int>(settings.soak_streams);
  const absl::Duration duration =
      settings.quick ? absl::Seconds(3) : absl::Seconds(settings.soak_seconds);
  auto upstream = StartEmulatorProcess(settings, files);
  if (!upstream.ok()) return upstream.status();
  // The unary calls are answered from the cache (64 MiB), as a busy
  // gateway's GetFile mostly is: the emulator, on the same two cores, is
  // busy enough with the streams' pages.
  auto gateway = StartGatewayProcess(settings, upstream->base_url, 64 << 20);
  if (!gateway.ok()) return gateway.status();

  const absl::Duration read_interval =
      settings.quick ? absl::Milliseconds(100) : absl::Seconds(1);
  auto stream_channels = MakeChannels(gateway->target, 4);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> listings{0}, stream_errors{0}, refusals{0},
      late_refusals{0};
  const absl::Time soak_begin = absl::Now();
  // Refusals after the opening burst (1,000 streams admitted at once on
  // estimates) are the steady state's.
  const absl::Duration burst =
      settings.quick ? absl::Seconds(1) : absl::Seconds(20);
  absl::Mutex error_mutex;
  std::string first_error;
  auto note_error = [&](const std::string& error) {
    absl::MutexLock lock(&error_mutex);
    if (first_error.empty()) first_error = error;
  };
  std::vector<std::thread> readers;
  readers.reserve(streams);
  for (int i = 0; i < streams; ++i) {
    readers.emplace_back([&, i] {
      auto stub =
          v1::FileService::NewStub(stream_channels[i % stream_channels.size()]);
      while (!stop.load()) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::minutes(10));
        auto reader = stub->StreamFiles(&context, v1::StreamFilesRequest());
        v1::StreamFilesResponse message;
        int64_t received = 0;
        while (!stop.load() && reader->Read(&message)) {
          received += message.files_size();
          absl::SleepFor(read_interval);
        }
        if (stop.load()) {
          context.TryCancel();
          reader->Finish();
          return;
        }
        const grpc::Status status = reader->Finish();
        if (status.ok()) {
          ++listings;
        } else if (status.error_code() ==
                       grpc::StatusCode::RESOURCE_EXHAUSTED &&
                   received == 0) {
          ++refusals;  // refused for memory before anything was sent
          if (absl::Now() - soak_begin > burst) ++late_refusals;
          absl::SleepFor(absl::Seconds(1));
        } else {
          ++stream_errors;
          note_error(status.error_message());
        }
      }
    });
  }
  // The unary load, for the whole soak, beside the streams.
  auto stubs = Stubs<v1::FileService>(gateway->target, 2);
  std::vector<v1::GetFileRequest> requests;
  {
    v1::ListFilesRequest list;
    list.set_page_size(100);
    grpc::ClientContext context;
    v1::ListFilesResponse page;
    if (auto status = FromGrpc(stubs.front()->ListFiles(&context, list, &page));
        !status.ok()) {
      stop = true;
      for (auto& reader : readers) reader.join();
      return status;
    }
    for (const auto& file : page.files()) {
      requests.emplace_back().set_uuid(file.uuid());
    }
  }
  LoadResult unary;
  std::thread unary_load([&] {
    LoadOptions options;
    options.in_flight = 16;
    options.warm_up = absl::ZeroDuration();
    options.duration = duration;
    unary = RunLoad(options, GetFileStarter(stubs, requests));
  });
  std::vector<std::pair<absl::Duration, int64_t>> samples;
  const absl::Duration interval =
      settings.quick ? absl::Milliseconds(500) : absl::Seconds(10);
  const absl::Time begin = absl::Now();
  while (absl::Now() - begin < duration) {
    absl::SleepFor(interval);
    auto rss = gateway->process->RssBytes();
    if (rss.ok()) samples.emplace_back(absl::Now() - begin, *rss);
  }
  unary_load.join();
  stop = true;
  for (auto& reader : readers) reader.join();
  // Memory given back once the streams have ended.
  absl::SleepFor(settings.quick ? absl::Seconds(1) : absl::Seconds(5));
  auto after = gateway->process->RssBytes();
  auto peak = gateway->process->PeakRssBytes();

  report.AddLoad(name, "GetFile beside the streams", 16, unary);
  report.AddFigure(name, "slow StreamFiles readers",
                   absl::StrCat(streams, " (one message per ",
                                absl::FormatDuration(read_interval), ")"));
  report.AddFigure(name, "listings completed", absl::StrCat(listings.load()));
  report.AddFigure(
      name, "stream errors",
      absl::StrCat(stream_errors.load(), first_error.empty() ? "" : " (first: ",
                   first_error, first_error.empty() ? "" : ")"));
  report.AddFigure(
      name, "streams refused for memory (RetryInfo, retried after 1 s)",
      absl::StrCat(refusals.load(), " (", late_refusals.load(),
                   " after the first ", absl::FormatDuration(burst), ")"));
  std::string series;
  for (const auto& [at, rss] : samples) {
    absl::StrAppend(&series, series.empty() ? "" : ", ",
                    absl::ToInt64Seconds(at), " s: ", rss >> 20);
  }
  report.AddFigure(name, "gateway RSS samples (MiB)", series);
  if (peak.ok()) {
    report.AddFigure(name, "gateway peak RSS",
                     absl::StrCat(*peak >> 20, " MiB"));
  }
  if (after.ok()) {
    report.AddFigure(name, "gateway RSS after the streams ended",
                     absl::StrCat(*after >> 20, " MiB"));
  }
  const bool no_errors = stream_errors.load() == 0 && unary.failures == 0;
  report.AddVerdict(name, "zero errors (streams and unary calls)",
                    absl::StrCat(stream_errors.load() + unary.failures),
                    no_errors ? Verdict::kMet : Verdict::kMissed);
  // Flat: the last sample within 10% of the sample at the half-way mark.
  if (samples.size() >= 4) {
    const int64_t middle = samples[samples.size() / 2].second;
    const int64_t last = samples.back().second;
    const double growth =
        static_cast<double>(last) / static_cast<double>(middle);
    report.AddVerdict(name, "RSS flat through the second half (<= 1.10x)",
                      absl::StrFormat("%.2fx", growth),
                      growth <= 1.10 ? Verdict::kMet : Verdict::kMissed);
  }
  if (!no_errors && settings.quick) {
    return absl::InternalError(absl::StrCat("soak: errors: ", first_error));
  }
  return absl::OkStatus();
}

absl::Status ParseScenarios(const std::string& text, std::vector<int>* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int scenario = 0;
    if (!absl::SimpleAtoi(part, &scenario) || scenario < 1 || scenario > 6 ||
        scenario == 5) {
      return absl::InvalidArgumentError(
          "--scenarios expects numbers 1..4 or 6 (the soak) separated by "
          "commas (5 is transport_bench)");
    }
    out->push_back(scenario);
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  Settings settings;
  std::string scenarios = "1,2,3,4";
  CommandLine command_line(
      "ucgate_bench", "ucgate_bench [--quick] [--scenarios 1,2,3,4] [options]",
      "Benchmarks ucgate against its baselines in one run and prints the "
      "results,\nwith each target's ratio, as Markdown tables.");
  command_line.AddFlag("quick", "A short smoke run (small sizes, 0.3 s rows).",
                       &settings.quick);
  command_line.AddString("scenarios", "LIST",
                         "Scenarios to run (default 1,2,3,4).", &scenarios);
  command_line.AddInt("in-flight", "N",
                      "Calls in flight for the throughput rows (default 16).",
                      &settings.in_flight);
  command_line.AddInt("channels", "M",
                      "gRPC channels (connections) the calls share "
                      "(default 4).",
                      &settings.channels);
  command_line.AddInt("seconds", "S",
                      "Measured seconds per load row outside the rounds "
                      "(default 3).",
                      &settings.seconds);
  command_line.AddInt("rounds", "N",
                      "Rounds of the comparisons of scenarios 1 and 2 (1 s "
                      "rows); verdicts take the median (default 5).",
                      &settings.rounds);
  command_line.AddInt("stream-files", "N",
                      "Files StreamFiles lists in scenario 3 (default "
                      "100000).",
                      &settings.stream_files);
  command_line.AddInt("latency-ms", "MS",
                      "Upstream latency per page in scenario 3 (default 20).",
                      &settings.latency_ms);
  command_line.AddString("rss-files", "LIST",
                         "Listing sizes whose peak RSS scenario 3 compares "
                         "(default 10000,1000000).",
                         &settings.rss_files);
  command_line.AddInt("soak-seconds", "S",
                      "How long scenario 6 (the soak) runs (default 180).",
                      &settings.soak_seconds);
  command_line.AddInt("soak-streams", "N",
                      "Slow StreamFiles readers of scenario 6 (default 1000).",
                      &settings.soak_streams);
  command_line.AddString("gateway-binary", "PATH",
                         "The ucgate executable (default: this build's).",
                         &settings.gateway_binary);
  command_line.AddString("emulator-binary", "PATH",
                         "The ucgate-emulator executable (default: this "
                         "build's).",
                         &settings.emulator_binary);
  if (auto status = command_line.Parse(argc, argv, 1, nullptr); !status.ok()) {
    return command_line.UsageError(status);
  }
  if (command_line.help_requested()) {
    std::printf("%s", command_line.Help().c_str());
    return 0;
  }
  if (auto status = ParseScenarios(scenarios, &settings.scenarios);
      !status.ok()) {
    return command_line.UsageError(status);
  }
  if (settings.in_flight < 1 || settings.channels < 1 || settings.seconds < 1 ||
      settings.rounds < 1) {
    return command_line.UsageError(absl::InvalidArgumentError(
        "--in-flight, --channels, --seconds and --rounds must be positive"));
  }
  SetLogLevel(LogLevel::kError);

  Report report;
  bool failed = false;
  for (int scenario : settings.scenarios) {
    absl::Status status;
    switch (scenario) {
      case 1:
        status = CachedGetFileScenario(settings, report);
        break;
      case 2:
        status = ForwardedGetFileScenario(settings, report);
        break;
      case 3:
        status = StreamFilesScenario(settings, report);
        break;
      case 4:
        status = WatchScenario(settings, report);
        break;
      case 6:
        status = SoakScenario(settings, report);
        break;
    }
    if (!status.ok()) {
      std::fprintf(stderr, "scenario %d: %s\n", scenario,
                   status.ToString().c_str());
      failed = true;
    }
  }
  std::printf("ucgate_bench%s: %u cores\n", settings.quick ? " --quick" : "",
              std::thread::hardware_concurrency());
  report.Print(stdout);
  if (!report.AllRowsProducedNumbers()) failed = true;
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace ucgate::bench

int main(int argc, char** argv) { return ucgate::bench::Main(argc, argv); }
