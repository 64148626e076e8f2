// The lowest seam of the upstream path: one HTTP exchange. Everything above
// it (stub, connection, gateway) is tested against fakes of this interface.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/cancellation.h"
#include "service/common/io/timers.h"

namespace ucgate::http {

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };

// "GET", "POST", ... (inline: the signer and the emulator need it without
// linking the curl transport).
inline absl::string_view MethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kPatch:
      return "PATCH";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  // Absolute URL with its query, e.g.
  // "https://api.uploadcare.com/files/?limit=1".
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
};

// Every HttpClient returns bodies with at least this many bytes of spare
// capacity after size(), so that simdjson can parse them in place without a
// copy (simdjson::padded_string_view(body.data(), body.size(),
// body.capacity())).
inline constexpr std::size_t kBodyPadding = 64;

// Large answer bodies (a 0.9 MB listing page) are recycled rather than freed:
// a new buffer per page, interleaved with the page's many small mapped
// strings, fragmented the heap so that a long stream's memory crept up with
// its length. Buffers of at least kMinRecycledBody bytes are kept, at most
// kMaxRecycledBodies of them.
inline constexpr std::size_t kMinRecycledBody = 256 * 1024;
inline constexpr std::size_t kMaxRecycledBodies = 4;
// An empty string with at least `capacity` bytes of capacity: a recycled
// buffer when one is large enough.
std::string TakeBodyBuffer(std::size_t capacity);
// Hands a body that has been read back for reuse (small ones are just freed).
void RecycleBody(std::string body);

struct HttpResponse {
  int status_code = 0;
  // Header names are lower-cased.
  std::vector<HttpHeader> headers;
  std::string body;

  // The first header with this lower-case name.
  std::optional<absl::string_view> Header(absl::string_view lower_name) const;
};

struct RequestOptions {
  // The whole exchange (connect included) must end by then; the caller's gRPC
  // deadline flows here.
  absl::Time deadline = absl::InfiniteFuture();
  // When cancelled (before or during the transfer), the transfer is aborted
  // at once: CANCELLED. May be null; must outlive Send.
  const Cancellation* cancellation = nullptr;
};

// Sends one request and waits for the answer (a fiber suspends: see
// common/io/fiber.h). Any HTTP status is a successful exchange (the caller maps
// it); only transport failures are errors: UNAVAILABLE (cannot connect, reset,
// TLS failure), DEADLINE_EXCEEDED (deadline or timeout), CANCELLED.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request,
                                            const RequestOptions& options) = 0;
  // Upstream connections open now (in use or kept alive), for the
  // ucgate_upstream_connections gauge; nullopt when the transport cannot
  // tell (test fakes).
  virtual std::optional<std::size_t> open_connections() const {
    return std::nullopt;
  }
  // The event loops its exchanges complete on: calls that run as fibers
  // there (io::FiberExecutor) wait for an exchange without a thread, and
  // are resumed without a hop. Empty for transports without loops (fakes).
  virtual std::vector<io::LoopHost*> loops() const { return {}; }
};

struct CurlHttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  // Upper bound for one exchange, whatever the caller's deadline.
  absl::Duration request_timeout = absl::Seconds(30);
  // PEM bundle of trusted CAs; empty means the system store.
  std::string ca_file;
  // Idle keep-alive connections kept for reuse, across all I/O threads
  // (each keeps its share, at least one); 0 closes every connection after
  // its exchange.
  std::size_t max_idle_connections = 64;
  // Largest answer body accepted; past it the transfer is aborted and the
  // call fails INTERNAL (ErrorInfo kUpstreamAnswerTooLarge) instead of the
  // gateway buffering whatever the upstream sends. A 1,000-file listing page
  // with appdata is about 1-4 MB.
  std::size_t max_response_bytes = std::size_t{64} << 20;
  std::string user_agent = "ucgate/0.1";

  // Event-loop threads, each with its own libcurl multi handle and
  // connection pool; 0 means one per core.
  std::size_t io_threads = 0;
  // Connections open at once to one host (host:port), across all I/O
  // threads (each gets its share, at least one); transfers beyond it wait
  // inside libcurl for a free connection. 0 means no cap.
  std::size_t max_connections_per_host = 256;
  // Transfers started and not yet answered, across the client; beyond it a
  // request is answered RESOURCE_EXHAUSTED with RetryInfo
  // (in_flight_retry_delay) without being sent.
  std::size_t max_in_flight = 4096;
  absl::Duration in_flight_retry_delay = absl::Milliseconds(100);
  // HTTP/2 over TLS where the upstream offers it (ALPN), many exchanges
  // multiplexed on one connection; cleartext stays HTTP/1.1.
  bool http2 = false;
};

// Called once with the outcome of one exchange, on an I/O thread of the
// client: it must not block (hand blocking work elsewhere).
using HttpCompletion =
    absl::AnyInvocable<void(absl::StatusOr<HttpResponse> response) &&>;

// The transport itself: exchanges in flight wait on a few event-loop threads
// (libcurl's multi-socket interface over epoll), not on a thread each.
class AsyncHttpClient {
 public:
  // Shuts down with no grace (see Shutdown).
  virtual ~AsyncHttpClient() = default;

  // Starts one exchange; `done` runs exactly once, on one of the client's
  // I/O threads (never inside Start), with what HttpClient::Send would
  // return, or RESOURCE_EXHAUSTED + RetryInfo when max_in_flight exchanges
  // are already in flight. Once the client is shut down, `done` runs at once
  // on this thread with UNAVAILABLE. options.cancellation, when set, must
  // outlive the call to `done`; cancelling removes the transfer at once.
  // Any thread.
  virtual void Start(HttpRequest request, const RequestOptions& options,
                     HttpCompletion done) = 0;

  // Refuses new exchanges, lets those in flight finish for up to `grace`,
  // answers the rest UNAVAILABLE, then stops the I/O threads (their loops
  // run what was already posted first). Every `done` has run when it
  // returns. Idempotent; never from an I/O thread.
  virtual void Shutdown(absl::Duration grace) = 0;

  // Exchanges started and not yet completed.
  virtual std::size_t in_flight() const = 0;
  // Connections open now across the I/O threads, in use or kept alive.
  virtual std::size_t open_connections() const = 0;
  // The I/O threads' loops (HttpClient::loops). Valid until Shutdown.
  virtual std::vector<io::LoopHost*> loops() const = 0;
};

// Starts the I/O threads. Errors when the system refuses them (epoll,
// eventfd, threads, curl handles).
absl::StatusOr<std::unique_ptr<AsyncHttpClient>> MakeAsyncHttpClient(
    CurlHttpClientOptions options);

// The blocking HttpClient over an AsyncHttpClient: Send waits for the
// completion. TLS peer and host verification are always on.
std::shared_ptr<HttpClient> MakeCurlHttpClient(CurlHttpClientOptions options);

}  // namespace ucgate::http
