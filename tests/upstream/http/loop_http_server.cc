#include "tests/upstream/http/loop_http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ucgate::testing {

struct LoopHttpServer::Connection {
  uint64_t id = 0;
  int fd = -1;
  std::string in;
  std::string out;
  int requests = 0;
  // A request is being acted on: later ones wait (answers keep their order).
  bool busy = false;
  bool close_when_flushed = false;
  bool reset_when_flushed = false;
};

LoopHttpServer::LoopHttpServer(Handler handler)
    : handler_(std::move(handler)) {}

LoopHttpServer::~LoopHttpServer() { Stop(); }

absl::Status LoopHttpServer::Start() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener_ < 0) return absl::InternalError("socket");
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address),
                    &length) != 0 ||
      ::listen(listener_, 4096) != 0) {
    return absl::InternalError("cannot listen on loopback");
  }
  port_ = ntohs(address.sin_port);
  absl::StatusOr<std::unique_ptr<io::EventLoop>> loop =
      io::EventLoop::Start("test-http-srv");
  if (!loop.ok()) return loop.status();
  loop_ = *std::move(loop);
  std::promise<absl::Status> watching;
  std::future<absl::Status> result = watching.get_future();
  loop_->Post([this, &watching] {
    watching.set_value(
        loop_->Watch(listener_, io::kReadable, [this](uint32_t) { Accept(); }));
  });
  return result.get();
}

void LoopHttpServer::Stop() {
  if (loop_ == nullptr) return;
  loop_->Post([this] {
    std::vector<uint64_t> ids;
    for (const auto& [id, connection] : connections_) ids.push_back(id);
    for (uint64_t id : ids) Close(id, /*reset=*/false);
    loop_->Unwatch(listener_);
  });
  loop_->Stop();
  loop_->Join();
  loop_.reset();
  ::close(listener_);
  listener_ = -1;
}

std::string LoopHttpServer::Url(const std::string& target) const {
  return absl::StrCat("http://127.0.0.1:", port_, target);
}

LoopHttpServer::Connection* LoopHttpServer::Find(uint64_t id) {
  auto found = connections_.find(id);
  return found == connections_.end() ? nullptr : found->second.get();
}

void LoopHttpServer::Accept() {
  for (;;) {
    const int fd =
        ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: all taken
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<Connection>();
    connection->id = next_id_++;
    connection->fd = fd;
    const uint64_t id = connection->id;
    connections_.emplace(id, std::move(connection));
    ++accepted_;
    const uint64_t open = ++open_;
    if (open > most_open_.load()) most_open_.store(open);  // loop thread only
    if (!loop_
             ->Watch(fd, io::kReadable,
                     [this, id](uint32_t ready) {
                       if (ready & io::kWritable) Flush(id);
                       if (ready & (io::kReadable | io::kIoError)) {
                         OnReadable(id);
                       }
                     })
             .ok()) {
      Close(id, false);
    }
  }
}

void LoopHttpServer::OnReadable(uint64_t id) {
  Connection* connection = Find(id);
  if (connection == nullptr) return;
  char buffer[16384];
  for (;;) {
    const ssize_t got = ::recv(connection->fd, buffer, sizeof buffer, 0);
    if (got > 0) {
      connection->in.append(buffer, static_cast<size_t>(got));
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Close(id, false);  // peer closed or failed
    return;
  }
  ParseRequests(id);
}

void LoopHttpServer::ParseRequests(uint64_t id) {
  for (;;) {
    // Found again each time: acting on a request may close the connection.
    Connection* found = Find(id);
    if (found == nullptr || found->busy) return;
    Connection& connection = *found;
    const size_t head_end = connection.in.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    const absl::string_view head(connection.in.data(), head_end);
    std::vector<absl::string_view> lines = absl::StrSplit(head, "\r\n");
    std::vector<absl::string_view> request_line =
        absl::StrSplit(lines.front(), ' ');
    size_t content_length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      if (absl::EqualsIgnoreCase(
              absl::StripAsciiWhitespace(lines[i].substr(0, colon)),
              "content-length")) {
        (void)absl::SimpleAtoi(
            absl::StripAsciiWhitespace(lines[i].substr(colon + 1)),
            &content_length);
      }
    }
    const size_t total = head_end + 4 + content_length;
    if (connection.in.size() < total) return;
    ServerRequest request;
    request.method = std::string(request_line.at(0));
    request.target =
        request_line.size() > 1 ? std::string(request_line[1]) : "/";
    request.body = connection.in.substr(head_end + 4, content_length);
    request.connection = connection.id;
    request.index_on_connection = connection.requests++;
    connection.in.erase(0, total);
    ++requests_;
    connection.busy = true;
    Act(connection.id, std::move(request));
  }
}

void LoopHttpServer::Act(uint64_t id, ServerRequest request) {
  ServerAction action = handler_(request);
  if (action.delay <= absl::ZeroDuration()) {
    Perform(id, action);
    return;
  }
  loop_->After(action.delay,
               [this, id, action = std::move(action)] { Perform(id, action); });
}

void LoopHttpServer::Perform(uint64_t id, const ServerAction& action) {
  Connection* connection = Find(id);
  if (connection == nullptr) return;
  using Kind = ServerAction::Kind;
  switch (action.kind) {
    case Kind::kHold:
      return;
    case Kind::kReset:
      Close(id, /*reset=*/true);
      return;
    case Kind::kClose:
      Close(id, /*reset=*/false);
      return;
    case Kind::kTruncate:
    case Kind::kAnswer:
      break;
  }
  std::string head = absl::StrCat("HTTP/1.1 ", action.status, " X\r\n");
  if (action.close_delimited) {
    absl::StrAppend(&head, "Connection: close\r\n\r\n");
  } else {
    absl::StrAppend(&head, "Content-Length: ", action.body.size(), "\r\n\r\n");
  }
  if (action.kind == Kind::kTruncate) {
    Write(*connection, head + action.body.substr(0, action.body.size() / 2));
    connection->close_when_flushed = true;
    Flush(id);
    return;
  }
  if (action.body_chunk > 0) {
    Write(*connection, head);
    Flush(id);
    SendChunks(id, action.body, action.body_chunk, action.chunk_interval,
               action.reset_after);
    return;
  }
  Write(*connection, head + action.body);
  connection->busy = false;
  connection->close_when_flushed = action.close_delimited;
  connection->reset_when_flushed = action.reset_after;
  Flush(id);
  ParseRequests(id);
}

void LoopHttpServer::SendChunks(uint64_t id, std::string body,
                                std::size_t chunk, absl::Duration interval,
                                bool reset_after) {
  Connection* connection = Find(id);
  if (connection == nullptr) return;
  Write(*connection, body.substr(0, chunk));
  body.erase(0, std::min(chunk, body.size()));
  if (body.empty()) {
    connection->busy = false;
    connection->reset_when_flushed = reset_after;
    Flush(id);
    ParseRequests(id);
    return;
  }
  Flush(id);
  loop_->After(interval, [=, this, body = std::move(body)]() mutable {
    SendChunks(id, std::move(body), chunk, interval, reset_after);
  });
}

void LoopHttpServer::Write(Connection& connection, const std::string& bytes) {
  connection.out += bytes;
}

void LoopHttpServer::Flush(uint64_t id) {
  Connection* connection = Find(id);
  if (connection == nullptr) return;
  while (!connection->out.empty()) {
    const ssize_t put = ::send(connection->fd, connection->out.data(),
                               connection->out.size(), MSG_NOSIGNAL);
    if (put > 0) {
      connection->out.erase(0, static_cast<size_t>(put));
      continue;
    }
    if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Close(id, false);
    return;
  }
  if (connection->out.empty()) {
    if (connection->reset_when_flushed || connection->close_when_flushed) {
      Close(id, connection->reset_when_flushed);
      return;
    }
  }
  const uint32_t events =
      io::kReadable | (connection->out.empty() ? 0u : io::kWritable);
  (void)loop_->Watch(connection->fd, events, [this, id](uint32_t ready) {
    if (ready & io::kWritable) Flush(id);
    if (ready & (io::kReadable | io::kIoError)) OnReadable(id);
  });
}

void LoopHttpServer::Close(uint64_t id, bool reset) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  const int fd = found->second->fd;
  loop_->Unwatch(fd);
  if (reset) {
    // Linger 0: close() sends RST instead of FIN.
    linger abort{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  }
  ::close(fd);
  connections_.erase(found);
  --open_;
}

}  // namespace ucgate::testing
