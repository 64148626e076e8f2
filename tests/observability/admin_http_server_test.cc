// The admin listener over a real loopback socket: /metrics answers the
// registry's exposition, /healthz always, /readyz follows the readiness
// function (503 while not ready), anything else is 404.
#include "service/observability/admin_http_server.h"

#include <httplib.h>

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "tests/observability/exposition_checks.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::observability {
namespace {

using ::testing::HasSubstr;
using ::ucgate::testing::IsOk;
using ::ucgate::testing::StatusIs;

TEST(AdminHttpServerTest, ServesMetricsHealthAndReadiness) {
  auto registry = std::make_shared<MetricsRegistry>();
  prometheus::BuildCounter()
      .Name("ucgate_test_events_total")
      .Help("Events.")
      .Register(registry->registry())
      .Add({{"kind", "a"}})
      .Increment(3);
  std::atomic<bool> ready{false};
  auto server = AdminHttpServer::Start(
      {"127.0.0.1:0", registry, [&ready] { return ready.load(); }});
  ASSERT_THAT(server.status(), IsOk());
  httplib::Client client("127.0.0.1", (*server)->port());

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"),
            kTextExpositionContentType);
  EXPECT_THAT(metrics->body,
              HasSubstr("ucgate_test_events_total{kind=\"a\"} 3"));
  EXPECT_THAT(testing::PromtoolCheckMetrics(metrics->body), IsOk());

  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  auto not_ready = client.Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  ready = true;
  auto now_ready = client.Get("/readyz");
  ASSERT_TRUE(now_ready);
  EXPECT_EQ(now_ready->status, 200);
  ready = false;  // draining
  auto draining = client.Get("/readyz");
  ASSERT_TRUE(draining);
  EXPECT_EQ(draining->status, 503);

  auto unknown = client.Get("/debug/vars");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST(AdminHttpServerTest, WithoutMetricsOrReadinessFunction) {
  auto server = AdminHttpServer::Start({"127.0.0.1:0", nullptr, nullptr});
  ASSERT_THAT(server.status(), IsOk());
  httplib::Client client("127.0.0.1", (*server)->port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 404);
  auto readiness = client.Get("/readyz");
  ASSERT_TRUE(readiness);
  EXPECT_EQ(readiness->status, 503);
}

TEST(AdminHttpServerTest, RefusesBadAddresses) {
  EXPECT_THAT(
      AdminHttpServer::Start({"no-port", nullptr, nullptr}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("admin_listen")));
  auto first = AdminHttpServer::Start({"127.0.0.1:0", nullptr, nullptr});
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_THAT(
      AdminHttpServer::Start(
          {absl::StrCat("127.0.0.1:", (*first)->port()), nullptr, nullptr})
          .status(),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("admin_listen")));
}

}  // namespace
}  // namespace ucgate::observability
