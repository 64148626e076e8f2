// The gateway's metrics as ucgate makes them: every served method has its
// grpc_server_* series, projects and operations are the only label values,
// and the metrics stay usable after the telemetry that made them is gone
// (the interceptor and the upstream stack hold them, not the registry).
#include "service/gateway/gateway_telemetry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/observability/exposition_checks.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::gateway {
namespace {

using ::testing::HasSubstr;

GatewayConfig OneProject() {
  GatewayConfig config;
  ProjectConfig project;
  project.name = "main";
  config.projects.push_back(project);
  return config;
}

TEST(GatewayTelemetryTest, EveryServedMethodAndOnlyConfiguredNames) {
  auto telemetry = MakeGatewayTelemetry(OneProject());
  ASSERT_THAT(telemetry.status(), IsOk());
  EXPECT_NE(telemetry->grpc->Find("/uploadcare.gateway.v1.FileService/GetFile"),
            nullptr);
  EXPECT_NE(telemetry->grpc->Find(
                "/uploadcare.gateway.v1.AddonService/WatchAddonExecution"),
            nullptr);
  EXPECT_NE(telemetry->grpc->Find("/grpc.health.v1.Health/Check"), nullptr);
  EXPECT_EQ(telemetry->grpc->Find("/uploadcare.gateway.v1.FileService/Nope"),
            nullptr);

  telemetry->gateway->RecordUpstreamRequest("main", "GetFile", 200,
                                            absl::Milliseconds(5));
  telemetry->gateway->RecordUpstreamRequest("someone-else", "DropTables", 500,
                                            absl::Milliseconds(5));
  const std::string text = telemetry->registry->TextExposition();
  EXPECT_THAT(testing::PromtoolCheckMetrics(text), IsOk());
  auto exposition = testing::ParseExposition(text);
  ASSERT_THAT(exposition.status(), IsOk());
  EXPECT_EQ(exposition->Value("ucgate_upstream_requests_total",
                              {{"project", "main"},
                               {"operation", "GetFile"},
                               {"status_class", "2xx"}}),
            1);
  EXPECT_EQ(exposition->Value("ucgate_upstream_requests_total",
                              {{"project", "other"},
                               {"operation", "other"},
                               {"status_class", "5xx"}}),
            1);
  EXPECT_THAT(text, HasSubstr("ucgate_build_info{"));
}

TEST(GatewayTelemetryTest, MetricsOutliveTheTelemetryThatMadeThem) {
  std::shared_ptr<observability::GatewayMetrics> gateway;
  std::shared_ptr<observability::GrpcServerMetrics> grpc;
  {
    auto telemetry = MakeGatewayTelemetry(OneProject());
    ASSERT_THAT(telemetry.status(), IsOk());
    gateway = telemetry->gateway;
    grpc = telemetry->grpc;
  }
  // The registry went with the telemetry but for these holders.
  gateway->RecordUpstreamRequest("main", "GetFile", 200, absl::Seconds(1));
  grpc->Find("/uploadcare.gateway.v1.FileService/GetFile")
      ->RecordHandled(grpc::StatusCode::OK, absl::Seconds(1));
}

}  // namespace
}  // namespace ucgate::gateway
