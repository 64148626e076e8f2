// Comparisons measured in rounds: each round runs every row once, one after
// the other, and computes the comparison's ratio. Throughput and p50s on a
// shared VM drift between seconds, so one sample of each row can show a
// target met or missed by chance; verdicts take the median round and show
// the spread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tests/bench/bench_report.h"
#include "tests/bench/load_generator.h"

namespace ucgate::bench {

struct Round {
  std::vector<LoadResult> rows;
  double ratio = 0;
};
using MeasureRow = std::function<LoadResult(const LoadOptions&)>;
using RoundRatio = std::function<double(const std::vector<LoadResult>&)>;

// `rounds` rounds in the order measured, each row run with `load` (the
// warm-up shortened after the first round, when everything is warm). With
// `rotate_rows`, round i starts at row i % rows.size() (results stay in row
// order), so that no row always runs right after the same other row.
std::vector<Round> MeasureRounds(LoadOptions load, int rounds,
                                 const std::vector<MeasureRow>& rows,
                                 const RoundRatio& ratio,
                                 bool rotate_rows = false);

// Reports each round's ratio (in the order measured), sorts `rounds` by
// ratio and returns the median round.
const Round& ReportRounds(Report& report, const std::string& scenario,
                          const std::string& figure,
                          std::vector<Round>& rounds);

// "1.23x, median of 5 rounds (1.01x to 1.50x; " of sorted `rounds`; the
// caller ends the parenthesis.
std::string MedianText(const std::vector<Round>& rounds);

}  // namespace ucgate::bench
