// The metrics layer and the retry observer against a mock of the layer
// below: each attempt counted by HTTP status class (from the error's
// ErrorInfo, "error" when no answer came), 429s as throttling, retries by
// reason, Retry-After waits as throttle hold, and the attempt noted on the
// caller's call observation.
#include "service/upstream/stack/metrics_recording.h"

#include <memory>
#include <vector>

#include "absl/random/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/observability/server_interceptor.h"
#include "service/observability/trace_context.h"
#include "tests/observability/exposition_checks.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::Return;
using ::ucgate::testing::MockFileOperations;

absl::Status UpstreamError(int http_status,
                           std::optional<int> retry_after = std::nullopt) {
  http::HttpResponse response;
  response.status_code = http_status;
  response.body = R"({"detail":"no"})";
  if (retry_after) {
    response.headers.push_back({"retry-after", absl::StrCat(*retry_after)});
  }
  return http::StatusFromHttpResponse(response, absl::FromUnixSeconds(1000));
}

class MetricsRecordingTest : public ::testing::Test {
 protected:
  MetricsRecordingTest()
      : mock_(std::make_shared<::testing::StrictMock<MockFileOperations>>()),
        clock_(std::make_shared<ManualClock>(absl::FromUnixSeconds(1000))) {
    observability::GatewayMetricsOptions options;
    options.projects = {"main"};
    options.operations = {"GetFile"};
    metrics_ =
        std::make_shared<observability::GatewayMetrics>(registry_, options);
    RetryOptions retry;
    retry.max_attempts = 3;
    stack_ = MakeRetrying<FileOperations>(
        MakeMetricsRecording<FileOperations>(mock_, metrics_, "main", clock_),
        retry, clock_,
        [this](absl::Duration delay, const Cancellation*) {
          clock_->Advance(delay);
        },
        [] { return 0.0; }, MetricsRetryObserver(metrics_, "main"));
  }

  double Value(absl::string_view name, const testing::Labels& labels) {
    auto exposition = testing::ParseExposition(registry_.TextExposition());
    EXPECT_THAT(exposition.status(), IsOk());
    return exposition->Value(name, labels).value_or(0);
  }

  observability::MetricsRegistry registry_;
  std::shared_ptr<observability::GatewayMetrics> metrics_;
  std::shared_ptr<::testing::StrictMock<MockFileOperations>> mock_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<FileOperations> stack_;
};

TEST_F(MetricsRecordingTest, CountsEveryAttemptByStatusClassAndRetryReason) {
  absl::BitGen random;
  CallContext context;
  context.observation = std::make_shared<observability::CallObservation>(
      observability::StartCallTrace({}, random));
  EXPECT_CALL(*mock_, GetFile)
      .WillOnce(Return(UpstreamError(503, /*retry_after=*/2)))
      .WillOnce(Return(absl::UnavailableError("connection reset")))
      .WillOnce(Return(v1::GetFileResponse()));
  ASSERT_THAT(stack_->GetFile(context, {}).status(), IsOk());

  const testing::Labels get_file = {{"project", "main"},
                                    {"operation", "GetFile"}};
  auto with_class = [&](const char* status_class) {
    testing::Labels labels = get_file;
    labels["status_class"] = status_class;
    return labels;
  };
  EXPECT_EQ(Value("ucgate_upstream_requests_total", with_class("5xx")), 1);
  EXPECT_EQ(Value("ucgate_upstream_requests_total", with_class("error")), 1);
  EXPECT_EQ(Value("ucgate_upstream_requests_total", with_class("2xx")), 1);
  EXPECT_EQ(Value("ucgate_upstream_request_duration_seconds_count", get_file),
            3);
  EXPECT_EQ(Value("ucgate_upstream_retries_total",
                  {{"project", "main"}, {"reason", "server_error"}}),
            1);
  EXPECT_EQ(Value("ucgate_upstream_retries_total",
                  {{"project", "main"}, {"reason", "connection"}}),
            1);
  // The upstream's Retry-After (2 s, above the backoff) held the call.
  EXPECT_EQ(Value("ucgate_upstream_throttle_hold_seconds_count",
                  {{"project", "main"}}),
            1);
  EXPECT_EQ(
      Value("ucgate_upstream_throttle_hold_seconds_sum", {{"project", "main"}}),
      2);
  EXPECT_EQ(Value("ucgate_upstream_transfers_in_flight", {}), 0);
  EXPECT_EQ(context.observation->upstream_attempts(), 3);
}

TEST_F(MetricsRecordingTest, ThrottlingIsCountedAndNotRetried) {
  EXPECT_CALL(*mock_, GetFile).WillOnce(Return(UpstreamError(429)));
  EXPECT_THAT(stack_->GetFile({}, {}).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, ::testing::_));
  EXPECT_EQ(Value("ucgate_upstream_throttled_total", {{"project", "main"}}), 1);
  EXPECT_EQ(Value("ucgate_upstream_requests_total", {{"project", "main"},
                                                     {"operation", "GetFile"},
                                                     {"status_class", "4xx"}}),
            1);
}

TEST(RetryReasonTest, ReadsTheCause) {
  EXPECT_EQ(RetryReasonOf(UpstreamError(429)),
            observability::RetryReason::kThrottled);
  EXPECT_EQ(RetryReasonOf(UpstreamError(502)),
            observability::RetryReason::kServerError);
  EXPECT_EQ(RetryReasonOf(absl::UnavailableError("reset")),
            observability::RetryReason::kConnection);
  EXPECT_EQ(RetryReasonOf(absl::DeadlineExceededError("slow")),
            observability::RetryReason::kTimeout);
  EXPECT_EQ(RetryReasonOf(UpstreamError(409)),
            observability::RetryReason::kOther);
  EXPECT_EQ(http::HttpStatusOf(UpstreamError(404)), 404);
  EXPECT_EQ(http::HttpStatusOf(absl::UnavailableError("reset")), 0);
}

}  // namespace
}  // namespace ucgate::upstream
