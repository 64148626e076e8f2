#include "tests/observability/exposition_checks.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#ifndef UCGATE_PROMTOOL
#define UCGATE_PROMTOOL "promtool"
#endif

namespace ucgate::testing {
namespace {

absl::Status ParseError(absl::string_view line, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("exposition line '", line, "': ", why));
}

bool ParseValue(absl::string_view text, double* value) {
  if (text == "+Inf") {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Inf") {
    *value = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "NaN") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return absl::SimpleAtod(text, value);
}

// `{a="x",b="y\"z"}` at the start of `*rest` (consumed).
absl::Status ParseLabels(absl::string_view line, absl::string_view* rest,
                         Labels* labels) {
  rest->remove_prefix(1);  // '{'
  while (true) {
    if (absl::ConsumePrefix(rest, "}")) return absl::OkStatus();
    const size_t equals = rest->find("=\"");
    if (equals == absl::string_view::npos) {
      return ParseError(line, "label without =\"");
    }
    std::string name(rest->substr(0, equals));
    rest->remove_prefix(equals + 2);
    std::string value;
    while (true) {
      if (rest->empty()) return ParseError(line, "unterminated label value");
      const char c = rest->front();
      rest->remove_prefix(1);
      if (c == '"') break;
      if (c != '\\') {
        value.push_back(c);
        continue;
      }
      if (rest->empty()) return ParseError(line, "dangling escape");
      const char escaped = rest->front();
      rest->remove_prefix(1);
      if (escaped == 'n') {
        value.push_back('\n');
      } else if (escaped == '\\' || escaped == '"') {
        value.push_back(escaped);
      } else {
        return ParseError(line, "unknown escape");
      }
    }
    if (!labels->emplace(std::move(name), std::move(value)).second) {
      return ParseError(line, "label given twice");
    }
    absl::ConsumePrefix(rest, ",");
  }
}

// The family a sample belongs to: histogram samples carry a suffix.
std::string FamilyOf(const std::string& name,
                     const std::map<std::string, std::string>& types) {
  for (absl::string_view suffix : {"_bucket", "_sum", "_count"}) {
    absl::string_view base = name;
    if (absl::ConsumeSuffix(&base, suffix)) {
      auto it = types.find(std::string(base));
      if (it != types.end() &&
          (it->second == "histogram" || it->second == "summary")) {
        return std::string(base);
      }
    }
  }
  return name;
}

std::string SeriesKey(const std::string& name, const Labels& labels) {
  std::string key = name;
  for (const auto& [label, value] : labels) {
    absl::StrAppend(&key, "|", label, "=", value);
  }
  return key;
}

}  // namespace

std::optional<double> Exposition::Value(absl::string_view name,
                                        const Labels& labels) const {
  for (const Sample& sample : samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

std::vector<std::string> Exposition::LabelValues(
    absl::string_view label) const {
  std::set<std::string> values;
  for (const Sample& sample : samples) {
    auto it = sample.labels.find(std::string(label));
    if (it != sample.labels.end()) values.insert(it->second);
  }
  return {values.begin(), values.end()};
}

absl::StatusOr<Exposition> ParseExposition(absl::string_view text) {
  Exposition exposition;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    if (absl::ConsumePrefix(&line, "# TYPE ")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      if (parts.size() != 2) return ParseError(line, "malformed TYPE");
      if (!exposition.types.emplace(parts[0], parts[1]).second) {
        return ParseError(line, "TYPE given twice");
      }
      continue;
    }
    if (absl::StartsWith(line, "#")) continue;  // HELP, comments
    const absl::string_view whole = line;
    Sample sample;
    const size_t name_end = line.find_first_of("{ ");
    if (name_end == absl::string_view::npos) {
      return ParseError(whole, "no value");
    }
    sample.name = std::string(line.substr(0, name_end));
    line.remove_prefix(name_end);
    if (absl::StartsWith(line, "{")) {
      if (absl::Status parsed = ParseLabels(whole, &line, &sample.labels);
          !parsed.ok()) {
        return parsed;
      }
    }
    if (!absl::ConsumePrefix(&line, " ")) {
      return ParseError(whole, "no space before the value");
    }
    // A timestamp may follow the value.
    const absl::string_view value = line.substr(0, line.find(' '));
    if (!ParseValue(value, &sample.value)) {
      return ParseError(whole, "value is not a number");
    }
    exposition.samples.push_back(std::move(sample));
  }
  return exposition;
}

absl::Status CheckExpositionInvariants(const Exposition& exposition) {
  std::set<std::string> series;
  for (const Sample& sample : exposition.samples) {
    if (!series.insert(SeriesKey(sample.name, sample.labels)).second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "series written twice: ", SeriesKey(sample.name, sample.labels)));
    }
    if (!exposition.types.count(FamilyOf(sample.name, exposition.types))) {
      return absl::FailedPreconditionError(
          absl::StrCat("sample without a TYPE: ", sample.name));
    }
  }
  // Each histogram series: its buckets in order, then _sum and _count.
  struct Histogram {
    std::vector<std::pair<double, double>> buckets;  // le, cumulative count
    std::optional<double> count, sum;
  };
  std::map<std::string, Histogram> histograms;
  for (const Sample& sample : exposition.samples) {
    const std::string family = FamilyOf(sample.name, exposition.types);
    auto type = exposition.types.find(family);
    if (type == exposition.types.end() || type->second != "histogram") {
      continue;
    }
    Labels labels = sample.labels;
    const std::string le = labels.count("le") ? labels["le"] : "";
    labels.erase("le");
    Histogram& histogram = histograms[SeriesKey(family, labels)];
    if (sample.name == family + "_bucket") {
      double bound = 0;
      if (!ParseValue(le, &bound)) {
        return absl::FailedPreconditionError(
            absl::StrCat(family, ": bucket bound '", le, "'"));
      }
      histogram.buckets.emplace_back(bound, sample.value);
    } else if (sample.name == family + "_count") {
      histogram.count = sample.value;
    } else if (sample.name == family + "_sum") {
      histogram.sum = sample.value;
    }
  }
  for (const auto& [key, histogram] : histograms) {
    if (histogram.buckets.empty() || !histogram.count || !histogram.sum) {
      return absl::FailedPreconditionError(
          absl::StrCat(key, ": buckets, _sum or _count missing"));
    }
    for (size_t i = 1; i < histogram.buckets.size(); ++i) {
      if (!(histogram.buckets[i].first > histogram.buckets[i - 1].first)) {
        return absl::FailedPreconditionError(
            absl::StrCat(key, ": bucket bounds not increasing"));
      }
      if (histogram.buckets[i].second < histogram.buckets[i - 1].second) {
        return absl::FailedPreconditionError(
            absl::StrCat(key, ": cumulative counts decrease"));
      }
    }
    if (!std::isinf(histogram.buckets.back().first)) {
      return absl::FailedPreconditionError(
          absl::StrCat(key, ": no +Inf bucket"));
    }
    if (histogram.buckets.back().second != *histogram.count) {
      return absl::FailedPreconditionError(
          absl::StrCat(key, ": +Inf bucket ", histogram.buckets.back().second,
                       " != _count ", *histogram.count));
    }
  }
  return absl::OkStatus();
}

absl::Status PromtoolCheckMetrics(absl::string_view text) {
  char path[] = "/tmp/ucgate_exposition_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return absl::InternalError("mkstemp failed");
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!written) {
    unlink(path);
    return absl::InternalError("cannot write the exposition");
  }
  const std::string command =
      absl::StrCat(UCGATE_PROMTOOL, " check metrics < ", path, " 2>&1");
  std::string output;
  int status = -1;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t read;
    while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
      output.append(buffer, read);
    }
    status = pclose(pipe);
  }
  unlink(path);
  if (status == 0) return absl::OkStatus();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return absl::FailedPreconditionError(
        absl::StrCat("promtool not found (", UCGATE_PROMTOOL,
                     "): run deploy/scripts/install-deps.sh as root"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("promtool check metrics failed:\n", output));
}

}  // namespace ucgate::testing
