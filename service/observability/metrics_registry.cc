#include "service/observability/metrics_registry.h"

#include <utility>

#include "prometheus/text_serializer.h"

namespace ucgate::observability {

MetricsRegistry::MetricsRegistry()
    // Building a family twice is a bug here, not a merge.
    : registry_(prometheus::Registry::InsertBehavior::Throw) {}

void MetricsRegistry::AddCollectable(
    std::shared_ptr<const prometheus::Collectable> source) {
  absl::MutexLock lock(&mutex_);
  sources_.push_back(std::move(source));
}

std::vector<prometheus::MetricFamily> MetricsRegistry::Collect() const {
  std::vector<prometheus::MetricFamily> families = registry_.Collect();
  std::vector<std::shared_ptr<const prometheus::Collectable>> sources;
  {
    absl::MutexLock lock(&mutex_);
    sources = sources_;
  }
  for (const auto& source : sources) {
    std::vector<prometheus::MetricFamily> more = source->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  return families;
}

std::string MetricsRegistry::TextExposition() const {
  return prometheus::TextSerializer().Serialize(Collect());
}

prometheus::MetricFamily SingleValueFamily(std::string name, std::string help,
                                           prometheus::MetricType type,
                                           double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  prometheus::ClientMetric sample;
  if (type == prometheus::MetricType::Counter) {
    sample.counter.value = value;
  } else {
    sample.gauge.value = value;
  }
  family.metric.push_back(std::move(sample));
  return family;
}

}  // namespace ucgate::observability
