// A secret (an Uploadcare secret key) that cannot be printed by accident.
#pragma once

#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace ucgate {

// Holds a secret. It converts to no string type and has no operator<<, so it
// cannot reach a log line or an error message by accident (StrCat of it does
// not compile); the one way to read it is the explicitly named Reveal().
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  absl::string_view Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

}  // namespace ucgate
