// GetFile forwarded through the gateway vs the same GET made directly with a
// keep-alive libcurl handle, against the same emulator, in one run: the ratio
// is what the gateway hop costs a caller.
//
//   forward_bench [--calls N] [--concurrency C] [--quick]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/ucgate_client.h"
#include "grpcpp/grpcpp.h"
#include "service/common/command_line.h"
#include "service/common/log.h"
#include "service/emulator/emulator.h"
#include "service/gateway/gateway_server.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/http/http_client.h"

namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ucgate::MakeSystemClock;

constexpr char kPublicKey[] = "benchpublickey";
constexpr char kSecretKey[] = "benchsecretkey";

struct Stats {
  double calls_per_second = 0;
  absl::Duration p50, p90, p99;
};

// Runs `call` from `threads` threads, `per_thread` times each.
template <typename Call>
Stats Measure(int threads, int per_thread, Call call) {
  std::vector<std::vector<absl::Duration>> latencies(threads);
  std::atomic<int> failures{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      latencies[t].reserve(per_thread);
      for (int i = 0; i < per_thread; ++i) {
        const absl::Time begin = absl::Now();
        if (!call(t)) ++failures;
        latencies[t].push_back(absl::Now() - begin);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const absl::Duration wall = absl::Now() - start;
  std::vector<absl::Duration> all;
  for (auto& per : latencies) all.insert(all.end(), per.begin(), per.end());
  std::sort(all.begin(), all.end());
  if (failures > 0)
    std::fprintf(stderr, "warning: %d failed calls\n", failures.load());
  auto at = [&](double q) {
    return all[static_cast<size_t>(q * (all.size() - 1))];
  };
  return {all.size() / absl::ToDoubleSeconds(wall), at(0.5), at(0.9), at(0.99)};
}

std::string Micros(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Microseconds(d), " us");
}

void PrintRow(const char* name, const Stats& stats) {
  std::printf("| %-34s | %10.0f | %9s | %9s | %9s |\n", name,
              stats.calls_per_second, Micros(stats.p50).c_str(),
              Micros(stats.p90).c_str(), Micros(stats.p99).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int64_t calls = 4000, concurrency = 16;
  bool quick = false;
  ucgate::CommandLine command_line(
      "forward_bench", "forward_bench [--calls N] [--concurrency C] [--quick]",
      "GetFile through ucgate vs a direct keep-alive libcurl GET, same "
      "emulator.");
  command_line.AddInt("calls", "N", "Calls per measurement (default 4000).",
                      &calls);
  command_line.AddInt("concurrency", "C",
                      "Callers in flight for the throughput rows (default 16).",
                      &concurrency);
  command_line.AddFlag("quick", "A short smoke run.", &quick);
  if (auto status = command_line.Parse(argc, argv, 1, nullptr); !status.ok()) {
    return command_line.UsageError(status);
  }
  if (command_line.help_requested()) {
    std::printf("%s", command_line.Help().c_str());
    return 0;
  }
  if (quick) calls = 200;
  ucgate::SetLogLevel(ucgate::LogLevel::kError);

  ucgate::emulator::EmulatorOptions emulator_options;
  emulator_options.projects.push_back({kPublicKey, kSecretKey});
  emulator_options.seed_files = 1000;
  auto emulator = ucgate::emulator::Emulator::Start(emulator_options);
  if (!emulator.ok()) {
    std::fprintf(stderr, "emulator: %s\n",
                 emulator.status().ToString().c_str());
    return 1;
  }
  const std::string uuid = (*emulator)->Files(kPublicKey).front().uuid();
  auto http_client = ucgate::http::MakeCurlHttpClient({});

  ucgate::gateway::GatewayConfig config;
  ucgate::gateway::ProjectConfig project;
  project.name = "bench";
  project.public_key = kPublicKey;
  project.secret_key = ucgate::Secret(kSecretKey);
  project.base_url = (*emulator)->base_url();
  config.projects.push_back(project);
  auto projects = ucgate::gateway::MakeProjectRegistry(config, http_client,
                                                       MakeSystemClock());
  auto server = ucgate::gateway::GatewayServer::Start(
      "127.0.0.1:0", *projects,
      std::make_shared<ucgate::gateway::BlockingExecutor>(32, 4096));
  if (!server.ok()) {
    std::fprintf(stderr, "gateway: %s\n", server.status().ToString().c_str());
    return 1;
  }

  // Direct: what a service calling the REST API itself does per request.
  auto signer = ucgate::auth::MakeRequestSigner(
      ucgate::auth::AuthScheme::kSigned,
      {kPublicKey, ucgate::Secret(kSecretKey)}, MakeSystemClock());
  const std::string path = absl::StrCat("/files/", uuid, "/");
  auto direct = [&](int) {
    ucgate::http::HttpRequest request;
    request.url = absl::StrCat((*emulator)->base_url(), path);
    request.headers = {{"Accept", "application/vnd.uploadcare-v0.7+json"},
                       {"Content-Type", "application/json"}};
    signer->Sign(ucgate::http::HttpMethod::kGet, path, "application/json", "",
                 request.headers);
    auto response = http_client->Send(request, {});
    return response.ok() && response->status_code == 200;
  };

  // Through the gateway, over a real TCP channel per caller thread.
  const std::string target = absl::StrCat("127.0.0.1:", (*server)->port());
  std::vector<std::unique_ptr<ucgate::client::FileClient>> clients;
  for (int i = 0; i < concurrency; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt("grpc.channel_id", i);  // distinct connections
    clients.push_back(std::make_unique<ucgate::client::FileClient>(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                  arguments),
        ucgate::client::ClientOptions{}));
  }
  v1::GetFileRequest get;
  get.set_uuid(uuid);
  auto forwarded = [&](int thread) {
    return clients[thread]->GetFile(get).ok();
  };

  // The gRPC hop alone: a request the gateway refuses on the reactor thread
  // (malformed UUID), so no executor handoff and no upstream call.
  v1::GetFileRequest refused;
  refused.set_uuid("not-a-uuid");
  auto hop_only = [&](int thread) {
    return clients[thread]->GetFile(refused).status().code() ==
           absl::StatusCode::kInvalidArgument;
  };

  // The gateway's upstream stack alone (stub, JSON mapping, retry, logging),
  // without the gRPC hop and the executor handoff.
  const ucgate::upstream::FileOperations& stack =
      *(*projects)->projects().front().upstream.files;
  auto stack_only = [&](int) {
    return const_cast<ucgate::upstream::FileOperations&>(stack)
        .GetFile({}, get)
        .ok();
  };

  // Warm up connections and caches on both paths.
  Measure(static_cast<int>(concurrency), 20, direct);
  Measure(static_cast<int>(concurrency), 20, forwarded);

  const int per_thread =
      static_cast<int>(std::max<int64_t>(1, calls / concurrency));
  Stats direct_serial = Measure(1, static_cast<int>(calls), direct);
  Stats forwarded_serial = Measure(1, static_cast<int>(calls), forwarded);
  Stats stack_serial = Measure(1, static_cast<int>(calls), stack_only);
  Stats hop_serial = Measure(1, static_cast<int>(calls), hop_only);
  Stats direct_parallel =
      Measure(static_cast<int>(concurrency), per_thread, direct);
  Stats forwarded_parallel =
      Measure(static_cast<int>(concurrency), per_thread, forwarded);

  std::printf(
      "\nGetFile, emulator on loopback, %lld calls per row, %u cores\n\n",
      static_cast<long long>(calls), std::thread::hardware_concurrency());
  std::printf("| %-34s | %10s | %9s | %9s | %9s |\n", "path", "calls/s", "p50",
              "p90", "p99");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(),
              std::string(12, '-').c_str(), std::string(11, '-').c_str(),
              std::string(11, '-').c_str(), std::string(11, '-').c_str());
  PrintRow("direct libcurl, 1 in flight", direct_serial);
  PrintRow("gRPC hop only (refused), 1 in flight", hop_serial);
  PrintRow("upstream stack only, 1 in flight", stack_serial);
  PrintRow("via ucgate, 1 in flight", forwarded_serial);
  PrintRow(absl::StrCat("direct libcurl, ", concurrency, " in flight").c_str(),
           direct_parallel);
  PrintRow(absl::StrCat("via ucgate, ", concurrency, " in flight").c_str(),
           forwarded_parallel);
  std::printf(
      "\nratio via/direct: p50 latency %.2fx (adds %s), throughput %.2fx\n",
      absl::FDivDuration(forwarded_serial.p50, direct_serial.p50),
      Micros(forwarded_serial.p50 - direct_serial.p50).c_str(),
      forwarded_parallel.calls_per_second / direct_parallel.calls_per_second);
  (*server)->Shutdown(absl::ZeroDuration());
  return 0;
}
