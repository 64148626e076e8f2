#include "service/access/yaml_fields.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ucgate::access {

absl::Status ConfigKeyError(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::StatusOr<YamlMapping> YamlMapping::Open(
    const YAML::Node& node, std::string where,
    std::initializer_list<absl::string_view> known) {
  if (!node.IsMap()) return ConfigKeyError(where, "must be a mapping");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      return ConfigKeyError(where, "keys must be plain names");
    }
    const std::string key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return ConfigKeyError(absl::StrCat(where, ".", key), "unknown key");
    }
  }
  return YamlMapping(node, std::move(where));
}

bool YamlMapping::Has(absl::string_view key) const {
  const YAML::Node value = node_[std::string(key)];
  return value.IsDefined() && !value.IsNull();
}

YAML::Node YamlMapping::Node(absl::string_view key) const {
  return node_[std::string(key)];
}

std::string YamlMapping::Where(absl::string_view key) const {
  return absl::StrCat(where_, ".", key);
}

absl::StatusOr<std::string> YamlMapping::RequiredString(
    absl::string_view key) const {
  if (!Has(key)) return ConfigKeyError(Where(key), "is required");
  std::string value;
  if (absl::Status status = OptionalString(key, &value); !status.ok()) {
    return status;
  }
  return value;
}

absl::Status YamlMapping::OptionalString(absl::string_view key,
                                         std::string* out) const {
  if (!Has(key)) return absl::OkStatus();
  const YAML::Node value = Node(key);
  if (!value.IsScalar()) return ConfigKeyError(Where(key), "must be a string");
  if (value.Scalar().empty()) {
    return ConfigKeyError(Where(key), "must not be empty");
  }
  *out = value.Scalar();
  return absl::OkStatus();
}

absl::Status YamlMapping::StringList(absl::string_view key,
                                     std::vector<std::string>* out) const {
  out->clear();
  if (!Has(key)) return absl::OkStatus();
  const YAML::Node list = Node(key);
  if (!list.IsSequence()) {
    return ConfigKeyError(Where(key), "must be a list of strings");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = absl::StrCat(Where(key), "[", i, "]");
    if (!list[i].IsScalar()) return ConfigKeyError(where, "must be a string");
    if (list[i].Scalar().empty()) {
      return ConfigKeyError(where, "must not be empty");
    }
    out->push_back(list[i].Scalar());
  }
  return absl::OkStatus();
}

absl::Status YamlMapping::Number(absl::string_view key, double min, double max,
                                 double* out) const {
  if (!Has(key)) return absl::OkStatus();
  const YAML::Node value = Node(key);
  double number = 0;
  if (!value.IsScalar() || !absl::SimpleAtod(value.Scalar(), &number) ||
      !(number >= min && number <= max)) {
    return ConfigKeyError(
        Where(key), absl::StrCat("must be a number from ", min, " to ", max));
  }
  *out = number;
  return absl::OkStatus();
}

absl::Status YamlMapping::Boolean(absl::string_view key, bool* out) const {
  if (!Has(key)) return absl::OkStatus();
  const YAML::Node value = Node(key);
  if (!value.IsScalar() ||
      (value.Scalar() != "true" && value.Scalar() != "false")) {
    return ConfigKeyError(Where(key), "must be true or false");
  }
  *out = value.Scalar() == "true";
  return absl::OkStatus();
}

}  // namespace ucgate::access
