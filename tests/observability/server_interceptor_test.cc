// The observing interceptor under real calls through an in-process gRPC
// server (callback API): counters and histograms moved by OK,
// INVALID_ARGUMENT, INTERNAL, cancelled and streaming calls; request ids
// kept or made, returned in the x-request-id trailer and seen by handlers;
// one JSON log line per call with every field.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/common/log.h"
#include "simdjson.h"
#include "tests/observability/exposition_checks.h"
#include "tests/observability/observed_test_server.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::observability {
namespace {

using ::testing::ElementsAre;
using ::testing::MatchesRegex;
using ::testing::Optional;
using ::ucgate::testing::CheckExpositionInvariants;
using ::ucgate::testing::Exposition;
using ::ucgate::testing::ObservedTestServer;
using ::ucgate::testing::ParseExposition;
using ::ucgate::testing::PromtoolCheckMetrics;
namespace v1 = ::uploadcare::gateway::v1;

constexpr char kFileService[] = "uploadcare.gateway.v1.FileService";
constexpr char kCallerTrace[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

testing::Labels Method(const char* name, const char* type = "unary") {
  return {{"grpc_type", type},
          {"grpc_service", kFileService},
          {"grpc_method", name}};
}
testing::Labels WithCode(testing::Labels labels, const char* code) {
  labels["grpc_code"] = code;
  return labels;
}

struct CallResult {
  grpc::Status status;
  std::string request_id;  // the x-request-id trailer
};

CallResult GetFile(ObservedTestServer& server, const std::string& uuid,
                   const std::string& traceparent = "") {
  grpc::ClientContext context;
  if (!traceparent.empty()) context.AddMetadata("traceparent", traceparent);
  v1::GetFileRequest request;
  request.set_uuid(uuid);
  v1::GetFileResponse response;
  CallResult result;
  result.status = server.stub().GetFile(&context, request, &response);
  auto trailer = context.GetServerTrailingMetadata().find("x-request-id");
  if (trailer != context.GetServerTrailingMetadata().end()) {
    result.request_id =
        std::string(trailer->second.data(), trailer->second.size());
  }
  return result;
}

Exposition Scrape(ObservedTestServer& server) {
  const std::string text = server.registry().TextExposition();
  EXPECT_THAT(PromtoolCheckMetrics(text), IsOk());
  absl::StatusOr<Exposition> exposition = ParseExposition(text);
  EXPECT_THAT(exposition.status(), IsOk());
  if (!exposition.ok()) return {};
  EXPECT_THAT(CheckExpositionInvariants(*exposition), IsOk());
  return *exposition;
}

// Captures log lines (in JSON) for one test.
class CapturedLog {
 public:
  CapturedLog() {
    SetLogFormat(LogFormat::kJson);
    SetLogSink([this](absl::string_view line) {
      absl::MutexLock lock(&mutex_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLog() {
    SetLogSink(nullptr);
    SetLogFormat(LogFormat::kText);
  }
  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mutex_);
    return lines_;
  }

 private:
  mutable absl::Mutex mutex_;
  std::vector<std::string> lines_;
};

TEST(ServerInterceptor, UnaryCallsMoveTheCounters) {
  ObservedTestServer server;
  EXPECT_TRUE(GetFile(server, "a").status.ok());
  EXPECT_TRUE(GetFile(server, "b").status.ok());
  EXPECT_EQ(GetFile(server, "").status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetFile(server, "fail").status.error_code(),
            grpc::StatusCode::INTERNAL);

  const Exposition exposition = Scrape(server);
  const testing::Labels get_file = Method("GetFile");
  EXPECT_THAT(exposition.Value("grpc_server_started_total", get_file),
              Optional(4.0));
  EXPECT_THAT(
      exposition.Value("grpc_server_handled_total", WithCode(get_file, "OK")),
      Optional(2.0));
  EXPECT_THAT(exposition.Value("grpc_server_handled_total",
                               WithCode(get_file, "InvalidArgument")),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_handled_total",
                               WithCode(get_file, "Internal")),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_msg_received_total", get_file),
              Optional(4.0));
  EXPECT_THAT(exposition.Value("grpc_server_msg_sent_total", get_file),
              Optional(2.0));
  // The ticking clock: every call took exactly 1 ms.
  EXPECT_THAT(exposition.Value("grpc_server_handling_seconds_count", get_file),
              Optional(4.0));
  EXPECT_NEAR(
      exposition.Value("grpc_server_handling_seconds_sum", get_file).value(),
      0.004, 1e-9);
  testing::Labels first_bucket = get_file;
  first_bucket["le"] = "0.005";
  EXPECT_THAT(
      exposition.Value("grpc_server_handling_seconds_bucket", first_bucket),
      Optional(4.0));
  // Every call noted the configured caller.
  EXPECT_THAT(exposition.Value("ucgate_caller_calls_total",
                               {{"caller", "billing"}, {"grpc_code", "OK"}}),
              Optional(2.0));
  EXPECT_THAT(
      exposition.Value("ucgate_caller_calls_total",
                       {{"caller", "billing"}, {"grpc_code", "Internal"}}),
      Optional(1.0));
}

TEST(ServerInterceptor, ServerStreamCountsEveryMessage) {
  ObservedTestServer server;
  grpc::ClientContext context;
  v1::StreamFilesRequest request;
  auto reader = server.stub().StreamFiles(&context, request);
  v1::StreamFilesResponse message;
  int messages = 0;
  while (reader->Read(&message)) ++messages;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(messages, 3);
  EXPECT_THAT(context.GetServerTrailingMetadata().count("x-request-id"), 1u);

  const Exposition exposition = Scrape(server);
  const testing::Labels stream = Method("StreamFiles", "server_stream");
  EXPECT_THAT(exposition.Value("grpc_server_started_total", stream),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_msg_received_total", stream),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_msg_sent_total", stream),
              Optional(3.0));
  EXPECT_THAT(
      exposition.Value("grpc_server_handled_total", WithCode(stream, "OK")),
      Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_handling_seconds_count", stream),
              Optional(1.0));
}

TEST(ServerInterceptor, ACancelledCallIsHandledAsCanceled) {
  ObservedTestServer server;
  grpc::ClientContext context;
  v1::GetFileRequest request;
  request.set_uuid("hang");
  v1::GetFileResponse response;
  absl::Notification done;
  grpc::Status status;
  server.stub().async()->GetFile(&context, &request, &response,
                                 [&](grpc::Status s) {
                                   status = std::move(s);
                                   done.Notify();
                                 });
  context.TryCancel();
  done.WaitForNotification();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  server.Shutdown();  // waits for the server's side of the call to end
  const Exposition exposition = Scrape(server);
  const testing::Labels get_file = Method("GetFile");
  EXPECT_THAT(exposition.Value("grpc_server_started_total", get_file),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_handled_total",
                               WithCode(get_file, "Canceled")),
              Optional(1.0));
}

TEST(ServerInterceptor, RequestIdIsMadeWhenAbsentAndReturnedInTheTrailer) {
  ObservedTestServer server;
  const CallResult first = GetFile(server, "a");
  const CallResult second = GetFile(server, "");
  EXPECT_THAT(first.request_id, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(second.request_id, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_NE(first.request_id, second.request_id);
  // Errors carry it too, and the handler saw the same id.
  EXPECT_THAT(server.seen_request_ids(),
              ElementsAre(first.request_id, second.request_id));
}

TEST(ServerInterceptor, AValidCallerTraceparentIsKept) {
  ObservedTestServer server;
  EXPECT_EQ(GetFile(server, "a", kCallerTrace).request_id,
            "4bf92f3577b34da6a3ce929d0e0e4736");
  // Invalid (all-zero trace id): a new trace, not the caller's string.
  const CallResult invalid = GetFile(
      server, "a", "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  EXPECT_THAT(invalid.request_id, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_NE(invalid.request_id, "00000000000000000000000000000000");
}

TEST(ServerInterceptor, LogsOneJsonLinePerCallWithEveryField) {
  CapturedLog log;
  ObservedTestServer server;
  const CallResult ok = GetFile(server, "a", kCallerTrace);
  const CallResult invalid = GetFile(server, "");
  const CallResult failed = GetFile(server, "fail");
  const std::vector<std::string> lines = log.lines();
  ASSERT_EQ(lines.size(), 3u);

  simdjson::dom::parser parser;
  struct Expected {
    const CallResult* call;
    const char* level;
    const char* code;
  };
  const Expected expected[] = {{&ok, "info", "OK"},
                               {&invalid, "info", "InvalidArgument"},
                               {&failed, "warning", "Internal"}};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(lines[i]);
    simdjson::dom::element line;
    ASSERT_EQ(parser.parse(lines[i]).get(line), simdjson::SUCCESS);
    std::string_view text;
    ASSERT_EQ(line["time"].get(text), simdjson::SUCCESS);
    EXPECT_THAT(std::string(text),
                MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                             "[0-9]{2}\\.[0-9]{6}Z"));
    EXPECT_EQ(std::string_view(line["level"]), expected[i].level);
    EXPECT_EQ(std::string_view(line["message"]), "grpc call");
    EXPECT_EQ(std::string_view(line["request_id"]),
              expected[i].call->request_id);
    EXPECT_EQ(std::string_view(line["method"]),
              "uploadcare.gateway.v1.FileService/GetFile");
    EXPECT_EQ(std::string_view(line["grpc_code"]), expected[i].code);
    EXPECT_EQ(double(line["latency_ms"]), 1.0);  // the ticking clock
    EXPECT_EQ(int64_t(line["upstream_attempts"]), 2);
    EXPECT_EQ(std::string_view(line["caller"]), "billing");
    EXPECT_EQ(std::string_view(line["project"]), "demo");
    EXPECT_THAT(std::string(std::string_view(line["span_id"])),
                MatchesRegex("[0-9a-f]{16}"));
  }
  simdjson::dom::element first, second;
  ASSERT_EQ(parser.parse(lines[0]).get(first), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(first["parent_span_id"]), "00f067aa0ba902b7");
  EXPECT_TRUE(first["error"].error() == simdjson::NO_SUCH_FIELD);
  ASSERT_EQ(parser.parse(lines[1]).get(second), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(second["error"]), "uuid: required");
  EXPECT_TRUE(second["parent_span_id"].error() == simdjson::NO_SUCH_FIELD);
}

TEST(ServerInterceptor, LogsNoMetadataAndNoRequestContent) {
  CapturedLog log;
  ObservedTestServer server;
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer sk_live_do_not_log_me");
  context.AddMetadata("x-uc-secret", "secret-do-not-log");
  v1::GetFileRequest request;
  request.set_uuid("uuid-from-the-request");
  v1::GetFileResponse response;
  ASSERT_TRUE(server.stub().GetFile(&context, request, &response).ok());
  ASSERT_EQ(log.lines().size(), 1u);
  for (const char* text :
       {"sk_live", "do_not_log", "do-not-log", "uuid-from-the-request"}) {
    EXPECT_EQ(log.lines()[0].find(text), std::string::npos) << text;
  }
}

TEST(ServerInterceptor, UnknownMethodsMakeNoSeries) {
  CapturedLog log;
  ObservedTestServer server;
  const std::string before = server.registry().TextExposition();
  grpc::GenericStub generic(server.channel().shared_from_this());
  for (const char* path :
       {"/uploadcare.gateway.v1.FileService/NoSuchMethod",
        "/evil.Service/f47ac10b-58cc-4372-a567-0e02b2c3d479"}) {
    grpc::ClientContext context;
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    absl::Notification done;
    grpc::Status status;
    generic.UnaryCall(&context, path, grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        status = std::move(s);
                        done.Notify();
                      });
    done.WaitForNotification();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << path;
  }
  const Exposition exposition = Scrape(server);
  EXPECT_THAT(exposition.Value("ucgate_grpc_unknown_method_calls_total"),
              Optional(2.0));
  absl::StatusOr<Exposition> earlier = ParseExposition(before);
  ASSERT_THAT(earlier.status(), IsOk());
  EXPECT_EQ(exposition.samples.size(), earlier->samples.size());
  const std::string after = server.registry().TextExposition();
  EXPECT_EQ(after.find("NoSuchMethod"), std::string::npos);
  EXPECT_EQ(after.find("evil"), std::string::npos);
  // Logged as "unknown": the path came from the caller.
  for (const std::string& line : log.lines()) {
    EXPECT_THAT(line, ::testing::HasSubstr("\"method\":\"unknown\""));
    EXPECT_EQ(line.find("evil"), std::string::npos);
  }
}

}  // namespace
}  // namespace ucgate::observability
