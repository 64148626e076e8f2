// The exposition of every family: promtool's check, the invariants promtool
// does not check, and the values the recording calls put there.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/cache/lru_file_info_cache.h"
#include "service/common/clock.h"
#include "service/observability/gateway_metrics.h"
#include "service/observability/grpc_server_metrics.h"
#include "service/observability/metrics_registry.h"
#include "tests/observability/exposition_checks.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::observability {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::ucgate::testing::CheckExpositionInvariants;
using ::ucgate::testing::Exposition;
using ::ucgate::testing::ParseExposition;
using ::ucgate::testing::PromtoolCheckMetrics;

constexpr char kFileService[] = "uploadcare.gateway.v1.FileService";
constexpr char kGetFile[] = "/uploadcare.gateway.v1.FileService/GetFile";
constexpr char kStreamFiles[] =
    "/uploadcare.gateway.v1.FileService/StreamFiles";

// Links the services' generated descriptors into the test binary (the
// gateway links them through its handlers).
const bool kDescriptorsLinked =
    ::uploadcare::gateway::v1::GetFileRequest::descriptor() != nullptr &&
    ::grpc::health::v1::HealthCheckRequest::descriptor() != nullptr;

GatewayMetricsOptions DemoOptions() {
  GatewayMetricsOptions options;
  options.projects = {"demo", "prod"};
  options.callers = {"billing"};
  options.operations = {"GetFile", "BatchStoreFiles"};
  options.build = {"0.1.0", "abc123"};
  return options;
}

Exposition Scrape(const MetricsRegistry& registry) {
  absl::StatusOr<Exposition> exposition =
      ParseExposition(registry.TextExposition());
  EXPECT_THAT(exposition.status(), IsOk());
  return exposition.ok() ? *exposition : Exposition{};
}

// Every family with samples: what an operator's scrape sees after traffic.
class EveryFamily : public ::testing::Test {
 protected:
  EveryFamily() {
    grpc_ = *GrpcServerMetrics::Create(registry_,
                                       {kFileService, "grpc.health.v1.Health"});
    GrpcServerMetrics::Method* get_file = grpc_->Find(kGetFile);
    get_file->RecordStarted();
    get_file->RecordReceived();
    get_file->RecordSent();
    get_file->RecordHandled(grpc::StatusCode::OK, absl::Milliseconds(3));
    get_file->RecordStarted();
    get_file->RecordReceived();
    get_file->RecordHandled(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::Microseconds(200));
    GrpcServerMetrics::Method* stream = grpc_->Find(kStreamFiles);
    stream->RecordStarted();
    stream->RecordReceived();
    for (int i = 0; i < 3; ++i) stream->RecordSent();
    stream->RecordHandled(grpc::StatusCode::OK, absl::Seconds(12));
    grpc_->RecordUnknownMethod();

    gateway_ = std::make_unique<GatewayMetrics>(registry_, DemoOptions());
    gateway_->RecordUpstreamRequest("demo", "GetFile", 200,
                                    absl::Milliseconds(40));
    gateway_->RecordUpstreamRequest("demo", "GetFile", 503,
                                    absl::Milliseconds(700));
    gateway_->RecordUpstreamRequest("demo", "GetFile", 0, absl::Seconds(5));
    gateway_->RecordUpstreamRequest("prod", "BatchStoreFiles", 429,
                                    absl::Milliseconds(15));
    gateway_->RecordRetry("demo", RetryReason::kServerError);
    gateway_->RecordRetry("demo", RetryReason::kConnection);
    gateway_->RecordRetry("prod", RetryReason::kThrottled);
    gateway_->RecordThrottled("prod");
    gateway_->RecordThrottleHold("prod", absl::Seconds(2));
    transfer_ = gateway_->TrackUpstreamTransfer();
    gateway_->SetUpstreamConnectionsSource([] { return int64_t{4}; });
    stream_ = gateway_->TrackStream(StreamKind::kListing);
    watch_ = gateway_->TrackStream(StreamKind::kWatch);
    job_ = gateway_->TrackWatchedJob(WatchedJobKind::kConversion);
    gateway_->RecordWatchedJobPolls(WatchedJobKind::kConversion, 7);
    gateway_->RecordBatchChunk("BatchStoreFiles", true);
    gateway_->RecordBatchChunk("BatchStoreFiles", false);
    gateway_->RecordCredentialReload("demo", ReloadResult::kSuccess);
    gateway_->RecordConfigReload(ReloadResult::kFailure);
    gateway_->RecordCallerCall("billing", grpc::StatusCode::NOT_FOUND);

    // A real cache, read at scrape time: one miss, one hit.
    cache_ = cache::MakeLruFileInfoCache({}, MakeSystemClock());
    cache::FileInfoKey key{"demo", "3e5b1d5a-6c5f-4e2b-8d8c-0f0b6c1f6b2a"};
    for (int i = 0; i < 2; ++i) {
      (void)cache_->GetOrFetch(key, {}, [] {
        cache::v1::File file;
        file.set_uuid("3e5b1d5a-6c5f-4e2b-8d8c-0f0b6c1f6b2a");
        file.set_is_ready(true);  // only ready files are cached
        return absl::StatusOr<cache::v1::File>(file);
      });
    }
    gateway_->SetFileInfoCacheSource(
        [cache = cache_] { return cache->Stats(); });
  }

  MetricsRegistry registry_;
  std::shared_ptr<GrpcServerMetrics> grpc_;
  std::unique_ptr<GatewayMetrics> gateway_;
  std::shared_ptr<cache::FileInfoCache> cache_;
  InFlight transfer_, stream_, watch_, job_;
};

TEST_F(EveryFamily, PassesPromtool) {
  EXPECT_THAT(PromtoolCheckMetrics(registry_.TextExposition()), IsOk());
}

TEST_F(EveryFamily, HistogramsAndSeriesWellFormed) {
  const Exposition exposition = Scrape(registry_);
  EXPECT_THAT(CheckExpositionInvariants(exposition), IsOk());
  EXPECT_EQ(exposition.types.at("grpc_server_handling_seconds"), "histogram");
  EXPECT_EQ(exposition.types.at("ucgate_upstream_request_duration_seconds"),
            "histogram");
}

TEST_F(EveryFamily, GrpcServerFamiliesCountCalls) {
  const Exposition exposition = Scrape(registry_);
  const testing::Labels get_file = {{"grpc_type", "unary"},
                                    {"grpc_service", kFileService},
                                    {"grpc_method", "GetFile"}};
  const auto with_code = [&](const char* code) {
    testing::Labels labels = get_file;
    labels["grpc_code"] = code;
    return labels;
  };
  EXPECT_THAT(exposition.Value("grpc_server_started_total", get_file),
              Optional(2.0));
  EXPECT_THAT(exposition.Value("grpc_server_handled_total", with_code("OK")),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_handled_total",
                               with_code("InvalidArgument")),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_msg_received_total", get_file),
              Optional(2.0));
  EXPECT_THAT(exposition.Value("grpc_server_msg_sent_total", get_file),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("grpc_server_handling_seconds_count", get_file),
              Optional(2.0));
  testing::Labels fast_bucket = get_file;
  fast_bucket["le"] = "0.005";
  EXPECT_THAT(
      exposition.Value("grpc_server_handling_seconds_bucket", fast_bucket),
      Optional(2.0));

  const testing::Labels stream = {{"grpc_type", "server_stream"},
                                  {"grpc_service", kFileService},
                                  {"grpc_method", "StreamFiles"}};
  EXPECT_THAT(exposition.Value("grpc_server_msg_sent_total", stream),
              Optional(3.0));
  testing::Labels ten_seconds = stream;
  ten_seconds["le"] = "10";
  EXPECT_THAT(
      exposition.Value("grpc_server_handling_seconds_bucket", ten_seconds),
      Optional(0.0));
  EXPECT_THAT(exposition.Value("grpc_server_handling_seconds_sum", stream),
              Optional(12.0));
  EXPECT_THAT(exposition.Value("ucgate_grpc_unknown_method_calls_total"),
              Optional(1.0));
  // Every method of the named services has its series from the start.
  EXPECT_THAT(exposition.Value("grpc_server_started_total",
                               {{"grpc_type", "server_stream"},
                                {"grpc_service", "grpc.health.v1.Health"},
                                {"grpc_method", "Watch"}}),
              Optional(0.0));
}

TEST_F(EveryFamily, GatewayFamiliesCountWhatWasRecorded) {
  const Exposition exposition = Scrape(registry_);
  const auto requests = [&](const char* project, const char* operation,
                            const char* status_class) {
    return exposition.Value("ucgate_upstream_requests_total",
                            {{"project", project},
                             {"operation", operation},
                             {"status_class", status_class}});
  };
  EXPECT_THAT(requests("demo", "GetFile", "2xx"), Optional(1.0));
  EXPECT_THAT(requests("demo", "GetFile", "5xx"), Optional(1.0));
  EXPECT_THAT(requests("demo", "GetFile", "error"), Optional(1.0));
  EXPECT_THAT(requests("prod", "BatchStoreFiles", "4xx"), Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_request_duration_seconds_count",
                               {{"project", "demo"}, {"operation", "GetFile"}}),
              Optional(3.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_retries_total",
                               {{"project", "demo"}, {"reason", "connection"}}),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_retries_total",
                               {{"project", "prod"}, {"reason", "throttled"}}),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_throttled_total",
                               {{"project", "prod"}}),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_throttle_hold_seconds_sum",
                               {{"project", "prod"}}),
              Optional(2.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_transfers_in_flight"),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_upstream_connections"), Optional(4.0));
  EXPECT_THAT(exposition.Value("ucgate_streams_active", {{"kind", "listing"}}),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_streams_active", {{"kind", "watch"}}),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_watched_jobs", {{"kind", "conversion"}}),
              Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_watched_jobs", {{"kind", "addon"}}),
              Optional(0.0));
  EXPECT_THAT(exposition.Value("ucgate_watched_job_upstream_polls_sum",
                               {{"kind", "conversion"}}),
              Optional(7.0));
  EXPECT_THAT(
      exposition.Value("ucgate_batch_chunks_total",
                       {{"operation", "BatchStoreFiles"}, {"result", "error"}}),
      Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_credential_reloads_total",
                               {{"project", "demo"}, {"result", "success"}}),
              Optional(1.0));
  EXPECT_THAT(
      exposition.Value("ucgate_config_reloads_total", {{"result", "failure"}}),
      Optional(1.0));
  EXPECT_THAT(
      exposition.Value("ucgate_config_reloads_total", {{"result", "success"}}),
      Optional(0.0));
  EXPECT_THAT(
      exposition.Value("ucgate_caller_calls_total",
                       {{"caller", "billing"}, {"grpc_code", "NotFound"}}),
      Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_cache_hits_total"), Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_cache_misses_total"), Optional(1.0));
  EXPECT_THAT(exposition.Value("ucgate_cache_entries"), Optional(1.0));
  EXPECT_GT(exposition.Value("ucgate_cache_bytes").value_or(0), 0);
  EXPECT_THAT(exposition.Value("ucgate_build_info",
                               {{"version", "0.1.0"},
                                {"revision", "abc123"},
                                {"grpc_version", grpc::Version()}}),
              Optional(1.0));
}

TEST_F(EveryFamily, ScrapeTimeValuesAreReadAtEachScrape) {
  cache::FileInfoKey key{"demo", "3e5b1d5a-6c5f-4e2b-8d8c-0f0b6c1f6b2a"};
  EXPECT_NE(cache_->GetIfFresh(key), nullptr);  // a second hit
  EXPECT_THAT(Scrape(registry_).Value("ucgate_cache_hits_total"),
              Optional(2.0));
}

TEST_F(EveryFamily, InFlightGaugesFollowTheirScopes) {
  {
    InFlight second = gateway_->TrackUpstreamTransfer();
    InFlight moved = std::move(second);
    EXPECT_THAT(Scrape(registry_).Value("ucgate_upstream_transfers_in_flight"),
                Optional(2.0));
  }
  transfer_ = InFlight();
  stream_ = InFlight();
  const Exposition exposition = Scrape(registry_);
  EXPECT_THAT(exposition.Value("ucgate_upstream_transfers_in_flight"),
              Optional(0.0));
  EXPECT_THAT(exposition.Value("ucgate_streams_active", {{"kind", "listing"}}),
              Optional(0.0));
}

TEST(GrpcCodeLabel, SpelledAsGoGrpcPrometheus) {
  std::vector<std::string> labels;
  for (int code = 0; code <= 16; ++code) {
    labels.emplace_back(GrpcCodeLabel(static_cast<grpc::StatusCode>(code)));
  }
  EXPECT_THAT(
      labels,
      ElementsAre("OK", "Canceled", "Unknown", "InvalidArgument",
                  "DeadlineExceeded", "NotFound", "AlreadyExists",
                  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
                  "Aborted", "OutOfRange", "Unimplemented", "Internal",
                  "Unavailable", "DataLoss", "Unauthenticated"));
  EXPECT_EQ(GrpcCodeLabel(static_cast<grpc::StatusCode>(42)), "Unknown");
}

TEST(GrpcServerMetrics, UnknownServiceIsAnError) {
  MetricsRegistry registry;
  EXPECT_THAT(GrpcServerMetrics::Create(registry, {"no.such.Service"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no.such.Service")));
}

TEST(GrpcServerMetrics, FindsOnlyMethodsOfTheNamedServices) {
  MetricsRegistry registry;
  auto metrics = *GrpcServerMetrics::Create(registry, {kFileService});
  ASSERT_NE(metrics->Find(kGetFile), nullptr);
  EXPECT_EQ(metrics->Find(kGetFile)->type(), "unary");
  EXPECT_EQ(metrics->Find(kStreamFiles)->type(), "server_stream");
  EXPECT_EQ(metrics->Find(kGetFile)->full_name(),
            "uploadcare.gateway.v1.FileService/GetFile");
  EXPECT_EQ(metrics->Find("/grpc.health.v1.Health/Check"), nullptr);
  EXPECT_EQ(metrics->Find("/uploadcare.gateway.v1.FileService/Nope"), nullptr);
  EXPECT_EQ(metrics->Find("uploadcare.gateway.v1.FileService/GetFile"),
            nullptr);
}

TEST(HttpStatusClass, ClassesAndNoAnswer) {
  EXPECT_EQ(HttpStatusClass(200), "2xx");
  EXPECT_EQ(HttpStatusClass(204), "2xx");
  EXPECT_EQ(HttpStatusClass(301), "3xx");
  EXPECT_EQ(HttpStatusClass(404), "4xx");
  EXPECT_EQ(HttpStatusClass(429), "4xx");
  EXPECT_EQ(HttpStatusClass(599), "5xx");
  EXPECT_EQ(HttpStatusClass(0), "error");
  EXPECT_EQ(HttpStatusClass(100), "error");
  EXPECT_EQ(HttpStatusClass(600), "error");
}

// The checks are not vacuous: each catches the fault it is for, and promtool
// itself misses the first three.
TEST(ExpositionChecks, CatchWhatPromtoolMisses) {
  const std::string header = "# HELP h_seconds x\n# TYPE h_seconds histogram\n";
  const std::string decreasing = header +
                                 "h_seconds_bucket{le=\"1\"} 5\n"
                                 "h_seconds_bucket{le=\"2\"} 4\n"
                                 "h_seconds_bucket{le=\"+Inf\"} 5\n"
                                 "h_seconds_sum 3\nh_seconds_count 5\n";
  const std::string inf_not_count = header +
                                    "h_seconds_bucket{le=\"1\"} 1\n"
                                    "h_seconds_bucket{le=\"+Inf\"} 2\n"
                                    "h_seconds_sum 3\nh_seconds_count 3\n";
  const std::string bounds_out_of_order =
      header +
      "h_seconds_bucket{le=\"2\"} 1\n"
      "h_seconds_bucket{le=\"1\"} 1\n"
      "h_seconds_bucket{le=\"+Inf\"} 1\n"
      "h_seconds_sum 3\nh_seconds_count 1\n";
  const std::string twice =
      "# HELP c_total x\n# TYPE c_total counter\n"
      "c_total{a=\"1\"} 1\nc_total{a=\"1\"} 2\n";
  for (const std::string* text :
       {&decreasing, &inf_not_count, &bounds_out_of_order, &twice}) {
    absl::StatusOr<Exposition> exposition = ParseExposition(*text);
    ASSERT_THAT(exposition.status(), IsOk());
    EXPECT_THAT(CheckExpositionInvariants(*exposition),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("")))
        << *text;
  }
  EXPECT_THAT(PromtoolCheckMetrics(decreasing), IsOk());
  EXPECT_THAT(PromtoolCheckMetrics(inf_not_count), IsOk());
}

TEST(ExpositionChecks, PromtoolRejectsALintFailure) {
  EXPECT_THAT(
      PromtoolCheckMetrics("# HELP requests x\n# TYPE requests counter\n"
                           "requests 1\n"),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("_total")));
}

}  // namespace
}  // namespace ucgate::observability
