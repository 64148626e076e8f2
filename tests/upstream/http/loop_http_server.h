// A small HTTP/1.1 server on one event loop (service/common/io), for
// transport tests and the transport bench: it holds thousands of delayed
// answers without a thread each (a thread-per-connection server would
// measure itself), and it misbehaves on request: resets, silent closes,
// truncated or slow bodies, answers that never come.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/common/io/event_loop.h"

namespace ucgate::testing {

struct ServerRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::string body;
  uint64_t connection = 0;      // 1, 2, ... in accept order
  int index_on_connection = 0;  // 0 for a connection's first request
};

// What the server does with one request.
struct ServerAction {
  enum class Kind {
    kAnswer,    // status + body (slowly when body_chunk is set)
    kReset,     // resets the connection (RST) instead of answering
    kClose,     // closes the connection (FIN) without answering
    kTruncate,  // announces the whole body, sends half, then closes
    kHold,      // never answers (until the server stops)
  };
  Kind kind = Kind::kAnswer;
  int status = 200;
  std::string body;
  // Waited before acting (answering, resetting, ...), on a loop timer.
  absl::Duration delay = absl::ZeroDuration();
  // Slow body: sent `body_chunk` bytes at a time, `chunk_interval` apart.
  std::size_t body_chunk = 0;
  absl::Duration chunk_interval = absl::ZeroDuration();
  // After answering: reset the connection (the client got its answer, the
  // connection is dead for the next request).
  bool reset_after = false;
  // No Content-Length: the body ends when the connection closes.
  bool close_delimited = false;
};

class LoopHttpServer {
 public:
  // Runs on the server's loop thread; must not block.
  using Handler = std::function<ServerAction(const ServerRequest&)>;

  explicit LoopHttpServer(Handler handler);
  ~LoopHttpServer();

  // Listens on 127.0.0.1 and a free port.
  absl::Status Start();
  // Closes every connection and the listener; idempotent.
  void Stop();

  int port() const { return port_; }
  std::string Url(const std::string& target) const;

  uint64_t connections_accepted() const { return accepted_.load(); }
  uint64_t requests_received() const { return requests_.load(); }
  // Connections open right now.
  uint64_t connections_open() const { return open_.load(); }
  // The most connections that were open at once.
  uint64_t most_connections_open() const { return most_open_.load(); }

 private:
  struct Connection;
  void Accept();
  void OnReadable(uint64_t id);
  void ParseRequests(uint64_t id);
  void Act(uint64_t id, ServerRequest request);
  void Perform(uint64_t id, const ServerAction& action);
  void SendChunks(uint64_t id, std::string body, std::size_t chunk,
                  absl::Duration interval, bool reset_after);
  void Write(Connection& connection, const std::string& bytes);
  void Flush(uint64_t id);
  void Close(uint64_t id, bool reset);
  Connection* Find(uint64_t id);

  Handler handler_;
  std::unique_ptr<io::EventLoop> loop_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> open_{0};
  std::atomic<uint64_t> most_open_{0};
  // Loop thread only.
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
};

}  // namespace ucgate::testing
