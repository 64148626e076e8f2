// The lowest seam of the upstream path: one HTTP exchange. Everything above
// it (stub, connection, gateway) is tested against fakes of this interface.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/cancellation.h"

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

// Sends one request. Any HTTP status is a successful exchange (the caller maps
// it); only transport failures are errors: UNAVAILABLE (cannot connect, reset,
// TLS failure), DEADLINE_EXCEEDED (deadline or timeout), CANCELLED.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request,
                                            const RequestOptions& options) = 0;
};

struct CurlHttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  // Upper bound for one exchange, whatever the caller's deadline.
  absl::Duration request_timeout = absl::Seconds(30);
  // PEM bundle of trusted CAs; empty means the system store.
  std::string ca_file;
  // Idle connections (curl easy handles) kept for reuse.
  std::size_t max_idle_connections = 64;
  // Largest answer body accepted; past it the transfer is aborted and the
  // call fails INTERNAL (ErrorInfo kUpstreamAnswerTooLarge) instead of the
  // gateway buffering whatever the upstream sends. A 1,000-file listing page
  // with appdata is about 1-4 MB.
  std::size_t max_response_bytes = std::size_t{64} << 20;
  std::string user_agent = "ucgate/0.1";
};

// libcurl with a pool of easy handles (keep-alive connection reuse) and TLS
// peer and host verification always on.
std::shared_ptr<HttpClient> MakeCurlHttpClient(CurlHttpClientOptions options);

}  // namespace ucgate::http
