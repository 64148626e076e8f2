// The gateway's own metrics (prefix ucgate_), as an API the upstream stack,
// the stream runners, the configuration loader and the interceptor call.
// Every label is bounded: projects, callers and operations only take the
// names given here (from the configuration and the operation lists); any
// other string reads "other". Everything else is an enum of this file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "service/cache/file_info_cache.h"
#include "service/observability/metrics_registry.h"

namespace ucgate::observability {

// The label value of every name outside an allowlist.
inline constexpr char kOtherLabel[] = "other";

// The names a label may take; others resolve to "other". Replaceable (a
// configuration reload adds projects and callers). Thread-safe.
class LabelAllowlist {
 public:
  explicit LabelAllowlist(const std::vector<std::string>& names = {});
  void Replace(const std::vector<std::string>& names);
  // `name` when allowed, else "other".
  std::string Resolve(absl::string_view name) const;

 private:
  mutable absl::Mutex mutex_;
  absl::flat_hash_set<std::string> names_ ABSL_GUARDED_BY(mutex_);
};

// "2xx", "3xx", "4xx", "5xx", or "error" when no HTTP answer came (0) or
// the status is outside 200..599.
absl::string_view HttpStatusClass(int http_status);

// Why an upstream call was tried again.
enum class RetryReason {
  kThrottled,    // 429
  kServerError,  // 5xx
  kConnection,   // no answer: connect, reset, TLS
  kTimeout,      // the attempt's time ran out
  kOther,
};
enum class ReloadResult { kSuccess, kFailure };
// Caller-facing streams: listings (StreamFiles, ...) and job watches.
enum class StreamKind { kListing, kWatch };
// Jobs the gateway polls upstream on watchers' behalf.
enum class WatchedJobKind { kConversion, kAddon };

struct BuildInfo {
  std::string version;   // e.g. "0.1.0" (CMake's PROJECT_VERSION)
  std::string revision;  // the source revision, empty when unknown
};

struct GatewayMetricsOptions {
  std::vector<std::string> projects;    // configured project names
  std::vector<std::string> callers;     // configured caller names
  std::vector<std::string> operations;  // upstream operation names
  BuildInfo build;
  std::vector<double> upstream_seconds_buckets = {
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  std::vector<double> throttle_hold_seconds_buckets = {0.1, 0.25, 0.5, 1, 2,
                                                       5,   10,   30,  60};
  std::vector<double> polls_per_job_buckets = {1,  2,  3,   5,   10,
                                               20, 50, 100, 200, 500};
};

// A gauge one higher while this lives (movable; empty when default-made).
class InFlight {
 public:
  InFlight() = default;
  explicit InFlight(prometheus::Gauge* gauge);
  InFlight(InFlight&& other) noexcept;
  InFlight& operator=(InFlight&& other) noexcept;
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight();

 private:
  prometheus::Gauge* gauge_ = nullptr;
};

// The listing streams' memory (gateway::StreamMemoryBudget), read at scrape
// time.
struct StreamMemoryStats {
  int64_t held_bytes = 0;
  int64_t budget_bytes = 0;  // 0: unbounded
  int64_t refused = 0;
};

class GatewayMetrics {
 public:
  GatewayMetrics(MetricsRegistry& registry, GatewayMetricsOptions options);

  // After a configuration reload: the project and caller names labels may
  // take from now on (series of names dropped stay, frozen).
  void SetConfiguredNames(const std::vector<std::string>& projects,
                          const std::vector<std::string>& callers);

  // Upstream. One HTTP attempt ended: `http_status` is its answer's status,
  // 0 when none came (connection failure, timeout, cancellation).
  void RecordUpstreamRequest(absl::string_view project,
                             absl::string_view operation, int http_status,
                             absl::Duration latency);
  void RecordRetry(absl::string_view project, RetryReason reason);
  // A 429 answer.
  void RecordThrottled(absl::string_view project);
  // How long a call was held back by throttling (Retry-After, rate limits).
  void RecordThrottleHold(absl::string_view project, absl::Duration held);
  // ucgate_upstream_transfers_in_flight while the result lives.
  InFlight TrackUpstreamTransfer();
  // Read at scrape time: the transport's open connections (the
  // ucgate_upstream_connections gauge appears once a source is set).
  void SetUpstreamConnectionsSource(std::function<int64_t()> source);

  // The file-info cache's counters, read at scrape time (the ucgate_cache_*
  // families appear once a source is set).
  void SetFileInfoCacheSource(
      std::function<cache::FileInfoCacheStats()> source);

  // Streams and watches.
  InFlight TrackStream(StreamKind kind);
  // ucgate_stream_memory_bytes, _budget_bytes and _refusals_total, read at
  // scrape time once a source is set.
  void SetStreamMemorySource(std::function<StreamMemoryStats()> source);
  InFlight TrackWatchedJob(WatchedJobKind kind);
  // A job stopped being watched after `polls` upstream polls.
  void RecordWatchedJobPolls(WatchedJobKind kind, int64_t polls);

  // One chunk of a batch call sent upstream.
  void RecordBatchChunk(absl::string_view operation, bool ok);

  // Reloads.
  void RecordCredentialReload(absl::string_view project, ReloadResult result);
  void RecordConfigReload(ReloadResult result);

  // A gRPC call finished for an authenticated caller (the interceptor).
  void RecordCallerCall(absl::string_view caller, grpc::StatusCode code);

 private:
  class ScrapeTimeSource;

  LabelAllowlist projects_;
  LabelAllowlist callers_;
  LabelAllowlist operations_;
  GatewayMetricsOptions options_;

  prometheus::Family<prometheus::Counter>& upstream_requests_;
  prometheus::Family<prometheus::Histogram>& upstream_seconds_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& throttled_;
  prometheus::Family<prometheus::Histogram>& throttle_hold_;
  prometheus::Gauge& transfers_in_flight_;
  prometheus::Family<prometheus::Gauge>& streams_active_;
  prometheus::Family<prometheus::Gauge>& watched_jobs_;
  prometheus::Family<prometheus::Histogram>& polls_per_job_;
  prometheus::Family<prometheus::Counter>& batch_chunks_;
  prometheus::Family<prometheus::Counter>& credential_reloads_;
  prometheus::Family<prometheus::Counter>& config_reloads_;
  prometheus::Family<prometheus::Counter>& caller_calls_;
  std::shared_ptr<ScrapeTimeSource> scrape_time_;
};

}  // namespace ucgate::observability
