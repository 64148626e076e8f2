// HttpClient over libcurl. Each pooled easy handle runs in a multi handle of
// its own, which owns a connection cache, so a pool of pairs reused across
// requests and threads keeps keep-alive connections (and TLS sessions) warm;
// the multi handle also lets a cancellation wake a transfer at once
// (curl_multi_wakeup) instead of at curl's next own wake-up (~200 ms later).
#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/idle_pool.h"
#include "service/common/log.h"
#include "service/common/status.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/http/upstream_error.h"

namespace ucgate::http {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlMultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;

// An easy handle and the multi handle that drives it (and keeps its
// connections). The multi is declared last so it is cleaned up first.
struct CurlHandles {
  CurlEasyPtr easy;
  CurlMultiPtr multi;
};

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

void InitCurlOnce() {
  static std::once_flag once;
  // Never cleaned up: other threads may hold handles until process exit.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Idle handles, most recently used first out (its connection is the
// likeliest to still be open).
class CurlHandlePool {
 public:
  explicit CurlHandlePool(std::size_t max_idle) : idle_(max_idle) {}

  // Null handles only when libcurl cannot allocate them.
  CurlHandles Acquire() {
    if (std::optional<CurlHandles> idle = idle_.Take()) return *std::move(idle);
    CurlHandles handles{CurlEasyPtr(curl_easy_init()),
                        CurlMultiPtr(curl_multi_init())};
    if (!handles.easy || !handles.multi) return {};
    return handles;
  }

  void Release(CurlHandles handles) {
    // Drops every per-request option (and the pointers into the finished
    // request) but keeps live connections, the DNS cache and TLS sessions.
    curl_easy_reset(handles.easy.get());
    // Over capacity, the handles (and their connections) close here, outside
    // the pool's lock.
    idle_.Give(std::move(handles));
  }

 private:
  IdlePool<CurlHandles> idle_;
};

// Per-request state the curl callbacks write into.
struct Transfer {
  CURL* curl = nullptr;
  std::size_t max_body = 0;
  // Set when the body (announced or received) passed max_body.
  bool too_large = false;
  std::string body;
  std::vector<HttpHeader> headers;
  char error[CURL_ERROR_SIZE] = {};
};

// One allocation, padding included, for a body whose Content-Length is known,
// instead of a chain of doublings (a 0.9 MB listing page went through eleven
// reallocations and a final copy for the padding).
void ReserveForAnnouncedLength(Transfer& transfer) {
  curl_off_t length = -1;
  if (curl_easy_getinfo(transfer.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
                        &length) != CURLE_OK ||
      length <= 0) {
    return;
  }
  if (static_cast<uint64_t>(length) > transfer.max_body) {
    transfer.too_large = true;  // Refused before a byte is buffered.
    return;
  }
  transfer.body = TakeBodyBuffer(static_cast<size_t>(length) + kBodyPadding);
}

// Callbacks must not throw through C frames: failures become curl errors.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  try {
    if (transfer->body.empty()) ReserveForAnnouncedLength(*transfer);
    if (transfer->too_large ||
        transfer->body.size() + size * count > transfer->max_body) {
      transfer->too_large = true;
      return 0;  // CURLE_WRITE_ERROR: aborts the transfer
    }
    transfer->body.append(data, size * count);
  } catch (...) {
    return 0;  // CURLE_WRITE_ERROR
  }
  return size * count;
}

size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t length = size * count;
  absl::string_view line(data, length);
  try {
    if (absl::StartsWith(line, "HTTP/")) {
      // A new response begins (after a 1xx or a proxy's answer): keep only
      // the headers of the last one.
      transfer->headers.clear();
      return length;
    }
    const bool continuation =
        !line.empty() && (line.front() == ' ' || line.front() == '\t');
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) return length;
    if (continuation) {  // Obsolete line folding: part of the last value.
      if (!transfer->headers.empty()) {
        absl::StrAppend(&transfer->headers.back().value, " ", line);
      }
      return length;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return length;
    transfer->headers.push_back(HttpHeader{
        absl::AsciiStrToLower(
            absl::StripAsciiWhitespace(line.substr(0, colon))),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)))});
  } catch (...) {
    return 0;
  }
  return length;
}

// Runs the transfer on its own multi handle until it ends, or until
// `cancellation` (may be null) fires: nullopt then. curl's timeouts still
// apply (curl_multi_poll wakes for curl's own timers).
std::optional<CURLcode> Perform(const CurlHandles& handles,
                                const Cancellation* cancellation) {
  CURL* easy = handles.easy.get();
  CURLM* multi = handles.multi.get();
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
    return CURLE_OUT_OF_MEMORY;
  }
  Cancellation::Subscription wake;
  if (cancellation != nullptr) {
    wake = cancellation->Subscribe([multi] { curl_multi_wakeup(multi); });
  }
  std::optional<CURLcode> result;
  for (;;) {
    if (cancellation != nullptr && cancellation->IsCancelled()) break;
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
        result = message->data.result;
      }
    }
    if (result.has_value()) break;
    if (running == 0) {  // Ended without a message: never wait on nothing.
      result = CURLE_RECV_ERROR;
      break;
    }
    if (curl_multi_poll(multi, nullptr, 0, /*timeout_ms=*/1000, nullptr) !=
        CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
  }
  // Unsubscribed before the handle goes back to the pool, so no wakeup is
  // sent after it (one sent before only makes the next transfer poll again).
  wake.Reset();
  curl_multi_remove_handle(multi, easy);
  return result;
}

// curl reads 0 as "no limit": a finite limit is at least 1 ms.
long ToCurlMillis(absl::Duration limit) {
  if (limit == absl::InfiniteDuration()) return 0;
  const int64_t millis =
      absl::ToInt64Milliseconds(absl::Ceil(limit, absl::Milliseconds(1)));
  return static_cast<long>(std::clamp<int64_t>(millis, 1, LONG_MAX));
}

bool IsHeaderNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool IsValidHeader(const HttpHeader& header) {
  if (header.name.empty() ||
      !std::all_of(header.name.begin(), header.name.end(), IsHeaderNameChar)) {
    return false;
  }
  // CR/LF would let a value smuggle in further headers.
  return header.value.find_first_of("\r\n\0", 0, 3) == std::string::npos;
}

bool HasHeader(const HttpRequest& request, absl::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const HttpHeader& header) {
                       return absl::EqualsIgnoreCase(header.name, name);
                     });
}

bool SendsBody(const HttpRequest& request) {
  switch (request.method) {
    case HttpMethod::kGet:
      return false;
    case HttpMethod::kDelete:
      return !request.body.empty();
    case HttpMethod::kPost:
    case HttpMethod::kPut:
    case HttpMethod::kPatch:
      return true;
  }
  return false;
}

// The request's headers exactly: curl's own defaults that would change what
// was signed (a form Content-Type with bodies) or cost a round trip (Expect:
// 100-continue) are suppressed.
absl::StatusOr<CurlSlistPtr> BuildHeaderList(const HttpRequest& request) {
  CurlSlistPtr list;
  auto append = [&list](const std::string& line) {
    curl_slist* extended = curl_slist_append(list.get(), line.c_str());
    if (extended == nullptr) return false;
    list.release();
    list.reset(extended);
    return true;
  };
  for (size_t i = 0; i < request.headers.size(); ++i) {
    const HttpHeader& header = request.headers[i];
    // Never echo the value: it may be the Authorization header.
    if (!IsValidHeader(header)) {
      return absl::InternalError(absl::StrCat("upstream: request header #", i,
                                              " has an invalid name or value"));
    }
    // "Name;" is curl's syntax for a header with an empty value.
    const std::string line =
        header.value.empty() ? absl::StrCat(header.name, ";")
                             : absl::StrCat(header.name, ": ", header.value);
    if (!append(line))
      return absl::ResourceExhaustedError("upstream: no memory");
  }
  if (SendsBody(request)) {
    if (!append("Expect:")) {
      return absl::ResourceExhaustedError("upstream: no memory");
    }
    if (!HasHeader(request, "content-type") && !append("Content-Type:")) {
      return absl::ResourceExhaustedError("upstream: no memory");
    }
  }
  return list;
}

// What a failed transfer means to the caller. Messages carry curl's own text
// (host, port, TLS reason), never the request's headers or body.
absl::Status StatusFromCurlCodeWithoutReason(CURLcode code,
                                             const Transfer& transfer) {
  const std::string detail = transfer.error[0] != '\0'
                                 ? std::string(transfer.error)
                                 : std::string(curl_easy_strerror(code));
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return absl::UnavailableError(
          absl::StrCat("upstream: cannot connect: ", detail));
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
      return absl::UnavailableError(
          absl::StrCat("upstream: connection failed: ", detail));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return absl::UnavailableError(absl::StrCat("upstream: TLS: ", detail));
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
      // The gateway's own TLS set-up (e.g. ca_file): retrying cannot help.
      return absl::InternalError(
          absl::StrCat("upstream: TLS configuration: ", detail));
    case CURLE_OUT_OF_MEMORY:
      return absl::ResourceExhaustedError(
          absl::StrCat("upstream: out of memory: ", detail));
    default:
      return absl::InternalError(
          absl::StrCat("upstream: transfer failed: ", detail));
  }
}

// The same with an ErrorInfo reason for each kind of failure.
absl::Status StatusFromCurlCode(CURLcode code, const Transfer& transfer) {
  absl::Status status = StatusFromCurlCodeWithoutReason(code, transfer);
  const absl::string_view message = status.message();
  const char* reason = kUpstreamTransferFailed;
  if (absl::StartsWith(message, "upstream: cannot connect")) {
    reason = kUpstreamUnreachable;
  } else if (absl::StartsWith(message, "upstream: connection failed")) {
    reason = kUpstreamConnectionFailed;
  } else if (absl::StartsWith(message, "upstream: TLS configuration")) {
    reason = kGatewayTlsConfiguration;
  } else if (absl::StartsWith(message, "upstream: TLS")) {
    reason = kUpstreamTlsFailed;
  }
  return WithErrorInfo(std::move(status), reason);
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options)
      : options_(std::move(options)), pool_(options_.max_idle_connections) {
    InitCurlOnce();
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request,
                                    const RequestOptions& options) override;

 private:
  const CurlHttpClientOptions options_;
  CurlHandlePool pool_;
};

absl::StatusOr<HttpResponse> CurlHttpClient::Send(
    const HttpRequest& request, const RequestOptions& options) {
  const absl::Duration time_left = options.deadline - absl::Now();
  if (time_left <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        "upstream: the deadline passed before the request was sent");
  }
  if (options.cancellation != nullptr && options.cancellation->IsCancelled()) {
    return absl::CancelledError(
        "upstream: cancelled before the request was sent");
  }
  absl::StatusOr<CurlSlistPtr> header_list = BuildHeaderList(request);
  if (!header_list.ok()) return header_list.status();

  CurlHandles handles = pool_.Acquire();
  if (!handles.easy) {
    return absl::ResourceExhaustedError(
        "upstream: cannot allocate curl handles");
  }
  CURL* curl = handles.easy.get();

  const bool deadline_limits_connect = time_left < options_.connect_timeout;
  const bool deadline_limits_total = time_left < options_.request_timeout;
  const long connect_ms =
      ToCurlMillis(std::min(options_.connect_timeout, time_left));
  const long total_ms =
      ToCurlMillis(std::min(options_.request_timeout, time_left));

  Transfer transfer;
  transfer.curl = curl;
  transfer.max_body = options_.max_response_bytes;
  const std::string method(MethodName(request.method));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, transfer.error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) {
    // Only this bundle is trusted, not the system directory besides it.
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, static_cast<char*>(nullptr));
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list->get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeaderLine);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  switch (request.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kPost:
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      // Every POST of the API starts something (a conversion, a webhook, a
      // copy, an add-on run). When a reused keep-alive connection dies before
      // any answer, libcurl re-sends the request on its own, and a reset
      // after the upstream processed it duplicated the work; libcurl never
      // re-sends on a connection it has just opened.
      curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
      break;
    case HttpMethod::kPut:
    case HttpMethod::kPatch:
    case HttpMethod::kDelete:
      // Sent from memory like a POST body, under the request's own method.
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
      break;
  }
  if (SendsBody(request)) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }

  const std::optional<CURLcode> performed =
      Perform(handles, options.cancellation);
  const CURLcode code = performed.value_or(CURLE_ABORTED_BY_CALLBACK);
  long status_code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status_code);
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  curl_off_t total_us = 0;
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
  long new_connections = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  pool_.Release(std::move(handles));
  // Method, outcome and timing only: URLs and headers stay out of logs.
  UCGATE_LOG(kDebug, "http: ", method, " -> ",
             code == CURLE_OK ? absl::StrCat(status_code)
                              : std::string(curl_easy_strerror(code)),
             " in ", total_us / 1000, " ms (",
             new_connections > 0 ? "new connection" : "reused connection", ")");

  if (!performed.has_value()) {
    return absl::CancelledError("upstream: request cancelled");
  }
  if (transfer.too_large) {
    return WithErrorInfo(
        absl::InternalError(absl::StrCat(
            "upstream: ", method, " answer larger than ",
            options_.max_response_bytes, " bytes (max_response_bytes)")),
        kUpstreamAnswerTooLarge);
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    // No pre-transfer time yet: it never got past connecting (TLS included).
    const bool connecting = pretransfer_us == 0;
    const bool by_deadline =
        connecting ? deadline_limits_connect : deadline_limits_total;
    return WithErrorInfo(
        absl::DeadlineExceededError(absl::StrCat(
            "upstream: ", method, connecting ? " connect" : " answer",
            " timed out after ", connecting ? connect_ms : total_ms, " ms (",
            by_deadline  ? "the caller's deadline"
            : connecting ? "connect_timeout"
                         : "request_timeout",
            ")")),
        kUpstreamTimeout);
  }
  if (code != CURLE_OK) return StatusFromCurlCode(code, transfer);

  HttpResponse response;
  response.status_code = static_cast<int>(status_code);
  response.headers = std::move(transfer.headers);
  response.body = std::move(transfer.body);
  // simdjson parses in place and reads up to kBodyPadding bytes past the end
  // (already reserved when the length was announced).
  if (response.body.capacity() - response.body.size() < kBodyPadding) {
    response.body.reserve(response.body.size() + kBodyPadding);
  }
  return response;
}

}  // namespace

std::shared_ptr<HttpClient> MakeCurlHttpClient(CurlHttpClientOptions options) {
  return std::make_shared<CurlHttpClient>(std::move(options));
}

}  // namespace ucgate::http
