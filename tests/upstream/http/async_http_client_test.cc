// AsyncHttpClient against a real loopback server (LoopHttpServer, itself on
// an event loop): thousands of transfers at once, faults in every phase,
// cancellation in every phase, the caps, shutdown, and at-most-once POSTs.
// Every test checks that each call is answered exactly once. No sleeps: the
// tests wait for completions.
#include <pthread.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/upstream/http/http_client.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/upstream/http/loop_http_server.h"

namespace ucgate::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::ucgate::testing::LoopHttpServer;
using ::ucgate::testing::ServerAction;
using ::ucgate::testing::ServerRequest;
using Kind = ServerAction::Kind;

// Collects the outcomes of `count` calls, indexed, and fails the test on a
// second answer to any of them.
class Outcomes {
 public:
  explicit Outcomes(int count) : outcomes_(count), answers_(count) {}

  HttpCompletion For(int index) {
    return [this, index](absl::StatusOr<HttpResponse> outcome) {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      absl::MutexLock lock(&mu_);
      ++answers_[index];
      outcomes_[index] = std::move(outcome);
      if (!absl::StartsWith(name, "ucgate-io-")) off_loop_ = true;
      ++answered_;
    };
  }

  // Waits until every call has an answer (the test's own timeout catches a
  // lost one).
  void WaitForAll() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Outcomes* self) ABSL_SHARED_LOCKS_REQUIRED(self->mu_) {
          return self->answered_ >= static_cast<int>(self->answers_.size());
        },
        this));
  }
  bool WaitFor(int index, absl::Duration timeout) {
    std::pair<Outcomes*, int> wanted(this, index);
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        absl::Condition(
            +[](std::pair<Outcomes*, int>* wanted) {
              return wanted->first->answers_[wanted->second] > 0;
            },
            &wanted),
        timeout);
  }
  bool Answered(int index) {
    absl::MutexLock lock(&mu_);
    return answers_[index] > 0;
  }

  void ExpectEachAnsweredOnceOnALoop() {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < answers_.size(); ++i) {
      EXPECT_EQ(answers_[i], 1) << "call " << i;
    }
    EXPECT_FALSE(off_loop_) << "a completion ran off the I/O threads";
  }

  absl::StatusOr<HttpResponse> Get(int index) {
    absl::MutexLock lock(&mu_);
    return outcomes_[index];
  }

 private:
  absl::Mutex mu_;
  std::vector<absl::StatusOr<HttpResponse>> outcomes_ ABSL_GUARDED_BY(mu_);
  std::vector<int> answers_ ABSL_GUARDED_BY(mu_);
  int answered_ ABSL_GUARDED_BY(mu_) = 0;
  bool off_loop_ ABSL_GUARDED_BY(mu_) = false;
};

HttpRequest Get(const std::string& url) {
  return {HttpMethod::kGet, url, {}, ""};
}

RequestOptions WithinSeconds(int seconds,
                             const Cancellation* cancellation = nullptr) {
  RequestOptions options;
  options.deadline = absl::Now() + absl::Seconds(seconds);
  options.cancellation = cancellation;
  return options;
}

std::unique_ptr<AsyncHttpClient> MakeClient(CurlHttpClientOptions options) {
  auto client = MakeAsyncHttpClient(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status();
  return *std::move(client);
}

CurlHttpClientOptions TwoLoops() {
  CurlHttpClientOptions options;
  options.io_threads = 2;
  return options;
}

// "/n/<i>" -> i.
int IndexOf(const ServerRequest& request) {
  int index = -1;
  (void)absl::SimpleAtoi(request.target.substr(request.target.rfind('/') + 1),
                         &index);
  return index;
}

TEST(AsyncHttpClientTest, ThousandsInFlightAreEachAnsweredOnce) {
  LoopHttpServer server([](const ServerRequest& request) {
    ServerAction action;
    action.body = "answer " + request.target;
    action.delay = absl::Milliseconds(20);
    return action;
  });
  ASSERT_TRUE(server.Start().ok());
  CurlHttpClientOptions options = TwoLoops();
  options.max_connections_per_host = 512;
  options.max_idle_connections = 512;
  auto client = MakeClient(options);
  constexpr int kCalls = 3000;
  Outcomes outcomes(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    client->Start(Get(server.Url(absl::StrCat("/n/", i))), WithinSeconds(60),
                  outcomes.For(i));
  }
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  for (int i = 0; i < kCalls; ++i) {
    auto outcome = outcomes.Get(i);
    ASSERT_THAT(outcome, IsOk());
    EXPECT_EQ(outcome->body, absl::StrCat("answer /n/", i));
  }
  EXPECT_EQ(server.requests_received(), static_cast<uint64_t>(kCalls));
  // The per-host cap holds across both loops (256 each), and the connections
  // are reused rather than opened per call.
  EXPECT_LE(server.most_connections_open(), 512u);
  EXPECT_LE(server.connections_accepted(), 512u);
  EXPECT_EQ(client->in_flight(), 0u);
}

// The ucgate_upstream_connections gauge reads this: kept-alive connections
// count until the client closes them.
TEST(AsyncHttpClientTest, CountsTheConnectionsItHoldsOpen) {
  LoopHttpServer server([](const ServerRequest&) {
    ServerAction action;
    action.body = "ok";
    return action;
  });
  ASSERT_TRUE(server.Start().ok());
  CurlHttpClientOptions options;
  options.io_threads = 1;
  auto client = MakeClient(options);
  EXPECT_EQ(client->open_connections(), 0u);
  Outcomes first(1);
  client->Start(Get(server.Url("/n/0")), WithinSeconds(10), first.For(0));
  first.WaitForAll();
  ASSERT_THAT(first.Get(0), IsOk());
  EXPECT_EQ(client->open_connections(), 1u);  // Kept alive.
  Outcomes second(1);
  client->Start(Get(server.Url("/n/1")), WithinSeconds(10), second.For(0));
  second.WaitForAll();
  EXPECT_EQ(client->open_connections(), 1u);  // Reused, not a second one.
  client->Shutdown(absl::ZeroDuration());
  EXPECT_EQ(client->open_connections(), 0u);
}

TEST(AsyncHttpClientTest, FaultsInEveryPhaseEachEndTheirCallOnce) {
  // The i-th call meets fault i % 7.
  LoopHttpServer server([](const ServerRequest& request) {
    ServerAction action;
    action.body = std::string(4000, 'b');
    switch (IndexOf(request) % 7) {
      case 0:  // answered
        break;
      case 1:  // reset before any answer
        action.kind = Kind::kReset;
        action.delay = absl::Milliseconds(5);
        break;
      case 2:  // answered, then the connection is reset
        action.reset_after = true;
        break;
      case 3:  // body cut short
        action.kind = Kind::kTruncate;
        break;
      case 4:  // slow body, in four pieces
        action.body_chunk = 1000;
        action.chunk_interval = absl::Milliseconds(3);
        break;
      case 5:  // never answered: the deadline ends it
        action.kind = Kind::kHold;
        break;
      case 6:  // closed without an answer
        action.kind = Kind::kClose;
        break;
    }
    return action;
  });
  ASSERT_TRUE(server.Start().ok());
  auto client = MakeClient(TwoLoops());
  constexpr int kCalls = 700;
  Outcomes outcomes(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    RequestOptions options = WithinSeconds(30);
    if (i % 7 == 5) options.deadline = absl::Now() + absl::Milliseconds(300);
    client->Start(Get(server.Url(absl::StrCat("/n/", i))), options,
                  outcomes.For(i));
  }
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  for (int i = 0; i < kCalls; ++i) {
    SCOPED_TRACE(i);
    auto outcome = outcomes.Get(i);
    switch (i % 7) {
      case 0:
      case 2:
      case 4:
        ASSERT_THAT(outcome, IsOk());
        EXPECT_EQ(outcome->body, std::string(4000, 'b'));
        break;
      case 1:
      case 3:
      case 6:
        EXPECT_THAT(outcome, StatusIs(absl::StatusCode::kUnavailable,
                                      HasSubstr("connection failed")));
        break;
      case 5:
        EXPECT_THAT(outcome, StatusIs(absl::StatusCode::kDeadlineExceeded,
                                      HasSubstr("caller's deadline")));
        break;
    }
  }
  EXPECT_EQ(client->in_flight(), 0u);
}

// A server whose "/hold/..." requests wait until released, and whose
// "/slow/..." answers send their first piece and then wait.
class HeldServer {
 public:
  HeldServer()
      : server_([this](const ServerRequest& request) {
          ++arrived_;
          ServerAction action;
          if (absl::StartsWith(request.target, "/hold/")) {
            action.kind = Kind::kHold;
          } else if (absl::StartsWith(request.target, "/slow/")) {
            action.body = std::string(2000, 's');
            action.body_chunk = 1000;
            action.chunk_interval = absl::Seconds(30);
          } else {
            action.body = "ok";
          }
          return action;
        }) {
    EXPECT_TRUE(server_.Start().ok());
  }
  LoopHttpServer& server() { return server_; }
  int arrived() const { return arrived_.load(); }
  // Waits (bounded) until `count` requests reached the server.
  bool WaitForArrivals(int count) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (arrived_.load() < count) {
      if (absl::Now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  }
  bool WaitForOpenConnections(uint64_t count) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (server_.connections_open() != count) {
      if (absl::Now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  }

 private:
  std::atomic<int> arrived_{0};
  LoopHttpServer server_;
};

TEST(AsyncHttpClientTest, CancelledBeforeStartingSendsNothing) {
  HeldServer held;
  auto client = MakeClient(TwoLoops());
  Cancellation cancelled;
  cancelled.Cancel();
  Outcomes outcomes(1);
  client->Start(Get(held.server().Url("/n/0")), WithinSeconds(10, &cancelled),
                outcomes.For(0));
  outcomes.WaitForAll();
  EXPECT_THAT(outcomes.Get(0), StatusIs(absl::StatusCode::kCancelled,
                                        HasSubstr("before the request")));
  outcomes.ExpectEachAnsweredOnceOnALoop();
  EXPECT_EQ(held.server().requests_received(), 0u);
}

// Starts a call to `target`, cancels it once the server has the request and
// expects it ended at once: CANCELLED, its connection closed (not left
// half-used in the pool), answered once.
void ExpectCancelledAtOnceAfterArrival(const std::string& target) {
  HeldServer held;
  auto client = MakeClient(TwoLoops());
  Cancellation caller_gone;
  Outcomes outcomes(1);
  client->Start(Get(held.server().Url(target)), WithinSeconds(60, &caller_gone),
                outcomes.For(0));
  ASSERT_TRUE(held.WaitForArrivals(1));
  caller_gone.Cancel();
  // Well before any of curl's own timeouts (60 s here).
  ASSERT_TRUE(outcomes.WaitFor(0, absl::Seconds(5)));
  EXPECT_THAT(outcomes.Get(0), StatusIs(absl::StatusCode::kCancelled,
                                        HasSubstr("request cancelled")));
  EXPECT_TRUE(held.WaitForOpenConnections(0));
  outcomes.ExpectEachAnsweredOnceOnALoop();
}

TEST(AsyncHttpClientTest, CancellingWhileAnswerIsAwaitedEndsItAtOnce) {
  ExpectCancelledAtOnceAfterArrival("/hold/0");
}

TEST(AsyncHttpClientTest, CancellingMidBodyEndsItAtOnce) {
  ExpectCancelledAtOnceAfterArrival("/slow/0");
}

TEST(AsyncHttpClientTest, CancellingWhileQueuedForAConnectionEndsIt) {
  HeldServer held;
  CurlHttpClientOptions options;
  options.io_threads = 1;
  options.max_connections_per_host = 1;
  auto client = MakeClient(options);
  Cancellation first_gone;
  Cancellation second_gone;
  Outcomes outcomes(2);
  client->Start(Get(held.server().Url("/hold/0")),
                WithinSeconds(60, &first_gone), outcomes.For(0));
  ASSERT_TRUE(held.WaitForArrivals(1));
  // The only connection is busy: this one waits inside curl.
  client->Start(Get(held.server().Url("/n/1")), WithinSeconds(60, &second_gone),
                outcomes.For(1));
  second_gone.Cancel();
  ASSERT_TRUE(outcomes.WaitFor(1, absl::Seconds(5)));
  EXPECT_THAT(outcomes.Get(1),
              StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  EXPECT_FALSE(outcomes.Answered(0));
  EXPECT_EQ(held.arrived(), 1);  // it never went out
  first_gone.Cancel();
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
}

TEST(AsyncHttpClientTest, CancellationRacingCompletionAnswersOnce) {
  LoopHttpServer server([](const ServerRequest&) {
    ServerAction action;
    action.body = "ok";
    return action;
  });
  ASSERT_TRUE(server.Start().ok());
  auto client = MakeClient(TwoLoops());
  constexpr int kCalls = 1000;
  std::vector<std::unique_ptr<Cancellation>> cancellations;
  for (int i = 0; i < kCalls; ++i) {
    cancellations.push_back(std::make_unique<Cancellation>());
  }
  Outcomes outcomes(kCalls);
  std::thread canceller([&] {
    for (int i = 0; i < kCalls; ++i) cancellations[i]->Cancel();
  });
  for (int i = 0; i < kCalls; ++i) {
    client->Start(Get(server.Url(absl::StrCat("/n/", i))),
                  WithinSeconds(30, cancellations[i].get()), outcomes.For(i));
  }
  canceller.join();
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  for (int i = 0; i < kCalls; ++i) {
    auto outcome = outcomes.Get(i);
    if (!outcome.ok()) {
      EXPECT_EQ(outcome.status().code(), absl::StatusCode::kCancelled) << i;
    }
  }
  EXPECT_EQ(client->in_flight(), 0u);
}

TEST(AsyncHttpClientTest, BeyondMaxInFlightIsResourceExhaustedWithRetryInfo) {
  HeldServer held;
  CurlHttpClientOptions options = TwoLoops();
  options.max_in_flight = 2;
  options.in_flight_retry_delay = absl::Milliseconds(250);
  auto client = MakeClient(options);
  Cancellation release;
  Outcomes outcomes(3);
  for (int i = 0; i < 2; ++i) {
    client->Start(Get(held.server().Url(absl::StrCat("/hold/", i))),
                  WithinSeconds(60, &release), outcomes.For(i));
  }
  client->Start(Get(held.server().Url("/n/2")), WithinSeconds(60),
                outcomes.For(2));
  ASSERT_TRUE(outcomes.WaitFor(2, absl::Seconds(5)));
  EXPECT_THAT(outcomes.Get(2), StatusIs(absl::StatusCode::kResourceExhausted,
                                        HasSubstr("max_in_flight")));
  EXPECT_THAT(RetryAfter(outcomes.Get(2).status()),
              Optional(absl::Milliseconds(250)));
  EXPECT_EQ(client->in_flight(), 2u);
  ASSERT_TRUE(held.WaitForArrivals(2));
  release.Cancel();
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  EXPECT_EQ(held.arrived(), 2);
  // Room again once they ended.
  Outcomes later(1);
  client->Start(Get(held.server().Url("/n/3")), WithinSeconds(10),
                later.For(0));
  later.WaitForAll();
  EXPECT_THAT(later.Get(0), IsOk());
}

TEST(AsyncHttpClientTest, AnswersOverTheSizeCapAreRefused) {
  LoopHttpServer server([](const ServerRequest& request) {
    ServerAction action;
    action.body = std::string(IndexOf(request), 'x');
    action.close_delimited = absl::StartsWith(request.target, "/unsized/");
    return action;
  });
  ASSERT_TRUE(server.Start().ok());
  CurlHttpClientOptions options = TwoLoops();
  options.max_response_bytes = 1000;
  auto client = MakeClient(options);
  Outcomes outcomes(4);
  client->Start(Get(server.Url("/sized/1000")), WithinSeconds(10),
                outcomes.For(0));
  client->Start(Get(server.Url("/sized/1001")), WithinSeconds(10),
                outcomes.For(1));
  // No Content-Length: caught while the body streams in.
  client->Start(Get(server.Url("/unsized/1000")), WithinSeconds(10),
                outcomes.For(2));
  client->Start(Get(server.Url("/unsized/50000")), WithinSeconds(10),
                outcomes.For(3));
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  ASSERT_THAT(outcomes.Get(0), IsOk());
  EXPECT_EQ(outcomes.Get(0)->body.size(), 1000u);
  EXPECT_THAT(outcomes.Get(1), StatusIs(absl::StatusCode::kInternal,
                                        HasSubstr("larger than 1000 bytes")));
  ASSERT_THAT(outcomes.Get(2), IsOk());
  EXPECT_EQ(outcomes.Get(2)->body.size(), 1000u);
  EXPECT_THAT(outcomes.Get(3), StatusIs(absl::StatusCode::kInternal,
                                        HasSubstr("larger than 1000 bytes")));
}

// Answers a connection's first request; closes the connection (no answer)
// on any later request that arrives on it. Counts what arrived per method.
class ClosesReusedConnections {
 public:
  ClosesReusedConnections()
      : server_([this](const ServerRequest& request) {
          absl::MutexLock lock(&mu_);
          ++arrived_[request.method];
          ServerAction action;
          if (request.index_on_connection > 0 ||
              (close_every_post_ && request.method == "POST")) {
            action.kind = Kind::kClose;
          } else {
            action.body = request.method + " answered";
          }
          return action;
        }) {
    EXPECT_TRUE(server_.Start().ok());
  }
  LoopHttpServer& server() { return server_; }
  int Arrived(const std::string& method) {
    absl::MutexLock lock(&mu_);
    return arrived_[method];
  }
  void CloseEveryPost() {
    absl::MutexLock lock(&mu_);
    close_every_post_ = true;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> arrived_ ABSL_GUARDED_BY(mu_);
  bool close_every_post_ ABSL_GUARDED_BY(mu_) = false;
  LoopHttpServer server_;
};

absl::StatusOr<HttpResponse> SendAndWait(AsyncHttpClient& client,
                                         HttpRequest request) {
  Outcomes outcomes(1);
  client.Start(std::move(request), WithinSeconds(10), outcomes.For(0));
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  return outcomes.Get(0);
}

TEST(AsyncHttpClientTest, PostIsNeverResentOnADeadKeptAliveConnection) {
  ClosesReusedConnections server;
  CurlHttpClientOptions options;
  options.io_threads = 1;
  auto client = MakeClient(options);
  // A GET leaves a kept-alive connection in the pool, which the server will
  // close as soon as another request arrives on it.
  ASSERT_THAT(SendAndWait(*client, Get(server.server().Url("/files/"))),
              IsOk());
  auto posted = SendAndWait(*client, {HttpMethod::kPost,
                                      server.server().Url("/files/copy/"),
                                      {{"Content-Type", "application/json"}},
                                      "{}"});
  // The POST went out on a connection of its own, exactly once.
  ASSERT_THAT(posted, IsOk());
  EXPECT_EQ(posted->body, "POST answered");
  EXPECT_EQ(server.Arrived("POST"), 1);
  EXPECT_EQ(server.server().connections_accepted(), 2u);
}

TEST(AsyncHttpClientTest, PostDroppedByTheServerFailsWithoutAResend) {
  ClosesReusedConnections server;
  server.CloseEveryPost();
  CurlHttpClientOptions options;
  options.io_threads = 1;
  auto client = MakeClient(options);
  ASSERT_THAT(SendAndWait(*client, Get(server.server().Url("/files/"))),
              IsOk());
  EXPECT_THAT(SendAndWait(*client, {HttpMethod::kPost,
                                    server.server().Url("/files/copy/"),
                                    {{"Content-Type", "application/json"}},
                                    "{}"}),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  // The server may have acted on it: it is not sent again.
  EXPECT_EQ(server.Arrived("POST"), 1);
}

TEST(AsyncHttpClientTest, GetOnADeadKeptAliveConnectionIsRetriedByCurl) {
  // The contrast: an idempotent GET reuses the connection, finds it dead and
  // is re-sent once on a new one (libcurl's own retry).
  ClosesReusedConnections server;
  CurlHttpClientOptions options;
  options.io_threads = 1;
  auto client = MakeClient(options);
  ASSERT_THAT(SendAndWait(*client, Get(server.server().Url("/files/"))),
              IsOk());
  auto again = SendAndWait(*client, Get(server.server().Url("/files/")));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(server.Arrived("GET"), 3);
  EXPECT_EQ(server.server().connections_accepted(), 2u);
}

TEST(AsyncHttpClientTest, ShutdownAnswersEveryCallInFlightBeforeReturning) {
  HeldServer held;
  auto client = MakeClient(TwoLoops());
  constexpr int kCalls = 200;
  Outcomes outcomes(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    client->Start(Get(held.server().Url(absl::StrCat("/hold/", i))),
                  WithinSeconds(60), outcomes.For(i));
  }
  ASSERT_TRUE(held.WaitForArrivals(kCalls));
  client->Shutdown(absl::ZeroDuration());
  // Every completion has run by now: no waiting.
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(outcomes.Answered(i)) << i;
    EXPECT_THAT(outcomes.Get(i), StatusIs(absl::StatusCode::kUnavailable,
                                          HasSubstr("shut down")));
  }
  outcomes.ExpectEachAnsweredOnceOnALoop();
  EXPECT_EQ(client->in_flight(), 0u);
  EXPECT_TRUE(held.WaitForOpenConnections(0));
  // Later calls are refused at once, on the caller's thread.
  bool refused = false;
  client->Start(Get(held.server().Url("/n/x")), WithinSeconds(10),
                [&](absl::StatusOr<HttpResponse> outcome) {
                  refused =
                      outcome.status().code() == absl::StatusCode::kUnavailable;
                });
  EXPECT_TRUE(refused);
}

TEST(AsyncHttpClientTest, ShutdownWithGraceLetsCallsInFlightFinish) {
  LoopHttpServer server([](const ServerRequest&) {
    ServerAction action;
    action.body = "late";
    action.delay = absl::Milliseconds(50);
    return action;
  });
  ASSERT_TRUE(server.Start().ok());
  auto client = MakeClient(TwoLoops());
  constexpr int kCalls = 100;
  Outcomes outcomes(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    client->Start(Get(server.Url(absl::StrCat("/n/", i))), WithinSeconds(60),
                  outcomes.For(i));
  }
  client->Shutdown(absl::Seconds(30));
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(outcomes.Answered(i)) << i;
    EXPECT_THAT(outcomes.Get(i), IsOk()) << i;
  }
  outcomes.ExpectEachAnsweredOnceOnALoop();
}

TEST(AsyncHttpClientTest, DestroyingTheClientAnswersCallsInFlight) {
  HeldServer held;
  auto client = MakeClient(TwoLoops());
  Outcomes outcomes(10);
  for (int i = 0; i < 10; ++i) {
    client->Start(Get(held.server().Url(absl::StrCat("/hold/", i))),
                  WithinSeconds(60), outcomes.For(i));
  }
  client.reset();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(outcomes.Answered(i)) << i;
  outcomes.ExpectEachAnsweredOnceOnALoop();
}

TEST(AsyncHttpClientTest, InvalidHeaderIsRefusedOnTheLoopWithoutSending) {
  HeldServer held;
  auto client = MakeClient(TwoLoops());
  Outcomes outcomes(1);
  client->Start({HttpMethod::kGet,
                 held.server().Url("/n/0"),
                 {{"Authorization", "secret\r\nX-Injected: 1"}},
                 ""},
                WithinSeconds(10), outcomes.For(0));
  outcomes.WaitForAll();
  outcomes.ExpectEachAnsweredOnceOnALoop();
  EXPECT_THAT(outcomes.Get(0),
              StatusIs(absl::StatusCode::kInternal,
                       ::testing::AllOf(HasSubstr("header #0"),
                                        ::testing::Not(HasSubstr("secret")))));
  EXPECT_EQ(held.arrived(), 0);
}

}  // namespace
}  // namespace ucgate::http
