// The observing interceptor's cost: a bare callback echo server against the
// same server with the interceptor (grpc_server_* metrics and request ids,
// then also a JSON log line per call), N calls in flight, side by side in
// rounds (rows rotated). A second bare server measured in the same rounds
// shows the noise the ratios should be read against. Besides calls/s, the
// process CPU per call: on a shared, loaded machine it moves less than
// throughput, and the client's share is the same in every row, so the
// differences are the interceptor's cost.
//
//   interceptor_bench [--quick] [--rounds N] [--in-flight N] [--channels M]
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/common/command_line.h"
#include "service/common/log.h"
#include "service/observability/grpc_server_metrics.h"
#include "service/observability/metrics_registry.h"
#include "service/observability/server_interceptor.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/bench_rounds.h"
#include "tests/bench/echo_server.h"
#include "tests/bench/load_generator.h"

namespace ucgate::bench {
namespace {

struct Settings {
  bool quick = false;
  int64_t rounds = 7;
  int64_t in_flight = 16;
  int64_t channels = 4;
};

// An echo server, with or without the interceptor, and calls to it.
struct Echo {
  std::unique_ptr<EchoServer> server;
  EchoCalls calls;
};

absl::StatusOr<Echo> StartEcho(const Settings& settings,
                               EchoServer::Interceptors interceptors) {
  Echo echo;
  auto server = EchoServer::Start("127.0.0.1:0", std::move(interceptors));
  if (!server.ok()) return server.status();
  echo.server = *std::move(server);
  echo.calls =
      EchoCalls(echo.server->port(), static_cast<int>(settings.channels),
                /*request_bytes=*/64, /*response_bytes=*/512);
  return echo;
}

// An interceptor that only proceeds: what gRPC's interception machinery
// costs by itself.
class ProceedingInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }
};
class ProceedingFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new ProceedingInterceptor();
  }
};

EchoServer::Interceptors Proceeding() {
  EchoServer::Interceptors interceptors;
  interceptors.push_back(std::make_unique<ProceedingFactory>());
  return interceptors;
}

EchoServer::Interceptors Observing(
    std::shared_ptr<observability::GrpcServerMetrics> metrics, bool log_calls) {
  observability::ServerObservabilityOptions options;
  options.grpc_metrics = std::move(metrics);
  options.log_calls = log_calls;
  EchoServer::Interceptors interceptors;
  interceptors.push_back(
      std::make_unique<observability::ServerObservabilityFactory>(
          std::move(options)));
  return interceptors;
}

double ProcessCpuSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double ThreadCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9;
}

// The interceptor's own work for one unary call (every hook point it sees),
// without gRPC: this thread's CPU per call, in nanoseconds. A thread's CPU
// time hardly moves with the machine's load, unlike throughput.
double RecorderNanosPerCall(
    const observability::ServerObservabilityOptions& options,
    observability::GrpcServerMetrics::Method* method, int calls) {
  // Contexts only key the observations: distinct addresses are enough.
  static char contexts[16];
  const std::multimap<grpc::string_ref, grpc::string_ref> metadata;
  const double before = ThreadCpuSeconds();
  for (int i = 0; i < calls; ++i) {
    const auto* context =
        reinterpret_cast<const grpc::ServerContextBase*>(&contexts[i % 16]);
    observability::CallRecorder recorder(&options, context, method);
    recorder.OnInitialMetadata(metadata);
    recorder.OnMessageReceived();
    recorder.OnMessageSent();
    std::multimap<std::string, std::string> trailers;
    recorder.OnStatus(grpc::Status::OK, &trailers);
  }
  return (ThreadCpuSeconds() - before) * 1e9 / calls;
}

// The median over rounds of `row`'s calls/s against the first row's.
double MedianRatio(const std::vector<Round>& rounds, size_t row) {
  std::vector<double> ratios;
  for (const Round& round : rounds) {
    ratios.push_back(round.rows[row].calls_per_second /
                     round.rows[0].calls_per_second);
  }
  std::sort(ratios.begin(), ratios.end());
  return ratios[ratios.size() / 2];
}

std::string Spread(const std::vector<Round>& rounds, size_t row) {
  double low = 1e9, high = 0;
  for (const Round& round : rounds) {
    const double ratio =
        round.rows[row].calls_per_second / round.rows[0].calls_per_second;
    low = std::min(low, ratio);
    high = std::max(high, ratio);
  }
  return absl::StrFormat("%.3fx (%.3fx to %.3fx)", MedianRatio(rounds, row),
                         low, high);
}

int Run(const Settings& settings) {
  SetLogLevel(LogLevel::kInfo);
  SetLogFormat(LogFormat::kJson);
  // Lines are formatted as in production, then dropped: the cost measured
  // is the interceptor's, not the terminal's.
  SetLogSink([](absl::string_view) {});

  observability::MetricsRegistry registry;
  auto metrics = observability::GrpcServerMetrics::Create(
      registry, {EchoService::service_full_name()});
  if (!metrics.ok()) {
    std::fprintf(stderr, "%s\n", metrics.status().ToString().c_str());
    return 1;
  }
  observability::MetricsRegistry logged_registry;
  auto logged_metrics = observability::GrpcServerMetrics::Create(
      logged_registry, {EchoService::service_full_name()});
  auto bare = StartEcho(settings, {});
  auto bare_again = StartEcho(settings, {});
  auto proceeding = StartEcho(settings, Proceeding());
  auto observed = StartEcho(settings, Observing(*metrics, false));
  auto observed_logged = StartEcho(settings, Observing(*logged_metrics, true));
  for (const auto* echo :
       {&bare, &bare_again, &proceeding, &observed, &observed_logged}) {
    if (!echo->ok()) {
      std::fprintf(stderr, "%s\n", echo->status().ToString().c_str());
      return 1;
    }
  }

  LoadOptions load;
  load.in_flight = static_cast<int>(settings.in_flight);
  load.warm_up =
      settings.quick ? absl::Milliseconds(100) : absl::Milliseconds(500);
  load.duration = settings.quick ? absl::Milliseconds(300) : absl::Seconds(1);
  std::vector<Echo*> echoes = {&*bare, &*bare_again, &*proceeding, &*observed,
                               &*observed_logged};
  // Process CPU per measured call (client and server share the process; the
  // client's share is the same in every row), by row, each round.
  std::vector<std::vector<double>> cpu_micros(echoes.size());
  std::vector<MeasureRow> rows;
  for (size_t i = 0; i < echoes.size(); ++i) {
    rows.push_back(
        [echo = echoes[i], &cpu = cpu_micros[i]](const LoadOptions& options) {
          const StartCall start = echo->calls.Starter();
          if (options.warm_up > absl::ZeroDuration()) {
            LoadOptions warm = options;
            warm.duration = options.warm_up;
            warm.warm_up = absl::ZeroDuration();
            RunLoad(warm, start);
          }
          LoadOptions measured = options;
          measured.warm_up = absl::ZeroDuration();
          const double before = ProcessCpuSeconds();
          LoadResult result = RunLoad(measured, start);
          if (result.calls > 0) {
            cpu.push_back((ProcessCpuSeconds() - before) * 1e6 / result.calls);
          }
          return result;
        });
  }
  std::vector<Round> rounds = MeasureRounds(
      load, settings.quick ? 1 : static_cast<int>(settings.rounds), rows,
      [](const std::vector<LoadResult>& results) {
        return results[3].calls_per_second / results[0].calls_per_second;
      },
      /*rotate_rows=*/true);

  const std::string scenario = "interceptor";
  Report report;
  const std::string noise = Spread(rounds, 1);
  const std::string proceeding_only = Spread(rounds, 2);
  const std::string with_metrics = Spread(rounds, 3);
  const std::string with_logs = Spread(rounds, 4);
  const Round& median =
      ReportRounds(report, scenario,
                   "metrics + request ids / bare calls/s, each round", rounds);
  const char* names[] = {"bare echo", "bare echo, a second server (noise)",
                         "echo + an interceptor that only proceeds",
                         "echo + interceptor (metrics, request ids)",
                         "echo + interceptor (metrics, request ids, JSON log)"};
  for (size_t i = 0; i < echoes.size(); ++i) {
    report.AddLoad(scenario, names[i], load.in_flight, median.rows[i]);
  }
  report.AddFigure(scenario, "second bare server / bare (noise)", noise);
  report.AddFigure(scenario, "interceptor that only proceeds / bare",
                   proceeding_only);
  report.AddFigure(scenario, "metrics + request ids / bare", with_metrics);
  report.AddFigure(scenario, "metrics + request ids + JSON log / bare",
                   with_logs);
  const double bare_cpu = Median(cpu_micros[0]);
  for (size_t i = 0; i < echoes.size(); ++i) {
    const double row_cpu = Median(cpu_micros[i]);
    report.AddFigure(scenario,
                     absl::StrCat("process CPU per call, median: ", names[i]),
                     absl::StrFormat("%.1f us (%+.1f us, %.3fx)", row_cpu,
                                     row_cpu - bare_cpu, row_cpu / bare_cpu));
  }
  // The interceptor's own work, alone.
  observability::MetricsRegistry recorder_registry;
  observability::ServerObservabilityOptions recorder_options;
  recorder_options.grpc_metrics = *observability::GrpcServerMetrics::Create(
      recorder_registry, {EchoService::service_full_name()});
  recorder_options.clock = observability::MakeSteadyClock();
  auto* echo_method = recorder_options.grpc_metrics->Find(
      absl::StrCat("/", EchoService::service_full_name(), "/Echo"));
  const int recorder_calls = settings.quick ? 20000 : 500000;
  recorder_options.log_calls = false;
  const double recorder_nanos =
      RecorderNanosPerCall(recorder_options, echo_method, recorder_calls);
  recorder_options.log_calls = true;
  const double logged_recorder_nanos =
      RecorderNanosPerCall(recorder_options, echo_method, recorder_calls);
  report.AddFigure(
      scenario, "CallRecorder alone (metrics, request id), CPU per call",
      absl::StrFormat("%.0f ns (%.2f%% of a bare echo call's CPU)",
                      recorder_nanos, recorder_nanos / 10 / bare_cpu));
  report.AddFigure(
      scenario,
      "CallRecorder alone (metrics, request id, JSON log), CPU per call",
      absl::StrFormat("%.0f ns (%.2f%% of a bare echo call's CPU)",
                      logged_recorder_nanos,
                      logged_recorder_nanos / 10 / bare_cpu));

  // The interceptor really ran: every call it saw was counted.
  std::string exposition = registry.TextExposition();
  const bool counted =
      exposition.find("grpc_server_handled_total{grpc_code=\"OK\"") !=
      std::string::npos;
  report.AddNote(scenario, counted ? "the observed server's calls appear in "
                                     "grpc_server_handled_total"
                                   : "NO calls counted by the interceptor");
  SetLogSink(nullptr);
  std::printf("interceptor_bench%s: %u cores, %lld in flight, %lld channels\n",
              settings.quick ? " --quick" : "",
              std::thread::hardware_concurrency(),
              static_cast<long long>(settings.in_flight),
              static_cast<long long>(settings.channels));
  report.Print(stdout);
  return report.AllRowsProducedNumbers() && counted ? 0 : 1;
}

int Main(int argc, char** argv) {
  Settings settings;
  CommandLine command_line(
      "interceptor_bench", "interceptor_bench [--quick] [options]",
      "Bare callback echo vs the same with the observing interceptor.");
  command_line.AddFlag("quick", "One short round (a smoke run).",
                       &settings.quick);
  command_line.AddInt("rounds", "N", "Rounds of 1 s rows (default 7).",
                      &settings.rounds);
  command_line.AddInt("in-flight", "N", "Calls in flight (default 16).",
                      &settings.in_flight);
  command_line.AddInt("channels", "M",
                      "gRPC channels (connections) the calls share "
                      "(default 4).",
                      &settings.channels);
  if (auto status = command_line.Parse(argc, argv, 1, nullptr); !status.ok()) {
    return command_line.UsageError(status);
  }
  if (command_line.help_requested()) {
    std::printf("%s", command_line.Help().c_str());
    return 0;
  }
  if (settings.rounds < 1 || settings.in_flight < 1 || settings.channels < 1) {
    return command_line.UsageError(absl::InvalidArgumentError(
        "--rounds, --in-flight and --channels must be positive"));
  }
  return Run(settings);
}

}  // namespace
}  // namespace ucgate::bench

int main(int argc, char** argv) { return ucgate::bench::Main(argc, argv); }
