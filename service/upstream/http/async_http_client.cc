// AsyncHttpClient over libcurl's multi-socket interface: a few event loops
// (service/common/io), each owning one multi handle, whose connection cache is
// that loop's keep-alive pool. curl tells the loop which sockets to watch and
// when to wake it (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION); the loop hands
// readiness back through curl_multi_socket_action. A transfer in flight costs
// its buffers and an easy handle, not a thread.
//
// At most once for non-idempotent requests: when a reused keep-alive
// connection turns out dead before any answer byte arrived, libcurl silently
// re-sends the request on a new connection, whatever the method. The server
// may have acted on the first copy (it can close right after processing), so
// POST and PATCH always go out on a fresh connection (CURLOPT_FRESH_CONNECT),
// where libcurl never retries: they are sent at most once, at the price of a
// connect (and TLS handshake) each. GET, PUT and DELETE are idempotent and
// keep the reuse (and curl's transparent retry).
#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/common/io/event_loop.h"
#include "service/common/io/fiber.h"
#include "service/common/log.h"
#include "service/common/status.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/http/upstream_error.h"

namespace ucgate::http {
namespace {

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

void InitCurlOnce() {
  static std::once_flag once;
  // Never cleaned up: other threads may hold handles until process exit.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One exchange: the request (its body is sent from here), what the curl
// callbacks write, and who to tell. Owned by its loop while in flight.
struct Transfer {
  uint64_t id = 0;
  HttpRequest request;
  RequestOptions options;
  HttpCompletion done;
  // Counted against max_in_flight (refusals for the cap are not).
  bool counted = false;
  // Set when the exchange must not start (answered with this at once).
  absl::Status refusal;

  CURL* curl = nullptr;  // While attached to the multi handle.
  CurlSlistPtr header_list;
  std::string body;
  std::vector<HttpHeader> headers;
  std::size_t max_body = 0;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {};
  // How the timeouts were set, to tell the caller which limit ended it.
  long connect_ms = 0;
  long total_ms = 0;
  bool deadline_limits_connect = false;
  bool deadline_limits_total = false;
  Cancellation::Subscription cancel_subscription;
};

// One allocation, padding included, for a body whose Content-Length is known,
// instead of a chain of doublings (a 0.9 MB listing page went through eleven
// reallocations and a final copy for the padding). False when the announced
// length is over the cap.
bool ReserveForAnnouncedLength(Transfer& transfer) {
  constexpr curl_off_t kMaxReserve = curl_off_t{64} << 20;
  curl_off_t length = -1;
  if (curl_easy_getinfo(transfer.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
                        &length) != CURLE_OK ||
      length <= 0) {
    return true;
  }
  if (static_cast<std::size_t>(length) > transfer.max_body) return false;
  if (length <= kMaxReserve) {
    transfer.body = TakeBodyBuffer(static_cast<size_t>(length) + kBodyPadding);
  }
  return true;
}

// Callbacks must not throw through C frames: failures become curl errors.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t length = size * count;
  try {
    if (transfer->body.empty() && !ReserveForAnnouncedLength(*transfer)) {
      transfer->too_large = true;
      return 0;  // CURLE_WRITE_ERROR
    }
    if (transfer->body.size() + length > transfer->max_body) {
      transfer->too_large = true;
      return 0;
    }
    transfer->body.append(data, length);
  } catch (...) {
    return 0;
  }
  return length;
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

bool IsIdempotent(HttpMethod method) {
  return method != HttpMethod::kPost && method != HttpMethod::kPatch;
}

// A share of a client-wide limit for one of `parts` loops: at least 1 (0
// stays 0, "no limit").
long ShareOf(std::size_t total, std::size_t parts) {
  if (total == 0) return 0;
  const std::size_t share = (total + parts - 1) / parts;
  return static_cast<long>(std::min<std::size_t>(share, LONG_MAX));
}

class CurlAsyncHttpClient;

// One event loop, its multi handle (and so its connection pool) and the
// transfers it drives. Everything but the constructor runs on the loop.
class LoopTransport {
 public:
  LoopTransport(CurlAsyncHttpClient* client,
                std::unique_ptr<io::EventLoop> loop)
      : client_(client), loop_(std::move(loop)) {}

  // Creates and sets up the multi handle (before the loop sees any work).
  absl::Status Init(const CurlHttpClientOptions& options, std::size_t loops);

  io::EventLoop& loop() { return *loop_; }
  // Transfers handed to this loop and not yet completed (any thread).
  std::size_t load() const { return load_.load(std::memory_order_relaxed); }
  void AddLoad() { load_.fetch_add(1, std::memory_order_relaxed); }

  // Attaches the transfer to the multi handle (or answers it at once).
  void Add(std::unique_ptr<Transfer> transfer);
  // Cancellation: detaches the transfer at once, answering CANCELLED.
  void CancelTransfer(uint64_t id);
  // Shutdown: refuses new transfers, answers the rest after `grace`, then
  // closes the multi handle and stops the loop.
  void BeginDrain(absl::Duration grace);

 private:
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* self,
                      void* socket_state);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  // CURLOPT_CLOSESOCKETFUNCTION: unwatches, uncounts and closes.
  static int CloseSocket(void* self, curl_socket_t fd);

  void SocketAction(curl_socket_t socket, int flags);
  // Completes every transfer curl reports done.
  void ReapFinished();
  absl::StatusOr<HttpResponse> Outcome(Transfer& transfer, CURLcode code);
  // Detaches the transfer (if attached) and runs its completion; the only
  // place a completion runs, and it finds each transfer once.
  void Finish(uint64_t id, absl::StatusOr<HttpResponse> outcome);
  void Complete(std::unique_ptr<Transfer> transfer,
                absl::StatusOr<HttpResponse> outcome);
  void AbortAll(const absl::Status& why);
  void CloseIfDrained();
  CURL* TakeEasy();
  void ReleaseEasy(CURL* easy);
  absl::Status Configure(Transfer& transfer, CURL* curl);

  CurlAsyncHttpClient* const client_;
  const std::unique_ptr<io::EventLoop> loop_;
  const CurlHttpClientOptions* options_ = nullptr;
  CURLM* multi_ = nullptr;
  io::TimerId curl_timer_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers_;
  // Reset easy handles, reused to save their allocations (the connections
  // live in the multi handle, not here).
  std::vector<CURL*> idle_easy_;
  bool draining_ = false;
  bool closed_ = false;
  std::atomic<std::size_t> load_{0};
};

class CurlAsyncHttpClient final : public AsyncHttpClient {
 public:
  explicit CurlAsyncHttpClient(CurlHttpClientOptions options)
      : options_(std::move(options)) {}
  ~CurlAsyncHttpClient() override { Shutdown(absl::ZeroDuration()); }

  absl::Status Init();

  void Start(HttpRequest request, const RequestOptions& options,
             HttpCompletion done) override;
  void Shutdown(absl::Duration grace) override;
  std::size_t in_flight() const override {
    return in_flight_.load(std::memory_order_relaxed);
  }
  std::size_t open_connections() const override {
    return open_connections_.load(std::memory_order_relaxed);
  }
  std::vector<io::LoopHost*> loops() const override {
    std::vector<io::LoopHost*> hosts;
    for (const auto& transport : loops_) hosts.push_back(&transport->loop());
    return hosts;
  }
  // Counted by the sockets libcurl opens and closes through OpenSocket /
  // CloseSocket; outlives every loop's multi handle (declared before them).
  std::atomic<std::size_t>* connection_counter() { return &open_connections_; }

  const CurlHttpClientOptions& options() const { return options_; }
  void Uncount() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  void PostToALoop(std::unique_ptr<Transfer> transfer)
      ABSL_SHARED_LOCKS_REQUIRED(shutdown_mu_);

  const CurlHttpClientOptions options_;
  std::atomic<std::size_t> open_connections_{0};
  std::vector<std::unique_ptr<LoopTransport>> loops_;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<std::size_t> in_flight_{0};
  // Held shared while a Start posts to a loop, exclusively to shut down: no
  // Post can land after a loop closed.
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

absl::Status LoopTransport::Init(const CurlHttpClientOptions& options,
                                 std::size_t loops) {
  options_ = &options;
  multi_ = curl_multi_init();
  if (multi_ == nullptr) {
    return absl::ResourceExhaustedError("upstream: cannot create a curl multi");
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &LoopTransport::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &LoopTransport::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                    ShareOf(options.max_connections_per_host, loops));
  if (options.max_idle_connections > 0) {
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      ShareOf(options.max_idle_connections, loops));
  }
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING,
                    options.http2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING);
  return absl::OkStatus();
}

int LoopTransport::OnSocket(CURL*, curl_socket_t socket, int what, void* self,
                            void*) {
  auto* transport = static_cast<LoopTransport*>(self);
  if (what == CURL_POLL_REMOVE) {
    transport->loop_->Unwatch(socket);
    return 0;
  }
  uint32_t events = 0;
  if (what & CURL_POLL_IN) events |= io::kReadable;
  if (what & CURL_POLL_OUT) events |= io::kWritable;
  // A socket already watched only changes direction (every exchange does,
  // twice): no new callback.
  if (transport->loop_->SetEvents(socket, events).ok()) return 0;
  const absl::Status watched = transport->loop_->Watch(
      socket, events, [transport, socket](uint32_t ready) {
        int flags = 0;
        if (ready & io::kReadable) flags |= CURL_CSELECT_IN;
        if (ready & io::kWritable) flags |= CURL_CSELECT_OUT;
        if (ready & io::kIoError) flags |= CURL_CSELECT_ERR;
        transport->SocketAction(socket, flags);
      });
  // Unwatched, the transfer still ends (at the latest by its timeout).
  if (!watched.ok()) UCGATE_LOG(kWarning, "http: ", watched.message());
  return 0;
}

int LoopTransport::OnTimer(CURLM*, long timeout_ms, void* self) {
  auto* transport = static_cast<LoopTransport*>(self);
  if (transport->curl_timer_ != 0) {
    transport->loop_->Cancel(transport->curl_timer_);
    transport->curl_timer_ = 0;
  }
  if (timeout_ms < 0) return 0;
  // Never acted on from inside curl's callback: the loop runs it next.
  transport->curl_timer_ =
      transport->loop_->After(absl::Milliseconds(timeout_ms), [transport] {
        transport->curl_timer_ = 0;
        transport->SocketAction(CURL_SOCKET_TIMEOUT, 0);
      });
  return 0;
}

void LoopTransport::SocketAction(curl_socket_t socket, int flags) {
  if (multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, socket, flags, &running);
  ReapFinished();
}

void LoopTransport::ReapFinished() {
  // Collected first: a message does not outlive its handle's removal.
  std::vector<std::pair<uint64_t, CURLcode>> done;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* transfer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
    if (transfer != nullptr)
      done.emplace_back(transfer->id, message->data.result);
  }
  for (const auto& [id, code] : done) {
    auto found = transfers_.find(id);
    if (found == transfers_.end()) continue;
    Finish(id, Outcome(*found->second, code));
  }
}

CURL* LoopTransport::TakeEasy() {
  if (!idle_easy_.empty()) {
    CURL* easy = idle_easy_.back();
    idle_easy_.pop_back();
    return easy;
  }
  return curl_easy_init();
}

void LoopTransport::ReleaseEasy(CURL* easy) {
  // As many as a loop has transfers in flight at a busy moment (1,024 calls
  // over two loops): a handle made anew costs more than its kept memory.
  constexpr std::size_t kMaxIdleEasy = 1024;
  if (closed_ || idle_easy_.size() >= kMaxIdleEasy) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  idle_easy_.push_back(easy);
}

curl_socket_t OpenCountedSocket(void* counter, curlsocktype,
                                curl_sockaddr* address) {
  const curl_socket_t fd =
      socket(address->family, address->socktype, address->protocol);
  if (fd != CURL_SOCKET_BAD) {
    static_cast<std::atomic<std::size_t>*>(counter)->fetch_add(
        1, std::memory_order_relaxed);
  }
  return fd;
}

int LoopTransport::CloseSocket(void* self, curl_socket_t fd) {
  auto* transport = static_cast<LoopTransport*>(self);
  // Off the loop's watch list before its number is free for another loop's
  // next socket: curl may report the socket's removal after closing it, and
  // that epoll_ctl would then name someone else's socket.
  if (transport->loop_->InLoopThread()) transport->loop_->Unwatch(fd);
  transport->client_->connection_counter()->fetch_sub(
      1, std::memory_order_relaxed);
  return close(fd);
}

absl::Status LoopTransport::Configure(Transfer& transfer, CURL* curl) {
  const CurlHttpClientOptions& options = *options_;
  const HttpRequest& request = transfer.request;
  const absl::Duration time_left = transfer.options.deadline - absl::Now();
  if (time_left <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        "upstream: the deadline passed before the request was sent");
  }
  transfer.deadline_limits_connect = time_left < options.connect_timeout;
  transfer.deadline_limits_total = time_left < options.request_timeout;
  transfer.connect_ms =
      ToCurlMillis(std::min(options.connect_timeout, time_left));
  transfer.total_ms =
      ToCurlMillis(std::min(options.request_timeout, time_left));
  transfer.max_body = options.max_response_bytes;

  curl_easy_setopt(curl, CURLOPT_PRIVATE, &transfer);
  // A connection keeps the close callback and data of the handle that opened
  // it, so they are the loop's (which owns the connection cache), not the
  // transfer's.
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &OpenCountedSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, client_->connection_counter());
  curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION,
                   &LoopTransport::CloseSocket);
  curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, transfer.error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) {
    // Only this bundle is trusted, not the system directory besides it.
    curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, static_cast<char*>(nullptr));
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, transfer.connect_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, transfer.total_ms);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, transfer.header_list.get());
  // libcurl 7.88 allocates a 64 KiB upload buffer per transfer by default;
  // freeing a chunk that size makes glibc consolidate its fast bins at
  // every call (a few percent of the gateway's CPU). The API's request
  // bodies are small JSON.
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 16 * 1024L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeaderLine);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (options.http2) {
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    // Waits for a connection that can multiplex rather than opening more.
    curl_easy_setopt(curl, CURLOPT_PIPEWAIT, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  }
  if (options.max_idle_connections == 0) {
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  // See the file comment: never silently re-sent.
  if (!IsIdempotent(request.method)) {
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
  }
  switch (request.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kPost:
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      break;
    case HttpMethod::kPut:
    case HttpMethod::kPatch:
    case HttpMethod::kDelete:
      // Sent from memory like a POST body, under the request's own method.
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
                       std::string(MethodName(request.method)).c_str());
      break;
  }
  if (SendsBody(request)) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }
  return absl::OkStatus();
}

void LoopTransport::Add(std::unique_ptr<Transfer> transfer) {
  if (!transfer->refusal.ok()) {
    const absl::Status refusal = transfer->refusal;
    Complete(std::move(transfer), refusal);
    return;
  }
  if (draining_) {
    Complete(std::move(transfer),
             absl::UnavailableError("upstream: the HTTP client is shut down"));
    return;
  }
  const Cancellation* cancellation = transfer->options.cancellation;
  if (cancellation != nullptr && cancellation->IsCancelled()) {
    Complete(std::move(transfer),
             absl::CancelledError(
                 "upstream: cancelled before the request was sent"));
    return;
  }
  CURL* curl = TakeEasy();
  if (curl == nullptr) {
    Complete(std::move(transfer),
             absl::ResourceExhaustedError(
                 "upstream: cannot allocate a curl handle"));
    return;
  }
  if (absl::Status configured = Configure(*transfer, curl); !configured.ok()) {
    ReleaseEasy(curl);
    Complete(std::move(transfer), configured);
    return;
  }
  if (curl_multi_add_handle(multi_, curl) != CURLM_OK) {
    ReleaseEasy(curl);
    Complete(std::move(transfer),
             absl::ResourceExhaustedError("upstream: cannot start a transfer"));
    return;
  }
  transfer->curl = curl;
  const uint64_t id = transfer->id;
  if (cancellation != nullptr) {
    // The cancelling thread only posts; the loop detaches the transfer.
    transfer->cancel_subscription = cancellation->Subscribe(
        [this, id] { loop_->Post([this, id] { CancelTransfer(id); }); });
  }
  transfers_.emplace(id, std::move(transfer));
}

void LoopTransport::CancelTransfer(uint64_t id) {
  if (transfers_.count(id) == 0) return;  // already answered
  Finish(id, absl::CancelledError("upstream: request cancelled"));
}

absl::StatusOr<HttpResponse> LoopTransport::Outcome(Transfer& transfer,
                                                    CURLcode code) {
  CURL* curl = transfer.curl;
  const std::string method(MethodName(transfer.request.method));
  long status_code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status_code);
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  curl_off_t total_us = 0;
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
  long new_connections = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  // Method, outcome and timing only: URLs and headers stay out of logs.
  UCGATE_LOG(kDebug, "http: ", method, " -> ",
             code == CURLE_OK ? absl::StrCat(status_code)
                              : std::string(curl_easy_strerror(code)),
             " in ", total_us / 1000, " ms (",
             new_connections > 0 ? "new connection" : "reused connection", ")");

  if (transfer.too_large) {
    return WithErrorInfo(
        absl::InternalError(absl::StrCat(
            "upstream: ", method, " answer larger than ",
            options_->max_response_bytes, " bytes (max_response_bytes)")),
        kUpstreamAnswerTooLarge);
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    // No pre-transfer time yet: it never got past connecting (TLS included).
    const bool connecting = pretransfer_us == 0;
    const bool by_deadline = connecting ? transfer.deadline_limits_connect
                                        : transfer.deadline_limits_total;
    return WithErrorInfo(
        absl::DeadlineExceededError(absl::StrCat(
            "upstream: ", method, connecting ? " connect" : " answer",
            " timed out after ",
            connecting ? transfer.connect_ms : transfer.total_ms, " ms (",
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

void LoopTransport::Finish(uint64_t id, absl::StatusOr<HttpResponse> outcome) {
  auto found = transfers_.find(id);
  if (found == transfers_.end()) return;
  std::unique_ptr<Transfer> transfer = std::move(found->second);
  transfers_.erase(found);
  if (transfer->curl != nullptr) {
    curl_multi_remove_handle(multi_, transfer->curl);
    ReleaseEasy(transfer->curl);
    transfer->curl = nullptr;
  }
  Complete(std::move(transfer), std::move(outcome));
  CloseIfDrained();
}

void LoopTransport::Complete(std::unique_ptr<Transfer> transfer,
                             absl::StatusOr<HttpResponse> outcome) {
  // No cancellation reaches a completed transfer (waits for one running).
  transfer->cancel_subscription.Reset();
  if (transfer->counted) client_->Uncount();
  load_.fetch_sub(1, std::memory_order_relaxed);
  HttpCompletion done = std::move(transfer->done);
  transfer.reset();  // The request's memory goes before the caller continues.
  std::move(done)(std::move(outcome));
}

void LoopTransport::AbortAll(const absl::Status& why) {
  std::vector<uint64_t> ids;
  ids.reserve(transfers_.size());
  for (const auto& [id, transfer] : transfers_) ids.push_back(id);
  for (uint64_t id : ids) Finish(id, why);
}

void LoopTransport::BeginDrain(absl::Duration grace) {
  if (draining_) return;
  draining_ = true;
  if (transfers_.empty()) {
    CloseIfDrained();
    return;
  }
  const absl::Status why = absl::UnavailableError(
      "upstream: the HTTP client shut down before the answer came");
  if (grace <= absl::ZeroDuration()) {
    AbortAll(why);
    return;
  }
  loop_->After(grace, [this, why] { AbortAll(why); });
}

void LoopTransport::CloseIfDrained() {
  if (!draining_ || closed_ || !transfers_.empty()) return;
  closed_ = true;
  if (curl_timer_ != 0) loop_->Cancel(curl_timer_);
  curl_timer_ = 0;
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  idle_easy_.clear();
  // Closes the pool's connections (curl unwatches their sockets here).
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
  loop_->Stop();
}

absl::Status CurlAsyncHttpClient::Init() {
  InitCurlOnce();
  std::size_t count = options_.io_threads;
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < count; ++i) {
    absl::StatusOr<std::unique_ptr<io::EventLoop>> loop =
        io::EventLoop::Start(absl::StrCat("ucgate-io-", i));
    if (!loop.ok()) return loop.status();
    auto transport = std::make_unique<LoopTransport>(this, *std::move(loop));
    // Set up on its own thread, like everything it does later.
    std::promise<absl::Status> initialised;
    std::future<absl::Status> result = initialised.get_future();
    transport->loop().Post([this, count, raw = transport.get(),
                            initialised = std::move(initialised)]() mutable {
      initialised.set_value(raw->Init(options_, count));
    });
    loops_.push_back(std::move(transport));
    if (absl::Status status = result.get(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void CurlAsyncHttpClient::Start(HttpRequest request,
                                const RequestOptions& options,
                                HttpCompletion done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->id = next_id_.fetch_add(1, std::memory_order_relaxed);
  transfer->options = options;
  transfer->done = std::move(done);
  absl::StatusOr<CurlSlistPtr> header_list = BuildHeaderList(request);
  if (header_list.ok()) {
    transfer->header_list = *std::move(header_list);
  } else {
    transfer->refusal = header_list.status();
  }
  transfer->request = std::move(request);
  if (transfer->refusal.ok()) {
    if (in_flight_.fetch_add(1, std::memory_order_relaxed) >=
        options_.max_in_flight) {
      in_flight_.fetch_sub(1, std::memory_order_relaxed);
      transfer->refusal =
          WithRetryAfter(absl::ResourceExhaustedError(absl::StrCat(
                             "upstream: ", options_.max_in_flight,
                             " requests already in flight (max_in_flight)")),
                         options_.in_flight_retry_delay);
    } else {
      transfer->counted = true;
    }
  }
  {
    absl::ReaderMutexLock lock(&shutdown_mu_);
    if (!shut_down_ && !loops_.empty()) {
      PostToALoop(std::move(transfer));
      return;
    }
  }
  // Answered outside the lock: the completion may start another call.
  if (transfer->counted) Uncount();
  HttpCompletion refused = std::move(transfer->done);
  transfer.reset();
  std::move(refused)(
      absl::UnavailableError("upstream: the HTTP client is shut down"));
}

void CurlAsyncHttpClient::PostToALoop(std::unique_ptr<Transfer> transfer) {
  // A call started on one of the loops (a continuation) stays there: no
  // hop, no wake-up. Otherwise the least busy loop, the first on ties: load
  // spreads evenly, and a lightly used client keeps its few connections warm
  // on one loop instead of one per loop.
  LoopTransport* transport = nullptr;
  for (const auto& candidate : loops_) {
    if (candidate->loop().InLoopThread()) transport = candidate.get();
  }
  if (transport == nullptr) {
    transport = loops_.front().get();
    for (const auto& candidate : loops_) {
      if (candidate->load() < transport->load()) transport = candidate.get();
    }
  }
  transport->AddLoad();
  transport->loop().Post([transport, transfer = std::move(transfer)]() mutable {
    transport->Add(std::move(transfer));
  });
}

void CurlAsyncHttpClient::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  for (auto& transport : loops_) {
    LoopTransport* raw = transport.get();
    raw->loop().Post([raw, grace] { raw->BeginDrain(grace); });
  }
  for (auto& transport : loops_) transport->loop().Join();
}

// Send() waits for Start's completion. The outcome travels through a
// promise: its shared state outlives whichever side finishes last.
class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(std::unique_ptr<AsyncHttpClient> async)
      : async_(std::move(async)) {}

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request,
                                    const RequestOptions& options) override {
    // Shared: the completion may run after a waiter has been woken.
    struct Outcome {
      absl::Mutex mutex;
      io::CondVar answered;
      std::optional<absl::StatusOr<HttpResponse>> response
          ABSL_GUARDED_BY(mutex);
    };
    auto outcome = std::make_shared<Outcome>();
    async_->Start(request, options,
                  [outcome](absl::StatusOr<HttpResponse> response) {
                    absl::MutexLock lock(&outcome->mutex);
                    outcome->response = std::move(response);
                    outcome->answered.SignalAll();
                  });
    absl::MutexLock lock(&outcome->mutex);
    while (!outcome->response.has_value()) {
      outcome->answered.Wait(&outcome->mutex);
    }
    return *std::move(outcome->response);
  }

  std::optional<std::size_t> open_connections() const override {
    return async_->open_connections();
  }

  std::vector<io::LoopHost*> loops() const override { return async_->loops(); }

 private:
  const std::unique_ptr<AsyncHttpClient> async_;
};

// When the I/O threads cannot start, every exchange fails the same way.
class FailedHttpClient final : public HttpClient {
 public:
  explicit FailedHttpClient(absl::Status why) : why_(std::move(why)) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest&,
                                    const RequestOptions&) override {
    return why_;
  }

 private:
  const absl::Status why_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AsyncHttpClient>> MakeAsyncHttpClient(
    CurlHttpClientOptions options) {
  auto client = std::make_unique<CurlAsyncHttpClient>(std::move(options));
  if (absl::Status started = client->Init(); !started.ok()) {
    return Annotate(started, "upstream: cannot start the HTTP client");
  }
  return client;
}

std::shared_ptr<HttpClient> MakeCurlHttpClient(CurlHttpClientOptions options) {
  absl::StatusOr<std::unique_ptr<AsyncHttpClient>> async =
      MakeAsyncHttpClient(std::move(options));
  if (!async.ok()) {
    UCGATE_LOG(kError, "http: ", async.status().message());
    return std::make_shared<FailedHttpClient>(async.status());
  }
  return std::make_shared<CurlHttpClient>(*std::move(async));
}

}  // namespace ucgate::http
