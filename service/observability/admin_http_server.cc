#include "service/observability/admin_http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace ucgate::observability {
namespace {

// Scrapes and probes are few and short; a handful of connections at once.
constexpr size_t kWorkerThreads = 4;
constexpr time_t kKeepAliveSeconds = 5;

class AdminHttpServerImpl final : public AdminHttpServer {
 public:
  explicit AdminHttpServerImpl(AdminHttpOptions options)
      : options_(std::move(options)) {}

  ~AdminHttpServerImpl() override {
    server_.stop();
    if (listener_.joinable()) listener_.join();
  }

  absl::Status Listen() {
    const size_t colon = options_.listen.rfind(':');
    int port = -1;
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) ||
        port < 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "admin_listen: '", options_.listen, "' is not HOST:PORT"));
    }
    absl::string_view host(options_.listen.data(), colon);
    if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
    server_.new_task_queue = [] {
      return new httplib::ThreadPool(kWorkerThreads);
    };
    // Without it a keep-alive scraper's second request stalls on Nagle's
    // algorithm against delayed ACKs (~40 ms).
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_timeout(kKeepAliveSeconds);
    // SO_REUSEADDR for quick restarts, but not cpp-httplib's default
    // SO_REUSEPORT: a second ucgate on the same admin port must fail to
    // start, not share (and split) the scrapes.
    server_.set_socket_options([](socket_t socket) {
      int yes = 1;
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    server_.Get("/metrics",
                [this](const httplib::Request&, httplib::Response& response) {
                  if (!options_.metrics) {
                    response.status = 404;
                    return;
                  }
                  response.set_content(options_.metrics->TextExposition(),
                                       kTextExpositionContentType);
                });
    server_.Get("/healthz",
                [](const httplib::Request&, httplib::Response& response) {
                  response.set_content("ok\n", "text/plain");
                });
    server_.Get("/readyz", [this](const httplib::Request&,
                                  httplib::Response& response) {
      const bool ready = options_.ready && options_.ready();
      response.status = ready ? 200 : 503;
      response.set_content(ready ? "ready\n" : "not ready\n", "text/plain");
    });

    const std::string host_name(host);
    if (port == 0) {
      port_ = server_.bind_to_any_port(host_name);
    } else if (server_.bind_to_port(host_name, port)) {
      port_ = port;
    }
    if (port_ <= 0) {
      return absl::UnavailableError(
          absl::StrCat("admin_listen: cannot listen on ", options_.listen,
                       " (address in use, or not a local address)"));
    }
    listener_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already queues connections; wait for the accept loop so
    // that a probe right after Start is answered at once.
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (!server_.is_running()) {
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(
            "admin_listen: the HTTP server did not start");
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }

 private:
  const AdminHttpOptions options_;
  httplib::Server server_;
  std::thread listener_;
  int port_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AdminHttpServer>> AdminHttpServer::Start(
    AdminHttpOptions options) {
  auto server = std::make_unique<AdminHttpServerImpl>(std::move(options));
  if (absl::Status status = server->Listen(); !status.ok()) return status;
  return server;
}

}  // namespace ucgate::observability
