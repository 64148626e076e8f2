// The gateway's Prometheus metrics in one place: the families built in a
// prometheus::Registry (counters, gauges, histograms the code updates) and
// collectables read at each scrape (values another component already keeps,
// such as the file-info cache's counters), exposed in the text format the
// admin listener's /metrics answers with.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace ucgate::observability {

// The Content-Type of TextExposition().
inline constexpr char kTextExpositionContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

class MetricsRegistry final : public prometheus::Collectable {
 public:
  MetricsRegistry();

  // Where families are built (prometheus::BuildCounter()...Register(...)).
  prometheus::Registry& registry() { return registry_; }

  // Read at every scrape, after the registry's families; kept alive here.
  void AddCollectable(std::shared_ptr<const prometheus::Collectable> source);

  // Every family: the registry's, then each collectable's.
  std::vector<prometheus::MetricFamily> Collect() const override;

  // Collect() in the Prometheus text exposition format 0.0.4.
  std::string TextExposition() const;

 private:
  prometheus::Registry registry_;
  mutable absl::Mutex mutex_;
  std::vector<std::shared_ptr<const prometheus::Collectable>> sources_
      ABSL_GUARDED_BY(mutex_);
};

// A family of one unlabelled sample, for collectables that read a value at
// scrape time (type Counter or Gauge).
prometheus::MetricFamily SingleValueFamily(std::string name, std::string help,
                                           prometheus::MetricType type,
                                           double value);

}  // namespace ucgate::observability
