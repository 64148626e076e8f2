// The emulator's HTTP(S) server: cpp-httplib carries the bytes; everything
// the service decides (routes, version negotiation, authentication, faults)
// happens in Handle(), in the order Django REST framework applies it:
// URL resolution (404), content negotiation (406), authentication (401/400),
// method (405), then the route handler.
// CPPHTTPLIB_OPENSSL_SUPPORT comes from cpp-httplib's pkg-config flags (it
// must match the compiled library).
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <deque>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/common/api_version.h"
#include "service/common/log.h"
#include "service/emulator/addon_routes.h"
#include "service/emulator/api_types.h"
#include "service/emulator/auth_check.h"
#include "service/emulator/connection_control.h"
#include "service/emulator/conversion_routes.h"
#include "service/emulator/emulator.h"
#include "service/emulator/fault_injector.h"
#include "service/emulator/file_extras_routes.h"
#include "service/emulator/files_routes.h"
#include "service/emulator/groups_routes.h"
#include "service/emulator/project_data.h"
#include "service/emulator/project_routes.h"
#include "service/emulator/router.h"
#include "service/emulator/search_routes.h"
#include "service/emulator/webhooks_routes.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

// Worker threads. cpp-httplib holds a thread per open connection (idle
// keep-alive ones included, up to the keep-alive timeout), so this bounds
// the connections served at once, not the request rate.
constexpr size_t kWorkerThreads = 32;
constexpr time_t kKeepAliveSeconds = 5;
constexpr size_t kKeepAliveMaxRequests = 1000000;
constexpr size_t kMaxBodyBytes = 16 << 20;
// RecordedRequest history kept for tests (the oldest are dropped).
constexpr size_t kMaxRecordedRequests = 10000;

constexpr absl::string_view kControlPrefix = "/__emulator/";
constexpr absl::string_view kBadAccept =
    "Incorrect Accept header provided. Make sure to specify API version. "
    "Refer to REST API docs for details.";

constexpr absl::string_view kJsonContentType = "application/json";

// Each project seeds from its own stream, so projects hold different files.
uint64_t ProjectSeed(uint64_t seed, size_t index) {
  return seed + index * 0x9E3779B97F4A7C15ULL;
}

void IgnoreSigpipe() {
  // Writing to a connection the peer (or a reset fault) closed must not kill
  // the process; servers ignore SIGPIPE, as gRPC does.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 &&
      current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}

class EmulatorImpl final : public Emulator {
 public:
  explicit EmulatorImpl(EmulatorOptions options)
      : options_(std::move(options)) {
    RegisterFilesRoutes(router_);
    RegisterConversionRoutes(router_);
    RegisterAddonRoutes(router_);
    RegisterGroupsRoutes(router_);
    RegisterProjectRoutes(router_);
    RegisterWebhooksRoutes(router_);
    RegisterFileExtrasRoutes(router_);
    RegisterSearchRoutes(router_);
  }

  ~EmulatorImpl() override {
    if (server_ == nullptr) return;
    server_->stop();
    // Idle keep-alive connections would hold their workers until the
    // keep-alive timeout; close them so that stopping is prompt.
    if (port_ > 0) ShutdownConnectionsOnPort(port_);
    if (listener_.joinable()) listener_.join();
  }

  absl::Status Listen() {
    if (options_.tls) {
      server_ = std::make_unique<httplib::SSLServer>(
          options_.tls->cert_file.c_str(), options_.tls->key_file.c_str());
      if (!server_->is_valid()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot load the TLS certificate '", options_.tls->cert_file,
            "' and key '", options_.tls->key_file, "'"));
      }
    } else {
      server_ = std::make_unique<httplib::Server>();
    }
    server_->new_task_queue = [] {
      return new httplib::ThreadPool(kWorkerThreads);
    };
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_timeout(kKeepAliveSeconds);
    server_->set_keep_alive_max_count(kKeepAliveMaxRequests);
    server_->set_payload_max_length(kMaxBodyBytes);
    auto handle = [this](const httplib::Request& request,
                         httplib::Response& response) {
      Handle(request, response);
    };
    server_->Get(".*", handle);
    server_->Post(".*", handle);
    server_->Put(".*", handle);
    server_->Patch(".*", handle);
    server_->Delete(".*", handle);
    server_->Options(".*", handle);
    server_->set_exception_handler([](const httplib::Request&,
                                      httplib::Response& response,
                                      std::exception_ptr) {
      response.status = 500;
      response.set_content(R"({"detail":"A server error occurred."})",
                           std::string(kJsonContentType));
    });

    if (options_.port == 0) {
      port_ = server_->bind_to_any_port(options_.host);
    } else if (server_->bind_to_port(options_.host, options_.port)) {
      port_ = options_.port;
    }
    if (port_ <= 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.host, ":", options_.port));
    }

    std::string scheme = options_.tls ? "https" : "http";
    std::string host = options_.host;
    if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
    if (host == "::") host = "::1";
    // Test certificates name "localhost"; the interface promises that form.
    if (options_.tls && host == "127.0.0.1") host = "localhost";
    if (absl::StrContains(host, ':')) host = absl::StrCat("[", host, "]");
    base_url_ = absl::StrCat(scheme, "://", host, ":", port_);
    public_base_url_ =
        options_.public_base_url.empty() ? base_url_ : options_.public_base_url;
    while (!public_base_url_.empty() && public_base_url_.back() == '/') {
      public_base_url_.pop_back();
    }

    for (size_t i = 0; i < options_.projects.size(); ++i) {
      FileStoreOptions files;
      files.seed = ProjectSeed(options_.seed, i);
      files.seed_files = options_.seed_files;
      files.base_url = public_base_url_;
      projects_.push_back(std::make_unique<ProjectData>(options_.projects[i],
                                                        std::move(files)));
    }

    listener_ = std::thread([this] { server_->listen_after_bind(); });
    // The socket already listens (connections queue); wait until the accept
    // loop runs too, so the first request is served at once.
    absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (!server_->is_running()) {
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError("the HTTP server did not start");
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }
  std::string base_url() const override { return base_url_; }

  void AddFault(Fault fault) override { faults_.Add(std::move(fault)); }
  void ClearFaults() override { faults_.Clear(); }
  int requests_held() const override { return requests_held_.load(); }

  std::vector<RecordedRequest> requests() const override {
    absl::MutexLock lock(&requests_mutex_);
    return std::vector<RecordedRequest>(requests_.begin(), requests_.end());
  }
  void ClearRequests() override {
    absl::MutexLock lock(&requests_mutex_);
    requests_.clear();
  }

  std::vector<v1::File> Files(absl::string_view public_key) const override {
    ProjectData* project = FindProject(public_key);
    if (project == nullptr) return {};
    SettleJobs(*project);
    return project->files.All();
  }

  std::vector<v1::Group> Groups(absl::string_view public_key) const override {
    ProjectData* project = FindProject(public_key);
    if (project == nullptr) return {};
    SettleJobs(*project);
    return project->groups.All();
  }

  v1::File AddFile(absl::string_view public_key, v1::File file) override {
    ProjectData* project = FindProject(public_key);
    if (project == nullptr) return file;
    return project->files.Add(std::move(file), Clock().Now());
  }

 private:
  const ucgate::Clock& Clock() const { return *options_.clock; }

  // Jobs whose time has come finish before anything reads the project, so a
  // result file exists as soon as the clock passes its finishing time.
  void SettleJobs(ProjectData& project) const {
    project.jobs.Settle(Clock().Now(), project.files, project.groups);
  }

  ProjectData* FindProject(absl::string_view public_key) const {
    for (const auto& project : projects_) {
      if (project->config.public_key == public_key) return project.get();
    }
    return nullptr;
  }

  // Aborts the request's connection (RST): no answer reaches the client.
  static void ResetConnection(const httplib::Request& http,
                              httplib::Response& out) {
    int fd = http.ssl != nullptr
                 ? SSL_get_fd(http.ssl)
                 : FindConnectionSocket(http.local_port, http.remote_addr,
                                        http.remote_port);
    if (fd >= 0) AbortConnection(fd);
    out.status = 500;  // never reaches the client
  }

  void Handle(const httplib::Request& http, httplib::Response& out) {
    absl::Time started = absl::Now();
    if (absl::StartsWith(http.path, kControlPrefix)) {
      HandleControl(http, out);
      return;
    }
    RecordedRequest record;
    record.method = http.method;
    record.path_and_query = http.target;
    record.authorization = http.get_header_value("Authorization");
    record.accept = http.get_header_value("Accept");
    record.body = http.body;

    std::optional<ApiVersion> version = ApiVersionFromAccept(record.accept);
    std::string content_type = version ? std::string(AcceptHeaderFor(*version))
                                       : std::string(kJsonContentType);
    bool malformed = false;
    std::optional<Fault> body_fault;
    ApiResponse response;

    if (std::optional<Fault> fault = faults_.Take(http.method, http.path)) {
      if (fault->latency > absl::ZeroDuration()) {
        ++requests_held_;
        absl::SleepFor(fault->latency);
        --requests_held_;
      }
      // Recorded before the reset: the client may look as soon as it sees it.
      if (fault->reset_connection) {
        Finish(std::move(record), 0, started);
        ResetConnection(http, out);
        return;
      }
      if (fault->reset_after_processing) {
        response = Dispatch(http, version);
        Finish(std::move(record), 0, started);
        ResetConnection(http, out);
        return;
      }
      malformed = fault->malformed_body;
      if (fault->truncated_body || fault->slow_body > absl::ZeroDuration() ||
          fault->oversized_body_bytes > 0) {
        body_fault = fault;
      }
      if (fault->status != 0) {
        response.status = fault->status;
        response.body =
            fault->body.empty() ? DefaultFaultBody(*fault) : fault->body;
        if (fault->retry_after_seconds) {
          response.headers.emplace_back(
              "Retry-After", absl::StrCat(*fault->retry_after_seconds));
        }
        Write(response, content_type, malformed, out);
        Finish(std::move(record), response.status, started);
        return;
      }
    }

    response = Dispatch(http, version);
    Write(response, content_type, malformed, out);
    if (body_fault) DamageBody(*body_fault, content_type, out);
    Finish(std::move(record), response.status, started);
  }

  // The body faults: the answer is whole, its delivery is not.
  static void DamageBody(const Fault& fault, const std::string& content_type,
                         httplib::Response& out) {
    if (fault.oversized_body_bytes > 0) {
      out.body.append(static_cast<size_t>(fault.oversized_body_bytes), ' ');
    }
    if (!fault.truncated_body && fault.slow_body <= absl::ZeroDuration()) {
      return;
    }
    auto body = std::make_shared<std::string>(std::move(out.body));
    out.body.clear();
    const size_t size = body->size();
    if (fault.truncated_body) {
      out.set_content_provider(
          size, content_type,
          [body](size_t offset, size_t, httplib::DataSink& sink) {
            if (offset == 0) sink.write(body->data(), body->size() / 2);
            return false;  // httplib closes the connection here
          });
      return;
    }
    const size_t piece = std::max<size_t>(1, (size + 7) / 8);
    const absl::Duration pause = fault.slow_body / 8;
    out.set_content_provider(
        size, content_type,
        [body, piece, pause](size_t offset, size_t, httplib::DataSink& sink) {
          absl::SleepFor(pause);
          return sink.write(body->data() + offset,
                            std::min(piece, body->size() - offset));
        });
  }

  ApiResponse Dispatch(const httplib::Request& http,
                       std::optional<ApiVersion> version) {
    Router::Match match;
    Router::Outcome outcome = router_.Find(http.method, http.path, &match);
    if (outcome == Router::Outcome::kNotFound) {
      return DetailError(404, "Not found.");
    }
    if (!version) return DetailError(406, kBadAccept);

    AuthInput auth;
    auth.method = http.method;
    auth.target = http.target;
    auth.body = http.body;
    std::string request_content_type = http.get_header_value("Content-Type");
    std::string authorization = http.get_header_value("Authorization");
    std::string x_date = http.get_header_value("X-Uploadcare-Date");
    std::string date = http.get_header_value("Date");
    auth.content_type = request_content_type;
    auth.authorization = authorization;
    auth.x_uploadcare_date = x_date;
    auth.date = date;
    auth.https = options_.tls.has_value();
    absl::Time now = Clock().Now();
    size_t project_index = 0;
    if (std::optional<ApiResponse> refused =
            CheckAuth(auth, options_.projects, now, &project_index)) {
      return *refused;
    }

    ApiResponse response;
    if (outcome == Router::Outcome::kMethodNotAllowed) {
      response = DetailError(
          405, absl::StrCat("Method \"", http.method, "\" not allowed."));
    } else if (match.handler == nullptr) {  // OPTIONS
      response = JsonResponse(200, "{}");
    } else {
      ApiRequest request;
      request.method = http.method;
      request.path = http.path;
      size_t question = http.target.find('?');
      if (question != std::string::npos) {
        request.query = ParseQueryString(
            absl::string_view(http.target).substr(question + 1));
      }
      request.content_type = request_content_type;
      request.body = &http.body;
      request.version = *version;
      request.path_params = std::move(match.params);
      request.project = projects_[project_index].get();
      request.now = now;
      request.project->jobs.Settle(now, request.project->files,
                                   request.project->groups);
      request.public_base_url = public_base_url_;
      response = (*match.handler)(request);
    }
    response.headers.emplace_back("Allow", match.allow);
    return response;
  }

  static void Write(const ApiResponse& response,
                    const std::string& content_type, bool malformed,
                    httplib::Response& out) {
    out.status = response.status;
    for (const auto& [name, value] : response.headers) {
      out.set_header(name.c_str(), value);
    }
    if (response.body.empty() && response.status != 200) return;
    out.set_content(malformed ? TruncateJson(response.body) : response.body,
                    content_type.c_str());
  }

  void Finish(RecordedRequest record, int status, absl::Time started) {
    record.status = status;
    UCGATE_LOG(kDebug, record.method, " ", record.path_and_query, " -> ",
               status, " in ", absl::ToInt64Microseconds(absl::Now() - started),
               " us");
    absl::MutexLock lock(&requests_mutex_);
    if (requests_.size() >= kMaxRecordedRequests) requests_.pop_front();
    requests_.push_back(std::move(record));
  }

  // Test-only endpoints, without authentication (the emulator listens on
  // loopback): GET /__emulator/health, POST and DELETE /__emulator/faults.
  void HandleControl(const httplib::Request& http, httplib::Response& out) {
    auto answer = [&](int status, const std::string& body) {
      out.status = status;
      out.set_content(body, std::string(kJsonContentType));
    };
    if (http.path == "/__emulator/health" && http.method == "GET") {
      answer(200, absl::StrCat("{\"status\":\"ok\",\"projects\":",
                               projects_.size(), "}"));
    } else if (http.path == "/__emulator/faults" && http.method == "POST") {
      absl::StatusOr<Fault> fault = ParseFaultJson(http.body);
      if (!fault.ok()) {
        answer(400, DetailError(400, fault.status().message()).body);
        return;
      }
      faults_.Add(*std::move(fault));
      answer(201, R"({"status":"ok"})");
    } else if (http.path == "/__emulator/faults" && http.method == "DELETE") {
      faults_.Clear();
      answer(200, R"({"status":"ok"})");
    } else {
      answer(404, R"({"detail":"Not found."})");
    }
  }

  EmulatorOptions options_;
  Router router_;
  std::vector<std::unique_ptr<ProjectData>> projects_;
  FaultInjector faults_;
  std::atomic<int> requests_held_{0};
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
  std::string base_url_;
  std::string public_base_url_;

  mutable absl::Mutex requests_mutex_;
  std::deque<RecordedRequest> requests_ ABSL_GUARDED_BY(requests_mutex_);
};

absl::Status Validate(const EmulatorOptions& options) {
  if (options.projects.empty()) {
    return absl::InvalidArgumentError(
        "the emulator needs at least one project");
  }
  for (size_t i = 0; i < options.projects.size(); ++i) {
    const EmulatorProject& project = options.projects[i];
    if (project.public_key.empty() || project.secret_key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("project ", i, " needs a public and a secret key"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (options.projects[j].public_key == project.public_key) {
        return absl::InvalidArgumentError(absl::StrCat(
            "two projects share the public key '", project.public_key, "'"));
      }
    }
  }
  if (options.seed_files < 0) {
    return absl::InvalidArgumentError("seed_files must not be negative");
  }
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port ", options.port, " is out of range"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Emulator>> Emulator::Start(
    EmulatorOptions options) {
  if (absl::Status valid = Validate(options); !valid.ok()) return valid;
  if (options.clock == nullptr) options.clock = MakeSystemClock();
  IgnoreSigpipe();
  auto emulator = std::make_unique<EmulatorImpl>(std::move(options));
  if (absl::Status listening = emulator->Listen(); !listening.ok()) {
    return listening;
  }
  return emulator;
}

}  // namespace ucgate::emulator
