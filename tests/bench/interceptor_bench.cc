// The observing interceptor's cost: a bare callback echo server against the
// same server with the interceptor (grpc_server_* metrics and request ids,
// then also a JSON log line per call), N calls in flight, side by side in
// rounds. A second bare server measured in the same rounds shows the noise
// the ratios should be read against.
//
//   interceptor_bench [--quick] [--rounds N] [--in-flight N] [--channels M]
#include <algorithm>
#include <cstdio>
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
  auto observed = StartEcho(settings, Observing(*metrics, false));
  auto observed_logged = StartEcho(settings, Observing(*logged_metrics, true));
  for (const auto* echo : {&bare, &bare_again, &observed, &observed_logged}) {
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
  std::vector<Echo*> echoes = {&*bare, &*bare_again, &*observed,
                               &*observed_logged};
  std::vector<MeasureRow> rows;
  for (Echo* echo : echoes) {
    rows.push_back([echo](const LoadOptions& options) {
      return RunLoad(options, echo->calls.Starter());
    });
  }
  std::vector<Round> rounds = MeasureRounds(
      load, settings.quick ? 1 : static_cast<int>(settings.rounds), rows,
      [](const std::vector<LoadResult>& results) {
        return results[2].calls_per_second / results[0].calls_per_second;
      });

  const std::string scenario = "interceptor";
  Report report;
  const std::string noise = Spread(rounds, 1);
  const std::string with_metrics = Spread(rounds, 2);
  const std::string with_logs = Spread(rounds, 3);
  const Round& median =
      ReportRounds(report, scenario,
                   "metrics + request ids / bare calls/s, each round", rounds);
  const char* names[] = {"bare echo", "bare echo, a second server (noise)",
                         "echo + interceptor (metrics, request ids)",
                         "echo + interceptor (metrics, request ids, JSON log)"};
  for (size_t i = 0; i < 4; ++i) {
    report.AddLoad(scenario, names[i], load.in_flight, median.rows[i]);
  }
  report.AddFigure(scenario, "second bare server / bare (noise)", noise);
  report.AddFigure(scenario, "metrics + request ids / bare", with_metrics);
  report.AddFigure(scenario, "metrics + request ids + JSON log / bare",
                   with_logs);
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
