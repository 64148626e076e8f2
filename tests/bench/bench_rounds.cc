#include "tests/bench/bench_rounds.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ucgate::bench {

std::vector<Round> MeasureRounds(LoadOptions load, int rounds,
                                 const std::vector<MeasureRow>& rows,
                                 const RoundRatio& ratio, bool rotate_rows) {
  std::vector<Round> measured;
  for (int i = 0; i < rounds; ++i) {
    Round& round = measured.emplace_back();
    round.rows.resize(rows.size());
    const size_t first = rotate_rows ? i % rows.size() : 0;
    for (size_t j = 0; j < rows.size(); ++j) {
      const size_t row = (first + j) % rows.size();
      round.rows[row] = rows[row](load);
    }
    round.ratio = ratio(round.rows);
    load.warm_up = absl::Milliseconds(100);  // warm after the first round
  }
  return measured;
}

const Round& ReportRounds(Report& report, const std::string& scenario,
                          const std::string& figure,
                          std::vector<Round>& rounds) {
  report.AddFigure(
      scenario, figure,
      absl::StrJoin(rounds, " ", [](std::string* out, const Round& round) {
        absl::StrAppendFormat(out, "%.2fx", round.ratio);
      }));
  std::sort(rounds.begin(), rounds.end(),
            [](const Round& a, const Round& b) { return a.ratio < b.ratio; });
  return rounds[rounds.size() / 2];
}

std::string MedianText(const std::vector<Round>& rounds) {
  if (rounds.size() == 1) {
    return absl::StrFormat("%.2fx, one round (", rounds.front().ratio);
  }
  return absl::StrFormat("%.2fx, median of %d rounds (%.2fx to %.2fx; ",
                         rounds[rounds.size() / 2].ratio, rounds.size(),
                         rounds.front().ratio, rounds.back().ratio);
}

}  // namespace ucgate::bench
