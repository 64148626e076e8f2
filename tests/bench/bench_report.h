// The harness's results: load rows, single figures and targets with their
// verdicts, printed as Markdown tables.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "tests/bench/load_generator.h"

namespace ucgate::bench {

enum class Verdict { kMet, kMissed, kNotAvailable };

// "123 us".
std::string Micros(absl::Duration duration);

class Report {
 public:
  void AddLoad(std::string scenario, std::string path, int in_flight,
               const LoadResult& result);
  void AddFigure(std::string scenario, std::string name, std::string value);
  void AddNote(std::string scenario, std::string note);
  void AddVerdict(std::string scenario, std::string target,
                  std::string measured, Verdict verdict);

  void Print(std::FILE* out) const;
  // Every load row made calls and none failed (failures are printed).
  bool AllRowsProducedNumbers() const;

 private:
  struct LoadRow {
    std::string scenario, path;
    int in_flight;
    LoadResult result;
  };
  struct Line {
    std::string scenario, name, value;
  };
  struct Target {
    std::string scenario, target, measured;
    Verdict verdict;
  };
  std::vector<LoadRow> loads_;
  std::vector<Line> figures_;
  std::vector<Line> notes_;
  std::vector<Target> targets_;
};

}  // namespace ucgate::bench
