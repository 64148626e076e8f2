#include "service/observability/gateway_metrics.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "service/observability/grpc_server_metrics.h"

namespace ucgate::observability {
namespace {

prometheus::Family<prometheus::Counter>& Counter(MetricsRegistry& registry,
                                                 const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(
      registry.registry());
}

prometheus::Family<prometheus::Gauge>& Gauge(MetricsRegistry& registry,
                                             const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(
      registry.registry());
}

prometheus::Family<prometheus::Histogram>& Histogram(MetricsRegistry& registry,
                                                     const char* name,
                                                     const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(
      registry.registry());
}

const char* RetryReasonLabel(RetryReason reason) {
  switch (reason) {
    case RetryReason::kThrottled:
      return "throttled";
    case RetryReason::kServerError:
      return "server_error";
    case RetryReason::kConnection:
      return "connection";
    case RetryReason::kTimeout:
      return "timeout";
    case RetryReason::kOther:
      return "other";
  }
  return "other";
}

const char* ResultLabel(ReloadResult result) {
  return result == ReloadResult::kSuccess ? "success" : "failure";
}

const char* StreamKindLabel(StreamKind kind) {
  return kind == StreamKind::kListing ? "listing" : "watch";
}

const char* JobKindLabel(WatchedJobKind kind) {
  return kind == WatchedJobKind::kConversion ? "conversion" : "addon";
}

}  // namespace

LabelAllowlist::LabelAllowlist(const std::vector<std::string>& names) {
  Replace(names);
}

void LabelAllowlist::Replace(const std::vector<std::string>& names) {
  absl::flat_hash_set<std::string> replacement(names.begin(), names.end());
  // "other" stands for every name outside the list; a configured name
  // "other" would be indistinguishable from them, so it is one of them.
  replacement.erase(kOtherLabel);
  absl::MutexLock lock(&mutex_);
  names_ = std::move(replacement);
}

std::string LabelAllowlist::Resolve(absl::string_view name) const {
  absl::MutexLock lock(&mutex_);
  return names_.contains(name) ? std::string(name) : kOtherLabel;
}

absl::string_view HttpStatusClass(int http_status) {
  if (http_status >= 200 && http_status < 300) return "2xx";
  if (http_status >= 300 && http_status < 400) return "3xx";
  if (http_status >= 400 && http_status < 500) return "4xx";
  if (http_status >= 500 && http_status < 600) return "5xx";
  return "error";
}

InFlight::InFlight(prometheus::Gauge* gauge) : gauge_(gauge) {
  if (gauge_ != nullptr) gauge_->Increment();
}

InFlight::InFlight(InFlight&& other) noexcept
    : gauge_(std::exchange(other.gauge_, nullptr)) {}

InFlight& InFlight::operator=(InFlight&& other) noexcept {
  if (this != &other) {
    if (gauge_ != nullptr) gauge_->Decrement();
    gauge_ = std::exchange(other.gauge_, nullptr);
  }
  return *this;
}

InFlight::~InFlight() {
  if (gauge_ != nullptr) gauge_->Decrement();
}

// Values other components keep, read at each scrape: the file-info cache's
// counters and the transport's open connections.
class GatewayMetrics::ScrapeTimeSource final : public prometheus::Collectable {
 public:
  void SetCache(std::function<cache::FileInfoCacheStats()> source) {
    absl::MutexLock lock(&mutex_);
    cache_ = std::move(source);
  }
  void SetConnections(std::function<int64_t()> source) {
    absl::MutexLock lock(&mutex_);
    connections_ = std::move(source);
  }
  void SetStreamMemory(std::function<StreamMemoryStats()> source) {
    absl::MutexLock lock(&mutex_);
    stream_memory_ = std::move(source);
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::function<cache::FileInfoCacheStats()> cache;
    std::function<int64_t()> connections;
    std::function<StreamMemoryStats()> stream_memory;
    {
      absl::MutexLock lock(&mutex_);
      cache = cache_;
      connections = connections_;
      stream_memory = stream_memory_;
    }
    std::vector<prometheus::MetricFamily> families;
    using prometheus::MetricType;
    if (cache) {
      const cache::FileInfoCacheStats stats = cache();
      const auto add = [&](const char* name, const char* help, MetricType type,
                           double value) {
        families.push_back(SingleValueFamily(name, help, type, value));
      };
      add("ucgate_cache_hits_total", "File-info cache lookups answered.",
          MetricType::Counter, stats.hits);
      add("ucgate_cache_misses_total",
          "File-info cache lookups fetched upstream.", MetricType::Counter,
          stats.misses);
      add("ucgate_cache_evictions_total",
          "File-info cache entries dropped to stay within the byte budget.",
          MetricType::Counter, stats.evictions);
      add("ucgate_cache_expirations_total",
          "File-info cache entries found past their TTL.", MetricType::Counter,
          stats.expirations);
      add("ucgate_cache_invalidations_total",
          "Files dropped from the file-info cache by mutations through the "
          "gateway.",
          MetricType::Counter, stats.invalidations);
      add("ucgate_cache_single_flight_joins_total",
          "File-info cache misses that waited for another caller's fetch.",
          MetricType::Counter, stats.single_flight_joins);
      add("ucgate_cache_bytes", "Bytes held by the file-info cache.",
          MetricType::Gauge, static_cast<double>(stats.bytes));
      add("ucgate_cache_entries", "Entries in the file-info cache.",
          MetricType::Gauge, static_cast<double>(stats.entries));
    }
    if (connections) {
      families.push_back(SingleValueFamily(
          "ucgate_upstream_connections",
          "Connections to the upstream held open by the transport.",
          MetricType::Gauge, static_cast<double>(connections())));
    }
    if (stream_memory) {
      const StreamMemoryStats stats = stream_memory();
      families.push_back(SingleValueFamily(
          "ucgate_stream_memory_bytes",
          "Bytes listing streams hold in upstream pages (reserved).",
          MetricType::Gauge, static_cast<double>(stats.held_bytes)));
      families.push_back(SingleValueFamily(
          "ucgate_stream_memory_budget_bytes",
          "streams.memory_budget_bytes (0: unbounded).", MetricType::Gauge,
          static_cast<double>(stats.budget_bytes)));
      families.push_back(SingleValueFamily(
          "ucgate_stream_memory_refusals_total",
          "Streams refused, or ended, for want of stream memory.",
          MetricType::Counter, static_cast<double>(stats.refused)));
    }
    return families;
  }

 private:
  mutable absl::Mutex mutex_;
  std::function<cache::FileInfoCacheStats()> cache_ ABSL_GUARDED_BY(mutex_);
  std::function<int64_t()> connections_ ABSL_GUARDED_BY(mutex_);
  std::function<StreamMemoryStats()> stream_memory_ ABSL_GUARDED_BY(mutex_);
};

GatewayMetrics::GatewayMetrics(MetricsRegistry& registry,
                               GatewayMetricsOptions options)
    : projects_(options.projects),
      callers_(options.callers),
      operations_(options.operations),
      options_(std::move(options)),
      upstream_requests_(Counter(
          registry, "ucgate_upstream_requests_total",
          "HTTP requests to the upstream REST API (each attempt), by "
          "project, operation and HTTP status class (error: no answer).")),
      upstream_seconds_(Histogram(
          registry, "ucgate_upstream_request_duration_seconds",
          "Time of each upstream HTTP request, by project and operation.")),
      retries_(Counter(registry, "ucgate_upstream_retries_total",
                       "Upstream requests tried again, by project and "
                       "reason.")),
      throttled_(Counter(registry, "ucgate_upstream_throttled_total",
                         "Upstream answers 429 (throttled), by project.")),
      throttle_hold_(Histogram(
          registry, "ucgate_upstream_throttle_hold_seconds",
          "Time calls were held back by upstream throttling, by project.")),
      transfers_in_flight_(Gauge(registry,
                                 "ucgate_upstream_transfers_in_flight",
                                 "Upstream HTTP transfers under way.")
                               .Add({})),
      streams_active_(Gauge(registry, "ucgate_streams_active",
                            "Caller streams open, by kind (listing, watch).")),
      watched_jobs_(Gauge(registry, "ucgate_watched_jobs",
                          "Jobs polled upstream on watchers' behalf, by "
                          "kind.")),
      polls_per_job_(Histogram(
          registry, "ucgate_watched_job_upstream_polls",
          "Upstream polls made for one watched job, observed when the job "
          "stops being watched.")),
      batch_chunks_(Counter(registry, "ucgate_batch_chunks_total",
                            "Chunks of batch calls sent upstream, by "
                            "operation and result.")),
      credential_reloads_(Counter(
          registry, "ucgate_credential_reloads_total",
          "Reloads of a project's credentials, by project and result.")),
      config_reloads_(Counter(registry, "ucgate_config_reloads_total",
                              "Configuration reloads, by result.")),
      caller_calls_(
          Counter(registry, "ucgate_caller_calls_total",
                  "gRPC calls of authenticated callers, by caller and code.")),
      scrape_time_(std::make_shared<ScrapeTimeSource>()) {
  Gauge(registry, "ucgate_build_info",
        "Always 1; the labels say which build is running.")
      .Add({{"version", options_.build.version},
            {"revision", options_.build.revision},
            {"grpc_version", grpc::Version()}})
      .Set(1);
  // The kinds are few and known: their series exist from the start.
  for (StreamKind kind : {StreamKind::kListing, StreamKind::kWatch}) {
    streams_active_.Add({{"kind", StreamKindLabel(kind)}});
  }
  for (WatchedJobKind kind :
       {WatchedJobKind::kConversion, WatchedJobKind::kAddon}) {
    watched_jobs_.Add({{"kind", JobKindLabel(kind)}});
  }
  for (ReloadResult result : {ReloadResult::kSuccess, ReloadResult::kFailure}) {
    config_reloads_.Add({{"result", ResultLabel(result)}});
  }
  registry.AddCollectable(scrape_time_);
}

void GatewayMetrics::SetConfiguredNames(
    const std::vector<std::string>& projects,
    const std::vector<std::string>& callers) {
  projects_.Replace(projects);
  callers_.Replace(callers);
}

void GatewayMetrics::RecordUpstreamRequest(absl::string_view project,
                                           absl::string_view operation,
                                           int http_status,
                                           absl::Duration latency) {
  std::string project_label = projects_.Resolve(project);
  std::string operation_label = operations_.Resolve(operation);
  upstream_requests_
      .Add({{"project", project_label},
            {"operation", operation_label},
            {"status_class", std::string(HttpStatusClass(http_status))}})
      .Increment();
  upstream_seconds_
      .Add({{"project", std::move(project_label)},
            {"operation", std::move(operation_label)}},
           options_.upstream_seconds_buckets)
      .Observe(absl::ToDoubleSeconds(latency));
}

void GatewayMetrics::RecordRetry(absl::string_view project,
                                 RetryReason reason) {
  retries_
      .Add({{"project", projects_.Resolve(project)},
            {"reason", RetryReasonLabel(reason)}})
      .Increment();
}

void GatewayMetrics::RecordThrottled(absl::string_view project) {
  throttled_.Add({{"project", projects_.Resolve(project)}}).Increment();
}

void GatewayMetrics::RecordThrottleHold(absl::string_view project,
                                        absl::Duration held) {
  throttle_hold_
      .Add({{"project", projects_.Resolve(project)}},
           options_.throttle_hold_seconds_buckets)
      .Observe(absl::ToDoubleSeconds(held));
}

InFlight GatewayMetrics::TrackUpstreamTransfer() {
  return InFlight(&transfers_in_flight_);
}

void GatewayMetrics::SetUpstreamConnectionsSource(
    std::function<int64_t()> source) {
  scrape_time_->SetConnections(std::move(source));
}

void GatewayMetrics::SetFileInfoCacheSource(
    std::function<cache::FileInfoCacheStats()> source) {
  scrape_time_->SetCache(std::move(source));
}

void GatewayMetrics::SetStreamMemorySource(
    std::function<StreamMemoryStats()> source) {
  scrape_time_->SetStreamMemory(std::move(source));
}

InFlight GatewayMetrics::TrackStream(StreamKind kind) {
  return InFlight(&streams_active_.Add({{"kind", StreamKindLabel(kind)}}));
}

InFlight GatewayMetrics::TrackWatchedJob(WatchedJobKind kind) {
  return InFlight(&watched_jobs_.Add({{"kind", JobKindLabel(kind)}}));
}

void GatewayMetrics::RecordWatchedJobPolls(WatchedJobKind kind, int64_t polls) {
  polls_per_job_
      .Add({{"kind", JobKindLabel(kind)}}, options_.polls_per_job_buckets)
      .Observe(static_cast<double>(polls));
}

void GatewayMetrics::RecordBatchChunk(absl::string_view operation, bool ok) {
  batch_chunks_
      .Add({{"operation", operations_.Resolve(operation)},
            {"result", ok ? "ok" : "error"}})
      .Increment();
}

void GatewayMetrics::RecordCredentialReload(absl::string_view project,
                                            ReloadResult result) {
  credential_reloads_
      .Add({{"project", projects_.Resolve(project)},
            {"result", ResultLabel(result)}})
      .Increment();
}

void GatewayMetrics::RecordConfigReload(ReloadResult result) {
  config_reloads_.Add({{"result", ResultLabel(result)}}).Increment();
}

void GatewayMetrics::RecordCallerCall(absl::string_view caller,
                                      grpc::StatusCode code) {
  caller_calls_
      .Add({{"caller", callers_.Resolve(caller)},
            {"grpc_code", std::string(GrpcCodeLabel(code))}})
      .Increment();
}

}  // namespace ucgate::observability
