// Scenario 5 of the benchmark (issue 12): capacity under a real upstream's
// latency. An upstream that answers every request after 50 ms, held without
// a thread per request (LoopHttpServer, in a child process so that the
// figures below are the clients' alone), and side by side in one run:
//   direct    a plain keep-alive libcurl-multi driver on one thread
//             (curl_multi_poll), the yardstick;
//   gateway   GetFile through the real `ucgate` process (cache off) from a
//             gRPC callback client: the whole gateway, each call a fiber on
//             the upstream I/O loops; its threads and RSS are the gateway
//             process's own;
//   async     AsyncHttpClient (libcurl multi-socket on event loops) alone,
//             the transport the gateway runs;
//   blocking  the design before issue 12: 32 workers, each blocked in
//             curl_easy_perform for a whole exchange, the in-flight calls
//             queued for them.
// Closed loop: every call that ends starts the next. Reports calls/s, p50 and
// p99 latency (queueing included), threads and RSS.
//
//   transport_bench [--quick] [--seconds N] [--delay-ms N] [--io-threads N]
//                   [--rounds N]
#include <curl/curl.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/upstream/http/http_client.h"
#include "tests/bench/child_process.h"
#include "tests/bench/load_generator.h"
#include "tests/upstream/http/loop_http_server.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::bench {
namespace {

struct Settings {
  bool quick = false;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration measure = absl::Seconds(5);
  absl::Duration delay = absl::Milliseconds(50);
  std::size_t io_threads = 0;  // AsyncHttpClient's default: one per core
  // Each round runs every transport once, one after the other; the table
  // shows each transport's median round and the paired ratios of every
  // round (a busy machine moves whole rounds, ratios move less).
  int rounds = 3;
  // Calls in flight, each row (--in-flight N: one level only).
  std::vector<int> in_flight_levels = {256, 1024};
};

namespace v1 = ::uploadcare::gateway::v1;

constexpr char kFileUuid[] = "21975c81-7f57-4c7a-aef9-acfe28779f78";

// A ~300-byte JSON answer, like a small file-info.
const std::string& AnswerBody() {
  static const std::string* body = new std::string(absl::StrCat(
      R"({"uuid":"21975c81-7f57-4c7a-aef9-acfe28779f78","size":12345,)",
      R"("mime_type":"image/jpeg","is_image":true,"is_ready":true,)",
      R"("original_filename":"photo.jpg","datetime_uploaded":)",
      R"("2024-05-06T07:08:09.123456Z","url":"https://api.example/files/)",
      R"(21975c81-7f57-4c7a-aef9-acfe28779f78/","metadata":{}})"));
  return *body;
}

// The upstream in a child process; killed when the bench ends.
class UpstreamProcess {
 public:
  explicit UpstreamProcess(absl::Duration delay) {
    int ports[2];
    if (::pipe(ports) != 0) std::abort();
    pid_t pid = ::fork();  // before this process starts any thread
    if (pid == 0) {
      ::close(ports[0]);
      testing::LoopHttpServer server([delay](const testing::ServerRequest&) {
        testing::ServerAction action;
        action.body = AnswerBody();
        action.delay = delay;
        return action;
      });
      if (!server.Start().ok()) ::_exit(1);
      const int port = server.port();
      if (::write(ports[1], &port, sizeof port) != sizeof port) ::_exit(1);
      // Until the parent goes away.
      while (::getppid() != 1) ::pause();
      ::_exit(0);
    }
    ::close(ports[1]);
    if (::read(ports[0], &port_, sizeof port_) != sizeof port_) {
      std::fprintf(stderr, "transport_bench: the upstream did not start\n");
      std::exit(1);
    }
    ::close(ports[0]);
    pid_ = pid;
  }
  ~UpstreamProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string BaseUrl() const {
    return absl::StrCat("http://127.0.0.1:", port_);
  }
  std::string Url() const {
    return absl::StrCat(BaseUrl(), "/files/", kFileUuid, "/");
  }

 private:
  pid_t pid_ = 0;
  int port_ = 0;
};

// Threads of a process ("self" or a pid).
int ThreadCount(const std::string& process = "self") {
  int count = 0;
  if (DIR* tasks =
          ::opendir(absl::StrCat("/proc/", process, "/task").c_str())) {
    while (dirent* entry = ::readdir(tasks)) {
      if (entry->d_name[0] != '.') ++count;
    }
    ::closedir(tasks);
  }
  return count;
}

// VmRSS in MiB.
double RssMiB(const std::string& process = "self") {
  std::ifstream status(absl::StrCat("/proc/", process, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atof(line.c_str() + 6) / 1024.0;
    }
  }
  return 0;
}

// Latencies of the calls that started inside the measured window.
class Recorder {
 public:
  Recorder(absl::Time measure_from, absl::Time measure_until)
      : from_(measure_from), until_(measure_until) {}
  bool Running() const { return absl::Now() < until_; }
  void Record(absl::Time started, bool ok) {
    if (started < from_ || started >= until_) return;
    const absl::Duration took = absl::Now() - started;
    absl::MutexLock lock(&mu_);
    if (!ok) {
      ++failures_;
      return;
    }
    micros_.push_back(absl::ToInt64Microseconds(took));
  }

  struct Row {
    std::string name;
    int in_flight = 0;
    double calls_per_second = 0;
    double p50_ms = 0, p99_ms = 0;
    int64_t failures = 0;
    int threads = 0;
    double rss_mib = 0;
  };
  Row Summarise(std::string name, int in_flight) {
    absl::MutexLock lock(&mu_);
    Row row;
    row.name = std::move(name);
    row.in_flight = in_flight;
    row.failures = failures_;
    std::sort(micros_.begin(), micros_.end());
    row.calls_per_second =
        micros_.size() / absl::ToDoubleSeconds(until_ - from_);
    if (!micros_.empty()) {
      row.p50_ms = micros_[micros_.size() / 2] / 1000.0;
      row.p99_ms =
          micros_[std::min(micros_.size() - 1, micros_.size() * 99 / 100)] /
          1000.0;
    }
    return row;
  }

 private:
  const absl::Time from_, until_;
  absl::Mutex mu_;
  std::vector<int64_t> micros_ ABSL_GUARDED_BY(mu_);
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
};

// Samples the process's threads and RSS while a scenario runs (the most
// seen), until `done` turns true.
struct Sampler {
  std::string process = "self";
  int threads = 0;
  double rss_mib = 0;
  void SampleUntil(const std::function<bool()>& done) {
    while (!done()) {
      threads = std::max(threads, ThreadCount(process));
      rss_mib = std::max(rss_mib, RssMiB(process));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

Recorder::Row RunAsync(const Settings& settings, const std::string& url,
                       int in_flight) {
  http::CurlHttpClientOptions options;
  options.max_connections_per_host = 2048;
  options.max_idle_connections = 2048;
  options.max_in_flight = 8192;
  options.io_threads = settings.io_threads;
  auto client = http::MakeAsyncHttpClient(options);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.status().ToString().c_str());
    std::exit(1);
  }
  const absl::Time start = absl::Now();
  Recorder recorder(start + settings.warmup,
                    start + settings.warmup + settings.measure);
  std::atomic<int> live{in_flight};
  // One closed-loop caller: each completion starts the next call.
  struct Caller {
    static void Call(http::AsyncHttpClient* client, Recorder* recorder,
                     std::atomic<int>* live, const std::string* url) {
      http::RequestOptions request_options;
      request_options.deadline = absl::Now() + absl::Seconds(30);
      const absl::Time started = absl::Now();
      client->Start({http::HttpMethod::kGet, *url, {}, ""}, request_options,
                    [=](absl::StatusOr<http::HttpResponse> response) {
                      recorder->Record(
                          started,
                          response.ok() && response->status_code == 200);
                      if (recorder->Running()) {
                        Call(client, recorder, live, url);
                      } else {
                        live->fetch_sub(1);
                      }
                    });
    }
  };
  for (int i = 0; i < in_flight; ++i) {
    Caller::Call(client->get(), &recorder, &live, &url);
  }
  Sampler sampler;
  sampler.SampleUntil([&] { return live.load() == 0; });
  Recorder::Row row = recorder.Summarise("async (AsyncHttpClient)", in_flight);
  row.threads = sampler.threads;
  row.rss_mib = sampler.rss_mib;
  return row;
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

void SetUpEasy(CURL* easy, const std::string& url) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
}

// The yardstick: one thread, one multi handle, `in_flight` easy handles
// re-added as they finish (their connections stay alive in the multi).
Recorder::Row RunDirect(const Settings& settings, const std::string& url,
                        int in_flight) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(in_flight));
  const absl::Time start = absl::Now();
  Recorder recorder(start + settings.warmup,
                    start + settings.warmup + settings.measure);
  std::vector<CURL*> easies(in_flight);
  std::vector<absl::Time> started(in_flight);
  for (int i = 0; i < in_flight; ++i) {
    easies[i] = curl_easy_init();
    SetUpEasy(easies[i], url);
    curl_easy_setopt(easies[i], CURLOPT_PRIVATE, static_cast<intptr_t>(i));
    started[i] = absl::Now();
    curl_multi_add_handle(multi, easies[i]);
  }
  std::atomic<bool> finished{false};
  Sampler sampler;
  std::thread sampling(
      [&] { sampler.SampleUntil([&] { return finished.load(); }); });
  int live = in_flight;
  while (live > 0) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode result = message->data.result;
      intptr_t index = 0;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &index);
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      recorder.Record(started[index], result == CURLE_OK && status == 200);
      curl_multi_remove_handle(multi, easy);
      if (recorder.Running()) {
        started[index] = absl::Now();
        curl_multi_add_handle(multi, easy);
      } else {
        --live;
      }
    }
    if (live > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  finished = true;
  sampling.join();
  Recorder::Row row =
      recorder.Summarise("direct (curl multi, 1 thread)", in_flight);
  row.threads = sampler.threads - 1;  // not the sampling thread
  row.rss_mib = sampler.rss_mib;
  for (CURL* easy : easies) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  return row;
}

// The design before issue 12: calls queue for `workers` threads, each of
// which holds its call for the whole exchange (curl_easy_perform on its own
// keep-alive easy handle).
Recorder::Row RunBlocking(const Settings& settings, const std::string& url,
                          int in_flight, int workers) {
  const absl::Time start = absl::Now();
  Recorder recorder(start + settings.warmup,
                    start + settings.warmup + settings.measure);
  std::mutex mu;
  std::condition_variable ready;
  std::deque<absl::Time> queue;  // each entry a caller waiting, since when
  int live = in_flight;
  for (int i = 0; i < in_flight; ++i) queue.push_back(absl::Now());
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      CURL* easy = curl_easy_init();
      SetUpEasy(easy, url);
      for (;;) {
        absl::Time queued_at;
        {
          std::unique_lock<std::mutex> lock(mu);
          ready.wait(lock, [&] { return !queue.empty() || live == 0; });
          if (queue.empty()) break;
          queued_at = queue.front();
          queue.pop_front();
        }
        const CURLcode result = curl_easy_perform(easy);
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        recorder.Record(queued_at, result == CURLE_OK && status == 200);
        std::lock_guard<std::mutex> lock(mu);
        if (recorder.Running()) {
          queue.push_back(absl::Now());
        } else {
          --live;
        }
        ready.notify_all();
      }
      curl_easy_cleanup(easy);
    });
  }
  Sampler sampler;
  sampler.SampleUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return live == 0;
  });
  for (std::thread& worker : pool) worker.join();
  Recorder::Row row = recorder.Summarise(
      absl::StrCat("blocking (", workers, " workers)"), in_flight);
  row.threads = sampler.threads;
  row.rss_mib = sampler.rss_mib;
  return row;
}

// ucgate itself, configured for many calls in flight: connections up to
// 2,048 to the upstream, all kept alive, the cache off (every GetFile goes
// upstream).
std::unique_ptr<ChildProcess> StartGateway(const Settings& settings,
                                           const std::string& upstream_base,
                                           std::string* target) {
  const std::string config_path =
      absl::StrCat("/tmp/transport_bench_", ::getpid(), ".yaml");
  std::ofstream(config_path) << "listen: 127.0.0.1:0\n"
                             << "log_level: error\n"
                             << "max_queued_calls: 8192\n"
                             << "cache: {max_bytes: 0}\n"
                             << "upstream:\n"
                             << "  base_url: \"" << upstream_base << "\"\n"
                             << "  io_threads: " << settings.io_threads << "\n"
                             << "  max_idle_connections: 2048\n"
                             << "  max_connections_per_host: 2048\n"
                             << "  max_in_flight: 8192\n"
                             << "projects:\n"
                             << "  - name: bench\n"
                             << "    public_key: benchpublickey\n"
                             << "    secret_key_env: UCGATE_BENCH_SECRET\n";
  // The file stays while ucgate runs: it watches its configuration.
  static const std::string* const kept = new std::string(config_path);
  std::atexit([] { std::remove(kept->c_str()); });
  auto process =
      ChildProcess::Start({UCGATE_BIN, "--config", config_path},
                          {"UCGATE_BENCH_SECRET=benchsecretkey"},
                          "listening on ", absl::Seconds(30), target);
  if (!process.ok()) {
    std::fprintf(stderr, "transport_bench: ucgate: %s\n",
                 process.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(process);
}

Recorder::Row RunGateway(const Settings& settings, const ChildProcess& gateway,
                         const std::string& target, int in_flight) {
  std::vector<std::unique_ptr<v1::FileService::Stub>> stubs;
  for (auto& channel : MakeChannels(target, 8)) {
    stubs.push_back(v1::FileService::NewStub(channel));
  }
  v1::GetFileRequest request;
  request.set_uuid(kFileUuid);
  LoadOptions options;
  options.in_flight = in_flight;
  options.warm_up = settings.warmup;
  options.duration = settings.measure;
  std::atomic<bool> finished{false};
  Sampler sampler;
  sampler.process = absl::StrCat(gateway.pid());
  std::thread sampling(
      [&] { sampler.SampleUntil([&] { return finished.load(); }); });
  const LoadResult result = RunLoad(
      options, UnaryStarter<v1::GetFileResponse>(
                   [&](int slot, grpc::ClientContext* context,
                       v1::GetFileResponse* response, auto on_done) {
                     stubs[slot % stubs.size()]->async()->GetFile(
                         context, &request, response, std::move(on_done));
                   }));
  finished = true;
  sampling.join();
  Recorder::Row row;
  row.name = "gateway (GetFile via ucgate)";
  row.in_flight = in_flight;
  row.calls_per_second = result.calls_per_second;
  row.p50_ms = absl::ToDoubleMilliseconds(result.p50);
  row.p99_ms = absl::ToDoubleMilliseconds(result.p99);
  row.failures = result.failures;
  if (result.failures > 0) {
    std::fprintf(stderr, "transport_bench: gateway: %s\n",
                 result.first_error.c_str());
  }
  row.threads = sampler.threads;
  row.rss_mib = sampler.rss_mib;
  return row;
}

// The round with the median throughput (its latencies, threads and RSS).
Recorder::Row Median(std::vector<Recorder::Row> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const Recorder::Row& a, const Recorder::Row& b) {
              return a.calls_per_second < b.calls_per_second;
            });
  return rows[rows.size() / 2];
}

void PrintRow(const Recorder::Row& row, const Recorder::Row& direct) {
  std::printf(
      "| %-30s | %5d | %9.0f | %7.1f | %7.1f | %5.2f | %5.2f | %4d | "
      "%7.1f | %lld |\n",
      row.name.c_str(), row.in_flight, row.calls_per_second, row.p50_ms,
      row.p99_ms,
      direct.calls_per_second > 0
          ? row.calls_per_second / direct.calls_per_second
          : 0.0,
      direct.p99_ms > 0 ? row.p99_ms / direct.p99_ms : 0.0, row.threads,
      row.rss_mib, static_cast<long long>(row.failures));
}

int Main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      settings.quick = true;
      // Long enough that a loaded machine still completes calls in the
      // window (1,024 connections take a while to open).
      settings.warmup = absl::Seconds(1);
      settings.measure = absl::Seconds(1);
      settings.rounds = 1;
    } else if (arg == "--seconds" && i + 1 < argc) {
      settings.measure = absl::Seconds(std::atof(argv[++i]));
    } else if (arg == "--rounds" && i + 1 < argc) {
      settings.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--in-flight" && i + 1 < argc) {
      settings.in_flight_levels = {std::max(1, std::atoi(argv[++i]))};
    } else if (arg == "--io-threads" && i + 1 < argc) {
      settings.io_threads = std::atoi(argv[++i]);
    } else if (arg == "--delay-ms" && i + 1 < argc) {
      settings.delay = absl::Milliseconds(std::atoi(argv[++i]));
    } else {
      std::fprintf(
          stderr,
          "usage: transport_bench [--quick] [--seconds N] "
          "[--delay-ms N] [--io-threads N] [--rounds N] [--in-flight N]\n");
      return 2;
    }
  }
  // Thousands of sockets at once.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  UpstreamProcess upstream(settings.delay);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string url = upstream.Url();
  std::string gateway_target;
  std::unique_ptr<ChildProcess> gateway =
      StartGateway(settings, upstream.BaseUrl(), &gateway_target);
  std::printf(
      "Upstream: answers after %lld ms (event-loop server, own process); "
      "%lld ms warm-up, %lld ms measured per row; %d rounds (median "
      "shown); %u cores.\n\n",
      static_cast<long long>(absl::ToInt64Milliseconds(settings.delay)),
      static_cast<long long>(absl::ToInt64Milliseconds(settings.warmup)),
      static_cast<long long>(absl::ToInt64Milliseconds(settings.measure)),
      settings.rounds, std::thread::hardware_concurrency());
  std::printf(
      "| transport                      | in flight | calls/s | p50 ms | "
      "p99 ms | x direct calls/s | x direct p99 | threads | RSS MiB | "
      "failed |\n|---|---|---|---|---|---|---|---|---|---|\n");
  int64_t failures = 0;
  bool all_made_calls = true;
  std::vector<std::string> paired;
  for (int in_flight : settings.in_flight_levels) {
    std::vector<Recorder::Row> direct, gateway_rows, async, blocking;
    std::string ratios, gateway_ratios, gateway_p99_ratios;
    for (int round = 0; round < settings.rounds; ++round) {
      direct.push_back(RunDirect(settings, url, in_flight));
      gateway_rows.push_back(
          RunGateway(settings, *gateway, gateway_target, in_flight));
      async.push_back(RunAsync(settings, url, in_flight));
      blocking.push_back(RunBlocking(settings, url, in_flight, 32));
      const char* separator = round == 0 ? "" : ", ";
      absl::StrAppendFormat(&ratios, "%s%.2f", separator,
                            async.back().calls_per_second /
                                std::max(1.0, direct.back().calls_per_second));
      absl::StrAppendFormat(&gateway_ratios, "%s%.2f", separator,
                            gateway_rows.back().calls_per_second /
                                std::max(1.0, direct.back().calls_per_second));
      absl::StrAppendFormat(
          &gateway_p99_ratios, "%s%.2f", separator,
          gateway_rows.back().p99_ms / std::max(0.001, direct.back().p99_ms));
    }
    paired.push_back(absl::StrFormat(
        "%d in flight, gateway / direct calls/s per round: %s (target >= "
        "0.9); p99 gateway / direct: %s (target <= 1.3)",
        in_flight, gateway_ratios, gateway_p99_ratios));
    paired.push_back(
        absl::StrFormat("%d in flight, async / direct calls/s per round: %s",
                        in_flight, ratios));
    const Recorder::Row direct_median = Median(direct);
    for (const std::vector<Recorder::Row>* rows :
         {&direct, &gateway_rows, &async, &blocking}) {
      const Recorder::Row row = Median(*rows);
      PrintRow(row, direct_median);
      for (const Recorder::Row& each : *rows) {
        failures += each.failures;
        if (each.calls_per_second <= 0) all_made_calls = false;
      }
    }
    std::fflush(stdout);
  }
  std::printf("\n");
  for (const std::string& line : paired) std::printf("%s\n", line.c_str());
  std::printf(
      "\nthreads and RSS: the most seen while the row ran, in the bench "
      "process (direct, async, blocking; main thread included, async adds "
      "one I/O thread per core) or in the ucgate process (gateway).\n");
  if (failures > 0 || !all_made_calls) {
    std::fprintf(stderr, "transport_bench: %lld failed calls%s\n",
                 static_cast<long long>(failures),
                 all_made_calls ? "" : ", a row made no calls");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ucgate::bench

int main(int argc, char** argv) { return ucgate::bench::Main(argc, argv); }
