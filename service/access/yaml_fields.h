// Reading one YAML mapping of the configuration file: unknown keys are
// refused (typos surface at start instead of silently opening access), and
// every error names the full key path ("config.callers[2].jwt.issuer: ...").
// Values are never echoed in errors: a misplaced secret must not reach a log.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ucgate::access {

// INVALID_ARGUMENT "<where>: <what>".
absl::Status ConfigKeyError(absl::string_view where, absl::string_view what);

class YamlMapping {
 public:
  // Fails when `node` is not a mapping or holds a key outside `known`.
  static absl::StatusOr<YamlMapping> Open(
      const YAML::Node& node, std::string where,
      std::initializer_list<absl::string_view> known);

  bool Has(absl::string_view key) const;
  YAML::Node Node(absl::string_view key) const;
  // "<where>.<key>".
  std::string Where(absl::string_view key) const;

  // A required scalar, not empty.
  absl::StatusOr<std::string> RequiredString(absl::string_view key) const;
  // Leaves `out` unchanged when the key is absent.
  absl::Status OptionalString(absl::string_view key, std::string* out) const;
  // A list of non-empty scalars; absent means empty.
  absl::Status StringList(absl::string_view key,
                          std::vector<std::string>* out) const;
  // A number within [min, max]; leaves `out` unchanged when absent.
  absl::Status Number(absl::string_view key, double min, double max,
                      double* out) const;
  absl::Status Boolean(absl::string_view key, bool* out) const;

 private:
  YamlMapping(const YAML::Node& node, std::string where)
      : node_(node), where_(std::move(where)) {}

  YAML::Node node_;
  std::string where_;
};

// Runs `parse`, turning a yaml-cpp exception (a malformed node deep inside)
// into INVALID_ARGUMENT naming `where` and the line.
template <typename Parse>
auto CatchYamlErrors(absl::string_view where, Parse parse)
    -> decltype(parse()) {
  try {
    return parse();
  } catch (const YAML::Exception& error) {
    return ConfigKeyError(where, std::string("malformed YAML near line ") +
                                     std::to_string(error.mark.line + 1));
  }
}

}  // namespace ucgate::access
