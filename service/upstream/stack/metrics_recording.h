// The metrics layer of the stack, beside logging (inside the retries, so
// every attempt counts): ucgate_upstream_requests_total and
// ucgate_upstream_request_seconds by project, operation and HTTP status
// class, 429s as throttling, transfers in flight, and the attempt noted on
// the caller's call (its log line's upstream_attempts). Also the retry
// layer's observer: retries by reason, and the time Retry-After held calls.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/common/clock.h"
#include "service/observability/gateway_metrics.h"
#include "service/observability/server_interceptor.h"
#include "service/upstream/http/upstream_error.h"
#include "service/upstream/stack/retrying.h"
#include "service/upstream/stack/wrapping.h"

namespace ucgate::upstream {

class MetricsRunner {
 public:
  MetricsRunner(std::shared_ptr<observability::GatewayMetrics> metrics,
                std::string project_name, std::shared_ptr<const Clock> clock)
      : metrics_(std::move(metrics)),
        project_name_(std::move(project_name)),
        clock_(std::move(clock)) {}

  template <typename Request, typename Call>
  auto operator()(const CallContext& context, const Request&, Call call) const
      -> decltype(call()) {
    constexpr const char* kName = api::RpcOf<Request>::kTraits.method;
    if (context.observation) context.observation->AddUpstreamAttempt();
    const absl::Time start = clock_->Now();
    auto result = [&] {
      observability::InFlight transfer = metrics_->TrackUpstreamTransfer();
      return call();
    }();
    // A 2xx answer's exact status is not kept past the REST stub; its class
    // is all the metric shows.
    const int http_status =
        result.ok() ? 200 : http::HttpStatusOf(result.status());
    metrics_->RecordUpstreamRequest(project_name_, kName, http_status,
                                    clock_->Now() - start);
    if (http_status == 429) metrics_->RecordThrottled(project_name_);
    return result;
  }

 private:
  std::shared_ptr<observability::GatewayMetrics> metrics_;
  std::string project_name_;
  std::shared_ptr<const Clock> clock_;
};

template <typename Interface>
std::unique_ptr<Interface> MakeMetricsRecording(
    std::shared_ptr<Interface> child,
    std::shared_ptr<observability::GatewayMetrics> metrics,
    std::string project_name, std::shared_ptr<const Clock> clock) {
  return std::make_unique<Wrapped<Interface, MetricsRunner>>(
      std::move(child),
      MetricsRunner(std::move(metrics), std::move(project_name),
                    std::move(clock)));
}

// Why an attempt that failed with `cause` is tried again.
observability::RetryReason RetryReasonOf(const absl::Status& cause);

// The retry layer's observer feeding `metrics` for `project_name`.
RetryObserver MetricsRetryObserver(
    std::shared_ptr<observability::GatewayMetrics> metrics,
    std::string project_name);

}  // namespace ucgate::upstream
