// The gateway observed as ucgate runs it, end to end: real calls through the
// gRPC server (with the observing interceptor) to the emulator, then
// /metrics fetched over HTTP from the admin listener. Counters move for an
// OK call, an INVALID_ARGUMENT refused before upstream, an upstream 5xx
// retried to success and a file-info cache hit; the exposition passes
// `promtool check metrics` and the invariants promtool does not check; every
// call's log line is one JSON object with its request id, and the request
// id comes back in the x-request-id trailer (errors and streams included).
#include <httplib.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/common/log.h"
#include "service/observability/admin_http_server.h"
#include "service/observability/trace_context.h"
#include "simdjson.h"
#include "tests/integration/gateway_fixture.h"
#include "tests/observability/exposition_checks.h"
#include "tests/testing_util/log_capture.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kFileService[] = "uploadcare.gateway.v1.FileService";

// The gateway with its metrics, and its admin listener on a free port.
class ObservedGateway {
 public:
  ObservedGateway() : fixture_(Setup()) {}

  void Start() {
    fixture_.Start();
    auto admin = observability::AdminHttpServer::Start(
        {"127.0.0.1:0", fixture_.telemetry().registry,
         [this] { return fixture_.server().serving(); }});
    ASSERT_THAT(admin.status(), IsOk());
    admin_ = *std::move(admin);
    stub_ = v1::FileService::NewStub(fixture_.channel());
  }

  GatewayFixture& fixture() { return fixture_; }
  v1::FileService::Stub& stub() { return *stub_; }

  // The next `times` GETs of files answer HTTP `status`.
  void FailFileReads(int status, int times) {
    emulator::Fault fault;
    fault.method = "GET";
    fault.path_prefix = "/files/";
    fault.status = status;
    fault.times = times;
    fixture_.emulator().AddFault(fault);
  }

  // GetFile of `uuid` with `context` (its metadata set by the caller).
  grpc::Status GetFile(const std::string& uuid, grpc::ClientContext* context) {
    v1::GetFileRequest request;
    request.set_uuid(uuid);
    v1::GetFileResponse response;
    return stub_->GetFile(context, request, &response);
  }

  // GET `path` on the admin listener.
  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", admin_->port());
    return client.Get(path);
  }

  // /metrics over HTTP, checked by promtool and by the invariants.
  Exposition Scrape() {
    httplib::Result response = Get("/metrics");
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, 200);
    EXPECT_THAT(response->get_header_value("Content-Type"),
                HasSubstr("text/plain; version=0.0.4"));
    last_text_ = response->body;
    EXPECT_THAT(PromtoolCheckMetrics(response->body), IsOk());
    absl::StatusOr<Exposition> exposition = ParseExposition(response->body);
    EXPECT_THAT(exposition.status(), IsOk());
    if (!exposition.ok()) return {};
    EXPECT_THAT(CheckExpositionInvariants(*exposition), IsOk());
    return *std::move(exposition);
  }
  const std::string& last_text() const { return last_text_; }

 private:
  static GatewaySetup Setup() {
    GatewaySetup setup;
    setup.observe = true;
    return setup;
  }

  GatewayFixture fixture_;
  std::unique_ptr<observability::AdminHttpServer> admin_;
  std::unique_ptr<v1::FileService::Stub> stub_;
  std::string last_text_;
};

double ValueOr0(const Exposition& exposition, absl::string_view name,
                const Labels& labels) {
  return exposition.Value(name, labels).value_or(0);
}

Labels Handled(const std::string& method, const std::string& code) {
  return {{"grpc_service", kFileService},
          {"grpc_method", method},
          {"grpc_type", "unary"},
          {"grpc_code", code}};
}

std::string RequestIdTrailer(const grpc::ClientContext& context) {
  auto found = context.GetServerTrailingMetadata().find(
      observability::kRequestIdTrailer);
  if (found == context.GetServerTrailingMetadata().end()) return "";
  return std::string(found->second.data(), found->second.size());
}

TEST(ObservabilityTest, RealCallsMoveTheCountersOnMetrics) {
  ObservedGateway gateway;
  gateway.Start();
  const Exposition before = gateway.Scrape();
  const v1::File file = gateway.fixture().PresentFile(/*stored=*/true);

  // An upstream 503 twice, then the answer: retried to OK (3 attempts).
  gateway.FailFileReads(503, 2);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(gateway.GetFile(file.uuid(), &context).ok());
  }
  // The same file again: a cache hit, no upstream request.
  {
    grpc::ClientContext context;
    ASSERT_TRUE(gateway.GetFile(file.uuid(), &context).ok());
  }
  // Refused before anything goes upstream.
  {
    grpc::ClientContext context;
    EXPECT_EQ(gateway.GetFile("not-a-uuid", &context).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  const Exposition after = gateway.Scrape();
  auto moved = [&](absl::string_view name, const Labels& labels) {
    return ValueOr0(after, name, labels) - ValueOr0(before, name, labels);
  };
  EXPECT_EQ(moved("grpc_server_started_total", {{"grpc_service", kFileService},
                                                {"grpc_method", "GetFile"},
                                                {"grpc_type", "unary"}}),
            3);
  EXPECT_EQ(moved("grpc_server_handled_total", Handled("GetFile", "OK")), 2);
  EXPECT_EQ(
      moved("grpc_server_handled_total", Handled("GetFile", "InvalidArgument")),
      1);
  EXPECT_EQ(moved("grpc_server_handling_seconds_count",
                  {{"grpc_service", kFileService},
                   {"grpc_method", "GetFile"},
                   {"grpc_type", "unary"}}),
            3);
  const Labels get_file = {{"project", "main"}, {"operation", "GetFile"}};
  auto with_class = [&](const std::string& status_class) {
    Labels labels = get_file;
    labels["status_class"] = status_class;
    return labels;
  };
  EXPECT_EQ(moved("ucgate_upstream_requests_total", with_class("5xx")), 2);
  EXPECT_EQ(moved("ucgate_upstream_requests_total", with_class("2xx")), 1);
  EXPECT_EQ(moved("ucgate_upstream_request_duration_seconds_count", get_file),
            3);
  EXPECT_EQ(moved("ucgate_upstream_retries_total",
                  {{"project", "main"}, {"reason", "server_error"}}),
            2);
  EXPECT_EQ(moved("ucgate_cache_hits_total", {}), 1);
  EXPECT_GE(moved("ucgate_cache_misses_total", {}), 1);
  EXPECT_GE(ValueOr0(after, "ucgate_cache_entries", {}), 1);
  EXPECT_GT(ValueOr0(after, "ucgate_cache_bytes", {}), 0);
  EXPECT_TRUE(after.Value("ucgate_cache_evictions_total").has_value());
  EXPECT_EQ(ValueOr0(after, "ucgate_upstream_transfers_in_flight", {}), 0);
  // Bounded labels: only configured and listed names.
  for (const std::string& project : after.LabelValues("project")) {
    EXPECT_THAT(project, ::testing::AnyOf("main", "other"));
  }
  EXPECT_THAT(gateway.last_text(), Not(HasSubstr("not-a-uuid")));
  EXPECT_THAT(gateway.last_text(), Not(HasSubstr(file.uuid())));
}

TEST(ObservabilityTest, StreamsAndBatchesAreCounted) {
  ObservedGateway gateway;
  gateway.Start();
  {
    grpc::ClientContext context;
    v1::StreamFilesRequest request;
    request.set_page_size(50);
    auto reader = gateway.stub().StreamFiles(&context, request);
    v1::StreamFilesResponse message;
    int messages = 0;
    while (reader->Read(&message)) ++messages;
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_GT(messages, 0);
    EXPECT_EQ(RequestIdTrailer(context).size(), 32u);
  }
  {
    grpc::ClientContext context;
    v1::BatchStoreFilesRequest request;
    for (const auto& file : gateway.fixture().emulator().Files(kPublicKey)) {
      if (request.uuids_size() == 150) break;
      request.add_uuids(file.uuid());
    }
    v1::BatchStoreFilesResponse response;
    ASSERT_TRUE(
        gateway.stub().BatchStoreFiles(&context, request, &response).ok());
  }
  const Exposition metrics = gateway.Scrape();
  EXPECT_EQ(ValueOr0(metrics, "grpc_server_handled_total",
                     {{"grpc_service", kFileService},
                      {"grpc_method", "StreamFiles"},
                      {"grpc_type", "server_stream"},
                      {"grpc_code", "OK"}}),
            1);
  EXPECT_GT(ValueOr0(metrics, "grpc_server_msg_sent_total",
                     {{"grpc_service", kFileService},
                      {"grpc_method", "StreamFiles"},
                      {"grpc_type", "server_stream"}}),
            0);
  EXPECT_EQ(ValueOr0(metrics, "ucgate_streams_active", {{"kind", "listing"}}),
            0);
  EXPECT_EQ(ValueOr0(metrics, "ucgate_batch_chunks_total",
                     {{"operation", "BatchStoreFiles"}, {"result", "ok"}}),
            2);
  // The calls above went over kept-alive connections that are still open.
  EXPECT_GE(ValueOr0(metrics, "ucgate_upstream_connections", {}), 1);
  EXPECT_EQ(ValueOr0(metrics, "ucgate_build_info",
                     {{"version", "0.1.0"},
                      {"revision", ""},
                      {"grpc_version", grpc::Version()}}),
            1);
}

TEST(ObservabilityTest, RequestIdTrailerKeepsOrMakesTheTrace) {
  ObservedGateway gateway;
  gateway.Start();
  const v1::File file = gateway.fixture().PresentFile(/*stored=*/true);
  {
    grpc::ClientContext context;
    context.AddMetadata(observability::kTraceparentHeader, kTraceparent);
    ASSERT_TRUE(gateway.GetFile(file.uuid(), &context).ok());
    EXPECT_EQ(RequestIdTrailer(context), kTraceId);
  }
  {
    grpc::ClientContext context;
    EXPECT_FALSE(gateway.GetFile("bad", &context).ok());
    EXPECT_THAT(RequestIdTrailer(context), MatchesRegex("[0-9a-f]{32}"));
    EXPECT_NE(RequestIdTrailer(context), kTraceId);
  }
}

TEST(ObservabilityTest, EachCallLogsOneJsonLine) {
  LogCapture logs;
  SetLogFormat(LogFormat::kJson);
  ObservedGateway gateway;
  gateway.Start();
  const v1::File file = gateway.fixture().PresentFile(/*stored=*/true);
  gateway.FailFileReads(502, 1);
  {
    grpc::ClientContext context;
    context.AddMetadata(observability::kTraceparentHeader, kTraceparent);
    context.AddMetadata("x-ucgate-project", "main");
    ASSERT_TRUE(gateway.GetFile(file.uuid(), &context).ok());
  }
  std::string refused_id;
  {
    grpc::ClientContext context;
    EXPECT_FALSE(gateway.GetFile("bad", &context).ok());
    refused_id = RequestIdTrailer(context);
  }
  SetLogFormat(LogFormat::kText);

  simdjson::dom::parser parser;
  std::set<std::string> calls;  // request ids of the calls checked
  std::vector<std::string> lines = logs.lines();
  ASSERT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    simdjson::dom::element parsed;
    ASSERT_EQ(parser.parse(line).get(parsed), simdjson::SUCCESS) << line;
    std::string_view text;
    EXPECT_EQ(parsed["time"].get(text), simdjson::SUCCESS) << line;
    EXPECT_EQ(parsed["level"].get(text), simdjson::SUCCESS) << line;
    ASSERT_EQ(parsed["message"].get(text), simdjson::SUCCESS) << line;
    if (text != "grpc call") continue;
    std::string_view id;
    ASSERT_EQ(parsed["request_id"].get(id), simdjson::SUCCESS) << line;
    std::string_view method, code, project;
    int64_t attempts = -1;
    double latency = -1;
    ASSERT_EQ(parsed["method"].get(method), simdjson::SUCCESS) << line;
    ASSERT_EQ(parsed["grpc_code"].get(code), simdjson::SUCCESS) << line;
    ASSERT_EQ(parsed["upstream_attempts"].get(attempts), simdjson::SUCCESS);
    ASSERT_EQ(parsed["latency_ms"].get(latency), simdjson::SUCCESS) << line;
    EXPECT_GE(latency, 0);
    EXPECT_EQ(method, "uploadcare.gateway.v1.FileService/GetFile");
    if (id == kTraceId) {
      EXPECT_EQ(code, "OK");
      EXPECT_EQ(attempts, 2);  // the 502, then the answer
      ASSERT_EQ(parsed["project"].get(project), simdjson::SUCCESS) << line;
      EXPECT_EQ(project, "main");
      calls.insert(std::string(id));
    } else if (id == refused_id) {
      EXPECT_EQ(code, "InvalidArgument");
      EXPECT_EQ(attempts, 0);
      calls.insert(std::string(id));
    }
  }
  EXPECT_EQ(calls.count(kTraceId), 1u);
  EXPECT_EQ(calls.count(refused_id), 1u);
}

TEST(ObservabilityTest, ReadinessFollowsTheServingState) {
  ObservedGateway gateway;
  gateway.Start();
  httplib::Result health = gateway.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  httplib::Result ready = gateway.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  gateway.fixture().server().Shutdown(absl::ZeroDuration());
  httplib::Result draining = gateway.Get("/readyz");
  ASSERT_TRUE(draining);
  EXPECT_EQ(draining->status, 503);
  httplib::Result still_alive = gateway.Get("/healthz");
  ASSERT_TRUE(still_alive);
  EXPECT_EQ(still_alive->status, 200);
}

}  // namespace
}  // namespace ucgate::testing
