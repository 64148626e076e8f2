#include "tests/bench/bench_report.h"

#include "absl/strings/str_cat.h"

namespace ucgate::bench {
namespace {

const char* VerdictText(Verdict verdict) {
  switch (verdict) {
    case Verdict::kMet:
      return "met";
    case Verdict::kMissed:
      return "MISSED";
    case Verdict::kNotAvailable:
      return "n/a";
  }
  return "?";
}

}  // namespace

std::string Micros(absl::Duration duration) {
  return absl::StrCat(absl::ToInt64Microseconds(duration), " us");
}

void Report::AddLoad(std::string scenario, std::string path, int in_flight,
                     const LoadResult& result) {
  loads_.push_back({std::move(scenario), std::move(path), in_flight, result});
}

void Report::AddFigure(std::string scenario, std::string name,
                       std::string value) {
  figures_.push_back({std::move(scenario), std::move(name), std::move(value)});
}

void Report::AddNote(std::string scenario, std::string note) {
  notes_.push_back({std::move(scenario), std::move(note), ""});
}

void Report::AddVerdict(std::string scenario, std::string target,
                        std::string measured, Verdict verdict) {
  targets_.push_back(
      {std::move(scenario), std::move(target), std::move(measured), verdict});
}

void Report::Print(std::FILE* out) const {
  if (!loads_.empty()) {
    std::fprintf(out,
                 "\n| scenario | path | in flight | calls | calls/s | p50 | "
                 "p90 | p99 |\n|---|---|--:|--:|--:|--:|--:|--:|\n");
    for (const LoadRow& row : loads_) {
      std::fprintf(out, "| %s | %s | %d | %lld | %.0f | %s | %s | %s |\n",
                   row.scenario.c_str(), row.path.c_str(), row.in_flight,
                   static_cast<long long>(row.result.calls),
                   row.result.calls_per_second, Micros(row.result.p50).c_str(),
                   Micros(row.result.p90).c_str(),
                   Micros(row.result.p99).c_str());
    }
  }
  if (!figures_.empty()) {
    std::fprintf(out, "\n| scenario | figure | value |\n|---|---|--:|\n");
    for (const Line& line : figures_) {
      std::fprintf(out, "| %s | %s | %s |\n", line.scenario.c_str(),
                   line.name.c_str(), line.value.c_str());
    }
  }
  if (!targets_.empty()) {
    std::fprintf(out,
                 "\n| scenario | target | measured | verdict |\n"
                 "|---|---|---|---|\n");
    for (const Target& target : targets_) {
      std::fprintf(out, "| %s | %s | %s | %s |\n", target.scenario.c_str(),
                   target.target.c_str(), target.measured.c_str(),
                   VerdictText(target.verdict));
    }
  }
  for (const Line& note : notes_) {
    std::fprintf(out, "\nnote (%s): %s\n", note.scenario.c_str(),
                 note.name.c_str());
  }
  for (const LoadRow& row : loads_) {
    if (row.result.failures > 0) {
      std::fprintf(out, "\nFAILED calls (%s, %s): %lld, first: %s\n",
                   row.scenario.c_str(), row.path.c_str(),
                   static_cast<long long>(row.result.failures),
                   row.result.first_error.c_str());
    }
  }
}

bool Report::AllRowsProducedNumbers() const {
  for (const LoadRow& row : loads_) {
    if (row.result.calls == 0 || row.result.failures > 0) return false;
  }
  return true;
}

}  // namespace ucgate::bench
