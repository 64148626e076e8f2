#pragma once

#include "absl/strings/string_view.h"

namespace ucgate {

// True for the canonical 8-4-4-4-12 hex form Uploadcare uses (any case).
bool IsValidUuid(absl::string_view text);

}  // namespace ucgate
