#include "service/upstream/stack/metrics_recording.h"

namespace ucgate::upstream {

observability::RetryReason RetryReasonOf(const absl::Status& cause) {
  const int http_status = http::HttpStatusOf(cause);
  if (http_status == 429) return observability::RetryReason::kThrottled;
  if (http_status >= 500 && http_status <= 599) {
    return observability::RetryReason::kServerError;
  }
  if (http_status != 0) return observability::RetryReason::kOther;
  switch (cause.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return observability::RetryReason::kTimeout;
    case absl::StatusCode::kUnavailable:
      return observability::RetryReason::kConnection;
    default:
      return observability::RetryReason::kOther;
  }
}

RetryObserver MetricsRetryObserver(
    std::shared_ptr<observability::GatewayMetrics> metrics,
    std::string project_name) {
  return [metrics = std::move(metrics), project_name = std::move(project_name)](
             const absl::Status& cause, absl::Duration delay,
             bool upstream_asked) {
    metrics->RecordRetry(project_name, RetryReasonOf(cause));
    if (upstream_asked) metrics->RecordThrottleHold(project_name, delay);
  };
}

}  // namespace ucgate::upstream
