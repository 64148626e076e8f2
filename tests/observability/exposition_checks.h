// Reading a Prometheus text exposition back in tests: parse it into samples,
// run `promtool check metrics` on it, and check what promtool does not
// (histogram buckets increasing with cumulative counts, a `+Inf` bucket equal
// to `_count`, no series twice, a TYPE for every sample).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ucgate::testing {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;               // in the order written
  std::map<std::string, std::string> types;  // family name -> "counter", ...

  // The value of the sample with this name and exactly these labels.
  std::optional<double> Value(absl::string_view name,
                              const Labels& labels = {}) const;
  // Every value the label `label` takes across all samples.
  std::vector<std::string> LabelValues(absl::string_view label) const;
};

absl::StatusOr<Exposition> ParseExposition(absl::string_view text);

// Histograms well formed, series unique, every sample typed.
absl::Status CheckExpositionInvariants(const Exposition& exposition);

// `promtool check metrics` (format and lint): OK, or what it printed. The
// promtool found by CMake at configure time, else the one on PATH.
absl::Status PromtoolCheckMetrics(absl::string_view text);

}  // namespace ucgate::testing
