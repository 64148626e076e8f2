// No label value can come from a string a caller sent: calls full of
// caller-chosen strings (metadata, unknown methods, request fields, a caller
// name that slipped through to the observation) leave none of them in the
// exposition, and every label value is one the gateway itself defines.
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/observability/exposition_checks.h"
#include "tests/observability/observed_test_server.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::observability {
namespace {

using ::testing::Optional;
using ::ucgate::testing::Exposition;
using ::ucgate::testing::ObservedTestServer;
using ::ucgate::testing::ParseExposition;
namespace v1 = ::uploadcare::gateway::v1;

// Strings a caller controls, each distinctive enough to find anywhere.
const std::vector<std::string>& CallerStrings() {
  static const auto* strings = new std::vector<std::string>{
      "f47ac10b-58cc-4372-a567-0e02b2c3d479",                     // a UUID
      "tok_live_3c9a1e7f0b5d4a2e",                                // a token
      "https://evil.example/steal?x=1",                           // a URL
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // trace
      "caller-claims-to-be-admin",  // a caller name
      "project-from-metadata",      // a project name
  };
  return *strings;
}

// Every label value the gateway itself can write for these services and
// configured names.
std::set<std::string> GatewayDefinedValues() {
  std::set<std::string> values = {
      // grpc_type, grpc_code
      "unary", "client_stream", "server_stream", "bidi_stream", "OK",
      "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
      "AlreadyExists", "PermissionDenied", "ResourceExhausted",
      "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
      "Internal", "Unavailable", "DataLoss", "Unauthenticated",
      // the gateway's enums
      "2xx", "3xx", "4xx", "5xx", "error", "ok", "throttled", "server_error",
      "connection", "timeout", "success", "failure", "listing", "watch",
      "conversion", "addon", kOtherLabel,
      // configuration and build
      testing::kConfiguredCaller, testing::kConfiguredProject, "GetFile",
      "0.1.0", "", grpc::Version()};
  for (const char* service :
       {v1::FileService::service_full_name(), "grpc.health.v1.Health"}) {
    const auto* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service);
    values.insert(descriptor->full_name());
    for (int i = 0; i < descriptor->method_count(); ++i) {
      values.insert(descriptor->method(i)->name());
    }
  }
  return values;
}

TEST(LabelBounds, CallerStringsNeverBecomeLabels) {
  ObservedTestServer server;
  const std::vector<std::string>& hostile = CallerStrings();
  // Known methods, with every string as metadata and as request content.
  for (const std::string& text : hostile) {
    grpc::ClientContext context;
    context.AddMetadata("traceparent", text);
    context.AddMetadata("x-uc-project", text);
    context.AddMetadata("authorization", "Bearer " + text);
    context.AddMetadata(testing::kClaimedCallerHeader, text);
    v1::GetFileRequest request;
    request.set_uuid(text);
    v1::GetFileResponse response;
    EXPECT_TRUE(server.stub().GetFile(&context, request, &response).ok());
  }
  // Unknown methods named by the caller.
  grpc::GenericStub generic(server.channel().shared_from_this());
  for (const std::string& text : hostile) {
    for (const std::string& path :
         {"/uploadcare.gateway.v1.FileService/" + text, "/" + text + "/Get"}) {
      grpc::ClientContext context;
      grpc::Slice empty("");
      grpc::ByteBuffer request(&empty, 1), response;
      absl::Notification done;
      generic.UnaryCall(&context, path, grpc::StubOptions(), &request,
                        &response, [&](grpc::Status) { done.Notify(); });
      done.WaitForNotification();
    }
  }
  // The gateway's own API, handed caller strings by mistake.
  GatewayMetrics& gateway = server.gateway_metrics();
  for (const std::string& text : hostile) {
    gateway.RecordUpstreamRequest(text, text, 200, absl::Milliseconds(1));
    gateway.RecordRetry(text, RetryReason::kTimeout);
    gateway.RecordThrottled(text);
    gateway.RecordThrottleHold(text, absl::Seconds(1));
    gateway.RecordBatchChunk(text, true);
    gateway.RecordCredentialReload(text, ReloadResult::kFailure);
    gateway.RecordCallerCall(text, grpc::StatusCode::OK);
  }

  const std::string text = server.registry().TextExposition();
  for (const std::string& caller_string : hostile) {
    EXPECT_EQ(text.find(caller_string), std::string::npos) << caller_string;
  }
  absl::StatusOr<Exposition> exposition = ParseExposition(text);
  ASSERT_THAT(exposition.status(), IsOk());
  const std::set<std::string> defined = GatewayDefinedValues();
  for (const auto& sample : exposition->samples) {
    for (const auto& [label, value] : sample.labels) {
      if (label == "le") continue;  // bucket bounds: numbers of the code
      EXPECT_TRUE(defined.count(value))
          << sample.name << "{" << label << "=\"" << value << "\"}";
    }
  }
  // The caller strings were counted, under "other".
  EXPECT_THAT(exposition->Value("ucgate_caller_calls_total",
                                {{"caller", "other"}, {"grpc_code", "OK"}}),
              Optional(2.0 * hostile.size()));
  EXPECT_THAT(exposition->Value("ucgate_grpc_unknown_method_calls_total"),
              Optional(2.0 * hostile.size()));
  EXPECT_THAT(exposition->Value("ucgate_upstream_requests_total",
                                {{"project", "other"},
                                 {"operation", "other"},
                                 {"status_class", "2xx"}}),
              Optional(1.0 * hostile.size()));
}

TEST(LabelAllowlist, ResolvesConfiguredNamesAndNothingElse) {
  LabelAllowlist projects({"demo", "prod", "other"});
  EXPECT_EQ(projects.Resolve("demo"), "demo");
  EXPECT_EQ(projects.Resolve("Demo"), kOtherLabel);
  EXPECT_EQ(projects.Resolve(""), kOtherLabel);
  EXPECT_EQ(projects.Resolve("other"), kOtherLabel);
  // A reload replaces the names.
  projects.Replace({"staging"});
  EXPECT_EQ(projects.Resolve("staging"), "staging");
  EXPECT_EQ(projects.Resolve("demo"), kOtherLabel);
}

TEST(LabelBounds, AReloadAdmitsNewConfiguredNames) {
  MetricsRegistry registry;
  GatewayMetricsOptions options;
  options.projects = {"demo"};
  options.operations = {"GetFile"};
  GatewayMetrics metrics(registry, options);
  metrics.RecordThrottled("later");
  metrics.SetConfiguredNames({"demo", "later"}, {});
  metrics.RecordThrottled("later");
  absl::StatusOr<Exposition> exposition =
      ParseExposition(registry.TextExposition());
  ASSERT_THAT(exposition.status(), IsOk());
  EXPECT_THAT(exposition->Value("ucgate_upstream_throttled_total",
                                {{"project", "other"}}),
              Optional(1.0));
  EXPECT_THAT(exposition->Value("ucgate_upstream_throttled_total",
                                {{"project", "later"}}),
              Optional(1.0));
}

}  // namespace
}  // namespace ucgate::observability
