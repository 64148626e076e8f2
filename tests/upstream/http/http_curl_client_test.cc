// CurlHttpClient against real servers on loopback: what goes out, what comes
// back, connection reuse, deadlines, cancellation and transport failures.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/upstream/http/http_client.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/upstream/http/local_servers.h"

namespace ucgate::http {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Eq;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::StartsWith;
using ::ucgate::testing::LocalHttpServer;
using ::ucgate::testing::ReceivedRequest;
using ::ucgate::testing::RefusingPort;
using ::ucgate::testing::ScriptedTcpServer;

constexpr char kSecretHeaderValue[] = "Uploadcare testpk:do-not-leak-this";

class CurlHttpClientTest : public ::testing::Test {
 protected:
  CurlHttpClientTest() {
    auto& server = local_.server();
    // Echoes the request: status from ?status=, body "<method> <body>".
    auto echo = [this](const httplib::Request& request,
                       httplib::Response& response) {
      local_.Record(request);
      response.status = request.has_param("status")
                            ? std::stoi(request.get_param_value("status"))
                            : 200;
      response.set_header("X-Upstream-Trace", "Trace-Value");
      response.set_header("Set-Cookie", "first=1");
      response.set_header("Set-Cookie", "second=2");
      response.set_content(request.method + " " + request.body,
                           "application/json");
    };
    server.Get("/echo/", echo);
    server.Post("/echo/", echo);
    server.Put("/echo/", echo);
    server.Patch("/echo/", echo);
    server.Delete("/echo/", echo);
    server.Get("/sized/", [this](const httplib::Request& request,
                                 httplib::Response& response) {
      local_.Record(request);
      response.set_content(
          std::string(std::stoul(request.get_param_value("size")), 'x'),
          "text/plain");
    });
    server.Get("/redirect/", [this](const httplib::Request& request,
                                    httplib::Response& response) {
      local_.Record(request);
      response.set_redirect(local_.Url("/echo/"), 301);
    });
    // Holds the answer until the test releases it (or 10 s pass).
    server.Get("/slow/", [this](const httplib::Request& request,
                                httplib::Response& response) {
      local_.Record(request);
      slow_entered_.Notify();
      release_slow_.WaitForNotificationWithTimeout(absl::Seconds(10));
      response.set_content("late", "text/plain");
    });
    // Promises 100 bytes, sends 10, then drops the connection.
    server.Get("/truncated/", [this](const httplib::Request& request,
                                     httplib::Response& response) {
      local_.Record(request);
      response.set_content_provider(
          100, "text/plain",
          [](size_t offset, size_t, httplib::DataSink& sink) {
            if (offset > 0) return false;
            sink.write("0123456789", 10);
            return true;
          });
    });
    local_.Start();
  }

  ~CurlHttpClientTest() override {
    if (!release_slow_.HasBeenNotified()) release_slow_.Notify();
    client_.reset();  // Closes its connections, so Stop() need not wait.
    local_.Stop();
  }

  static RequestOptions WithinSeconds(int seconds) {
    RequestOptions options;
    options.deadline = absl::Now() + absl::Seconds(seconds);
    return options;
  }

  absl::StatusOr<HttpResponse> Send(
      HttpRequest request, RequestOptions options = WithinSeconds(10)) {
    return client_->Send(request, options);
  }

  LocalHttpServer local_;
  absl::Notification slow_entered_;
  absl::Notification release_slow_;
  std::shared_ptr<HttpClient> client_ = MakeCurlHttpClient({});
};

TEST_F(CurlHttpClientTest, GetSendsHeadersAndReturnsTheAnswer) {
  auto response = Send({HttpMethod::kGet,
                        local_.Url("/echo/?limit=1&from=a%2Bb"),
                        {{"Accept", "application/vnd.uploadcare-v0.7+json"},
                         {"Authorization", kSecretHeaderValue}},
                        ""});
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status_code, 200);
  EXPECT_EQ(response->body, "GET ");
  EXPECT_THAT(response->Header("content-type"),
              Optional(Eq("application/json")));

  ASSERT_EQ(local_.received().size(), 1u);
  const ReceivedRequest received = local_.received().at(0);
  EXPECT_EQ(received.method, "GET");
  EXPECT_EQ(received.path, "/echo/");
  EXPECT_EQ(received.HeaderOr("Accept", ""),
            "application/vnd.uploadcare-v0.7+json");
  EXPECT_EQ(received.HeaderOr("Authorization", ""), kSecretHeaderValue);
  EXPECT_EQ(received.HeaderOr("User-Agent", ""), "ucgate/0.1");
  EXPECT_FALSE(received.HasHeader("Content-Type"));
}

TEST_F(CurlHttpClientTest, ResponseHeaderNamesAreLowerCasedAndAllKept) {
  auto response = Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""});
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->Header("x-upstream-trace"),
              Optional(Eq("Trace-Value")));
  EXPECT_EQ(response->Header("X-Upstream-Trace"), std::nullopt);
  EXPECT_THAT(response->Header("set-cookie"), Optional(Eq("first=1")));
  EXPECT_THAT(response->headers,
              Contains(AllOf(Field(&HttpHeader::name, "set-cookie"),
                             Field(&HttpHeader::value, "second=2"))));
  for (const HttpHeader& header : response->headers) {
    EXPECT_EQ(header.name, absl::AsciiStrToLower(header.name));
  }
}

TEST_F(CurlHttpClientTest, PostSendsBodyAsIsWithoutExpectContinue) {
  // Large enough that curl would otherwise ask for 100-continue.
  const std::string body = "{\"source\":\"" + std::string(2 << 20, 'a') + "\"}";
  auto response = Send({HttpMethod::kPost,
                        local_.Url("/echo/"),
                        {{"Content-Type", "application/json"}},
                        body});
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->body, "POST " + body);
  const ReceivedRequest received = local_.received().at(0);
  EXPECT_EQ(received.method, "POST");
  EXPECT_EQ(received.body, body);
  EXPECT_EQ(received.HeaderOr("Content-Type", ""), "application/json");
  EXPECT_FALSE(received.HasHeader("Expect"));
}

TEST_F(CurlHttpClientTest, BodylessPutSendsNoFormContentType) {
  auto response = Send({HttpMethod::kPut, local_.Url("/echo/"), {}, ""});
  ASSERT_THAT(response, IsOk());
  const ReceivedRequest received = local_.received().at(0);
  EXPECT_EQ(received.method, "PUT");
  EXPECT_EQ(received.body, "");
  EXPECT_EQ(received.HeaderOr("Content-Length", ""), "0");
  // The signature covers Content-Type: curl must not invent one.
  EXPECT_FALSE(received.HasHeader("Content-Type"));
}

TEST_F(CurlHttpClientTest, PutPatchAndDeleteCarryTheirBodies) {
  const std::string uuids = R"(["21975c81-7f57-4c7a-aef9-acfe28779f78"])";
  for (HttpMethod method :
       {HttpMethod::kPut, HttpMethod::kPatch, HttpMethod::kDelete}) {
    SCOPED_TRACE(std::string(MethodName(method)));
    auto response = Send({method,
                          local_.Url("/echo/"),
                          {{"Content-Type", "application/json"}},
                          uuids});
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->body, std::string(MethodName(method)) + " " + uuids);
    const ReceivedRequest received = local_.received().back();
    EXPECT_EQ(received.method, MethodName(method));
    EXPECT_EQ(received.body, uuids);
    EXPECT_EQ(received.HeaderOr("Content-Type", ""), "application/json");
  }
}

TEST_F(CurlHttpClientTest, BodylessDeleteSendsNoBody) {
  auto response = Send({HttpMethod::kDelete, local_.Url("/echo/"), {}, ""});
  ASSERT_THAT(response, IsOk());
  const ReceivedRequest received = local_.received().at(0);
  EXPECT_EQ(received.method, "DELETE");
  EXPECT_EQ(received.body, "");
  EXPECT_FALSE(received.HasHeader("Content-Type"));
}

TEST_F(CurlHttpClientTest, ErrorStatusesAreAnswersNotFailures) {
  for (int status : {400, 404, 429, 503}) {
    auto response = Send({HttpMethod::kGet,
                          local_.Url("/echo/?status=" + std::to_string(status)),
                          {},
                          ""});
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->status_code, status);
  }
}

TEST_F(CurlHttpClientTest, RedirectsAreReturnedNotFollowed) {
  auto response = Send({HttpMethod::kGet, local_.Url("/redirect/"), {}, ""});
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status_code, 301);
  EXPECT_THAT(response->Header("location"), Optional(Eq(local_.Url("/echo/"))));
  EXPECT_EQ(local_.received().size(), 1u);
}

TEST_F(CurlHttpClientTest, BodiesKeepPaddingCapacityForInPlaceParsing) {
  for (size_t size : {0, 1, 15, 16, 63, 64, 65, 1000, 4096, 100000}) {
    SCOPED_TRACE(size);
    auto response = Send({HttpMethod::kGet,
                          local_.Url("/sized/?size=" + std::to_string(size)),
                          {},
                          ""});
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->body.size(), size);
    EXPECT_GE(response->body.capacity(), size + kBodyPadding);
  }
}

TEST_F(CurlHttpClientTest, SequentialRequestsReuseOneConnection) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""}), IsOk());
  }
  EXPECT_EQ(local_.received().size(), 10u);
  EXPECT_EQ(local_.DistinctConnections(), 1u);
}

TEST_F(CurlHttpClientTest, ConcurrentThreadsShareAtMostOneConnectionEach) {
  // One I/O thread, one pool: as many connections as exchanges at once.
  CurlHttpClientOptions options;
  options.io_threads = 1;
  client_ = MakeCurlHttpClient(options);
  constexpr int kThreads = 4;
  constexpr int kRequestsPerThread = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequestsPerThread; ++i) {
        if (!Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""}).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(local_.received().size(),
            static_cast<size_t>(kThreads * kRequestsPerThread));
  EXPECT_LE(local_.DistinctConnections(), static_cast<size_t>(kThreads));
}

TEST_F(CurlHttpClientTest, NoIdleHandlesMeansNoReuse) {
  CurlHttpClientOptions options;
  options.max_idle_connections = 0;
  client_ = MakeCurlHttpClient(options);
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""}), IsOk());
  }
  EXPECT_EQ(local_.DistinctConnections(), 3u);
}

TEST_F(CurlHttpClientTest, PassedDeadlineSendsNothing) {
  RequestOptions options;
  options.deadline = absl::Now() - absl::Seconds(1);
  EXPECT_THAT(Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""}, options),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("sent")));
  EXPECT_THAT(local_.received(), IsEmpty());
}

TEST_F(CurlHttpClientTest, SlowAnswerPastTheDeadlineIsDeadlineExceeded) {
  RequestOptions options;
  options.deadline = absl::Now() + absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  EXPECT_THAT(Send({HttpMethod::kGet, local_.Url("/slow/"), {}, ""}, options),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       AllOf(HasSubstr("answer timed out"),
                             HasSubstr("caller's deadline"))));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(slow_entered_.HasBeenNotified());
}

TEST_F(CurlHttpClientTest, RequestTimeoutBoundsAnInfiniteDeadline) {
  CurlHttpClientOptions client_options;
  client_options.request_timeout = absl::Milliseconds(200);
  client_ = MakeCurlHttpClient(client_options);
  EXPECT_THAT(
      Send({HttpMethod::kGet, local_.Url("/slow/"), {}, ""}, RequestOptions()),
      StatusIs(absl::StatusCode::kDeadlineExceeded,
               HasSubstr("request_timeout")));
}

TEST_F(CurlHttpClientTest, CancelledBeforeSendingSendsNothing) {
  RequestOptions options = WithinSeconds(10);
  Cancellation cancelled;
  cancelled.Cancel();
  options.cancellation = &cancelled;
  EXPECT_THAT(Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""}, options),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("upstream")));
  EXPECT_THAT(local_.received(), IsEmpty());
}

TEST_F(CurlHttpClientTest, CancellationAbortsATransferInFlightAtOnce) {
  RequestOptions options = WithinSeconds(10);
  Cancellation caller_gone;
  options.cancellation = &caller_gone;
  absl::Time cancelled_at;
  // Cancelled as soon as the server holds the request (which it then holds
  // until the test ends).
  std::thread canceller([&] {
    slow_entered_.WaitForNotification();
    cancelled_at = absl::Now();
    caller_gone.Cancel();
  });
  EXPECT_THAT(Send({HttpMethod::kGet, local_.Url("/slow/"), {}, ""}, options),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  const absl::Time returned_at = absl::Now();
  canceller.join();
  // Woken by the cancellation (well under a millisecond here), not by the
  // next of curl's own wake-ups while it waits (about 200 ms apart).
  EXPECT_LT(returned_at - cancelled_at, absl::Milliseconds(100));
}

TEST_F(CurlHttpClientTest, AbortAfterCancellationKeepsThePoolUsable) {
  RequestOptions options = WithinSeconds(10);
  Cancellation caller_gone;
  options.cancellation = &caller_gone;
  std::thread canceller([&] {
    slow_entered_.WaitForNotification();
    caller_gone.Cancel();
  });
  ASSERT_THAT(Send({HttpMethod::kGet, local_.Url("/slow/"), {}, ""}, options),
              StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  canceller.join();
  release_slow_.Notify();
  auto response = Send({HttpMethod::kGet, local_.Url("/echo/"), {}, ""});
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->body, "GET ");
}

TEST(CurlHttpClientFailureTest, RefusedConnectionIsUnavailable) {
  RefusingPort port;
  auto client = MakeCurlHttpClient({});
  RequestOptions options;
  options.deadline = absl::Now() + absl::Seconds(10);
  auto response = client->Send(
      {HttpMethod::kPost,
       "http://127.0.0.1:" + std::to_string(port.port()) + "/files/",
       {{"Authorization", kSecretHeaderValue}},
       "secret body"},
      options);
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 AllOf(HasSubstr("upstream: cannot connect"),
                                       Not(HasSubstr("do-not-leak")),
                                       Not(HasSubstr("secret body")))));
}

TEST(CurlHttpClientFailureTest, EmptyReplyIsUnavailable) {
  ScriptedTcpServer server("");
  auto response = MakeCurlHttpClient({})->Send(
      {HttpMethod::kGet, server.Url("/files/"), {}, ""}, RequestOptions());
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("connection failed")));
}

TEST(CurlHttpClientFailureTest, TruncatedBodyIsUnavailable) {
  ScriptedTcpServer server(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
  auto response = MakeCurlHttpClient({})->Send(
      {HttpMethod::kGet, server.Url("/files/"), {}, ""}, RequestOptions());
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("connection failed")));
}

TEST_F(CurlHttpClientTest, ConnectionDroppedMidBodyIsUnavailable) {
  auto response = Send({HttpMethod::kGet, local_.Url("/truncated/"), {}, ""});
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("connection failed")));
}

TEST(CurlHttpClientFailureTest, OnlyTheLastResponsesHeadersAreKept) {
  // An interim 100 answer precedes the final one.
  ScriptedTcpServer server(
      "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Final: yes\r\n"
      "Connection: close\r\n\r\nok");
  auto response = MakeCurlHttpClient({})->Send(
      {HttpMethod::kPost, server.Url("/files/local_copy/"), {}, "{}"},
      RequestOptions());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status_code, 201);
  EXPECT_EQ(response->body, "ok");
  EXPECT_THAT(response->Header("x-final"), Optional(Eq("yes")));
  EXPECT_EQ(response->Header("x-interim"), std::nullopt);
}

TEST(CurlHttpClientFailureTest, HeadersGoOutVerbatimEvenWhenEmpty) {
  ScriptedTcpServer server("HTTP/1.1 204 No Content\r\n\r\n");
  auto response = MakeCurlHttpClient({})->Send(
      {HttpMethod::kGet,
       server.Url("/files/?limit=2"),
       {{"Date", "Mon, 06 May 2024 07:08:09 GMT"}, {"X-Empty", ""}},
       ""},
      RequestOptions());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status_code, 204);
  const std::string head = server.ReceivedHead();
  EXPECT_THAT(head, StartsWith("GET /files/?limit=2 HTTP/1.1\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nDate: Mon, 06 May 2024 07:08:09 GMT\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nX-Empty:\r\n"));
}

TEST_F(CurlHttpClientTest, HeaderWithLineBreakIsRefusedWithoutEchoingIt) {
  auto response = Send({HttpMethod::kGet,
                        local_.Url("/echo/"),
                        {{"Authorization", "secret-part\r\nX-Injected: 1"}},
                        ""});
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kInternal,
                                 AllOf(HasSubstr("header #0"),
                                       Not(HasSubstr("secret-part")))));
  EXPECT_THAT(local_.received(), IsEmpty());
}

// Answers GETs (keep-alive) and, after reading a whole POST, closes the
// connection without answering: an upstream that processed the request and
// then lost the connection. Counts the requests of each method.
class ProcessThenDropServer {
 public:
  ProcessThenDropServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    port_ = ::ucgate::testing::BindLoopback(listener_);
    if (port_ == 0 || ::listen(listener_, 8) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    acceptor_ = std::thread([this] {
      for (;;) {
        const int connection = ::accept(listener_, nullptr, nullptr);
        if (connection < 0) return;
        absl::MutexLock lock(&mu_);
        connections_.emplace_back([this, connection] { Serve(connection); });
      }
    });
  }
  ~ProcessThenDropServer() {
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    ::close(listener_);
    absl::MutexLock lock(&mu_);
    for (std::thread& thread : connections_) thread.join();
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  int gets() const { return gets_.load(); }
  int posts() const { return posts_.load(); }

 private:
  void Serve(int connection) {
    std::string pending;
    char buffer[4096];
    for (;;) {
      size_t head_end;
      while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t got = ::recv(connection, buffer, sizeof(buffer), 0);
        if (got <= 0) {
          ::close(connection);
          return;
        }
        pending.append(buffer, static_cast<size_t>(got));
      }
      const std::string head =
          absl::AsciiStrToLower(pending.substr(0, head_end));
      size_t length = 0;
      if (size_t at = head.find("content-length:"); at != std::string::npos) {
        length = std::stoul(head.substr(at + 15));
      }
      while (pending.size() < head_end + 4 + length) {
        const ssize_t got = ::recv(connection, buffer, sizeof(buffer), 0);
        if (got <= 0) break;
        pending.append(buffer, static_cast<size_t>(got));
      }
      pending.erase(0, head_end + 4 + length);
      if (absl::StartsWith(head, "post")) {
        ++posts_;
        ::close(connection);  // processed, then gone
        return;
      }
      ++gets_;
      const std::string reply =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
      ::send(connection, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::atomic<int> gets_{0};
  std::atomic<int> posts_{0};
  absl::Mutex mu_;
  std::vector<std::thread> connections_ ABSL_GUARDED_BY(mu_);
};

TEST(CurlHttpClientFailureTest, APostIsSentAtMostOnceWhenItsConnectionDies) {
  ProcessThenDropServer server;
  auto client = MakeCurlHttpClient({});
  RequestOptions options;
  options.deadline = absl::Now() + absl::Seconds(10);
  // Leaves a keep-alive connection in the pool, the one a POST would reuse.
  ASSERT_THAT(
      client->Send({HttpMethod::kGet, server.Url("/files/"), {}, ""}, options),
      IsOk());
  auto posted = client->Send(
      {HttpMethod::kPost, server.Url("/convert/document/"), {}, "{}"}, options);
  EXPECT_THAT(posted, StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_EQ(server.posts(), 1);
  // Reads still reuse connections (and may be re-sent by libcurl: harmless).
  ASSERT_THAT(
      client->Send({HttpMethod::kGet, server.Url("/files/"), {}, ""}, options),
      IsOk());
  EXPECT_EQ(server.gets(), 2);
}

// A GET answered with `reply` by a client taking at most 100,000 bytes.
absl::StatusOr<HttpResponse> GetWithMaxResponseOf100000(std::string reply) {
  ScriptedTcpServer server(std::move(reply));
  CurlHttpClientOptions options;
  options.max_response_bytes = 100000;
  return MakeCurlHttpClient(options)->Send(
      {HttpMethod::kGet, server.Url("/files/"), {}, ""}, RequestOptions());
}

TEST(CurlHttpClientFailureTest, OversizedAnswersAreRefused) {
  // Announced: refused before a byte is kept.
  auto announced = GetWithMaxResponseOf100000(
      absl::StrCat("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n",
                   std::string(200000, 'x')));
  EXPECT_THAT(announced, StatusIs(absl::StatusCode::kInternal,
                                  HasSubstr("larger than 100000 bytes")));
  EXPECT_EQ(ErrorReason(announced.status()), "UPSTREAM_ANSWER_TOO_LARGE");
  // Not announced: cut off once past the limit.
  auto unannounced = GetWithMaxResponseOf100000(
      absl::StrCat("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
                   std::string(300000, 'x')));
  EXPECT_THAT(unannounced, StatusIs(absl::StatusCode::kInternal,
                                    HasSubstr("max_response_bytes")));
  // At the limit: kept.
  auto at_limit = GetWithMaxResponseOf100000(
      absl::StrCat("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",
                   std::string(100000, 'x')));
  ASSERT_THAT(at_limit, IsOk());
  EXPECT_EQ(at_limit->body.size(), 100000u);
}

TEST(BodyBufferTest, LargeBodiesAreRecycled) {
  std::string large = TakeBodyBuffer(kMinRecycledBody + 100);
  EXPECT_GE(large.capacity(), kMinRecycledBody + 100);
  large.assign(kMinRecycledBody, 'x');
  const char* large_data = large.data();
  RecycleBody(std::move(large));
  std::string again = TakeBodyBuffer(kMinRecycledBody);
  EXPECT_EQ(again.data(), large_data);  // the same buffer, emptied
  EXPECT_TRUE(again.empty());
  // A request for more than any kept buffer holds gets a new one.
  RecycleBody(std::move(again));
  std::string larger = TakeBodyBuffer(4 * kMinRecycledBody);
  EXPECT_NE(larger.data(), large_data);
  EXPECT_GE(larger.capacity(), 4 * kMinRecycledBody);
  EXPECT_GE(TakeBodyBuffer(1000).capacity(), 1000u);
}

TEST(MethodNameTest, NamesEveryMethod) {
  EXPECT_EQ(MethodName(HttpMethod::kGet), "GET");
  EXPECT_EQ(MethodName(HttpMethod::kPost), "POST");
  EXPECT_EQ(MethodName(HttpMethod::kPut), "PUT");
  EXPECT_EQ(MethodName(HttpMethod::kPatch), "PATCH");
  EXPECT_EQ(MethodName(HttpMethod::kDelete), "DELETE");
}

}  // namespace
}  // namespace ucgate::http
