// Loopback servers for transport tests: a cpp-httplib server (HTTP or HTTPS)
// that records what arrives, and a scripted TCP server that answers raw bytes
// (for replies no well-behaved HTTP server would send).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace ucgate::testing {

// What the server saw of one request.
struct ReceivedRequest {
  std::string method;
  std::string path;
  httplib::Headers headers;
  std::string body;
  int remote_port = 0;  // Tells connections apart.

  std::string HeaderOr(const std::string& name, std::string fallback) const {
    auto it = headers.find(name);
    return it == headers.end() ? fallback : it->second;
  }
  bool HasHeader(const std::string& name) const {
    return headers.find(name) != headers.end();
  }
};

// An httplib::Server on 127.0.0.1 and a port of the kernel's choosing. Register
// handlers through server() (Record() logs a request), then Start().
class LocalHttpServer {
 public:
  explicit LocalHttpServer(std::unique_ptr<httplib::Server> server =
                               std::make_unique<httplib::Server>())
      : server_(std::move(server)) {
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_max_count(1000);
    // Stop() waits for open keep-alive connections; tests close their clients
    // first, this bounds the wait if one does not.
    server_->set_keep_alive_timeout(1);
  }
  ~LocalHttpServer() { Stop(); }

  httplib::Server& server() { return *server_; }

  void Start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // Connections queue in the backlog already; waiting for the accept loop
    // only guarantees that Stop() cannot race ahead of it.
    while (!server_->is_running()) std::this_thread::yield();
  }

  void Stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (or another scheme/host).
  std::string Url(const std::string& path, const std::string& scheme = "http",
                  const std::string& host = "127.0.0.1") const {
    return absl::StrCat(scheme, "://", host, ":", port_, path);
  }

  void Record(const httplib::Request& request) {
    absl::MutexLock lock(&mu_);
    received_.push_back(ReceivedRequest{request.method, request.path,
                                        request.headers, request.body,
                                        request.remote_port});
  }
  std::vector<ReceivedRequest> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  size_t DistinctConnections() {
    absl::MutexLock lock(&mu_);
    std::set<int> ports;
    for (const ReceivedRequest& request : received_) {
      ports.insert(request.remote_port);
    }
    return ports.size();
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  absl::Mutex mu_;
  std::vector<ReceivedRequest> received_ ABSL_GUARDED_BY(mu_);
};

// Binds `socket` to 127.0.0.1 and a free port; returns the port, 0 on error.
inline int BindLoopback(int socket) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(socket, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) !=
          0) {
    return 0;
  }
  return ntohs(address.sin_port);
}

// Accepts one connection, reads the request head, writes `reply` verbatim and
// closes the connection. The raw request head is kept for inspection.
class ScriptedTcpServer {
 public:
  explicit ScriptedTcpServer(std::string reply) : reply_(std::move(reply)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    port_ = BindLoopback(listener_);
    if (port_ == 0 || ::listen(listener_, 4) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedTcpServer() {
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  // The request line and headers as they arrived (waits for the exchange).
  std::string ReceivedHead() {
    if (thread_.joinable()) thread_.join();
    return head_;
  }

 private:
  void Serve() {
    const int connection = ::accept(listener_, nullptr, nullptr);
    if (connection < 0) return;
    char buffer[4096];
    while (head_.find("\r\n\r\n") == std::string::npos) {
      const ssize_t got = ::recv(connection, buffer, sizeof(buffer), 0);
      if (got <= 0) break;
      head_.append(buffer, static_cast<size_t>(got));
    }
    size_t sent = 0;
    while (sent < reply_.size()) {
      const ssize_t put = ::send(connection, reply_.data() + sent,
                                 reply_.size() - sent, MSG_NOSIGNAL);
      if (put <= 0) break;
      sent += static_cast<size_t>(put);
    }
    ::close(connection);
  }

  std::string reply_;
  std::string head_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// A TCP port bound on loopback but never listening: connecting is refused
// for as long as this object lives (and no other test can take the port).
class RefusingPort {
 public:
  RefusingPort() {
    socket_ = ::socket(AF_INET, SOCK_STREAM, 0);
    port_ = BindLoopback(socket_);
    if (port_ == 0) ADD_FAILURE() << "cannot bind on loopback";
  }
  ~RefusingPort() { ::close(socket_); }
  int port() const { return port_; }

 private:
  int socket_ = -1;
  int port_ = 0;
};

}  // namespace ucgate::testing
