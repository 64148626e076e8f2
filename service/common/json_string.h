// JSON string literals for text that may hold anything (log messages, names
// read from the network): always a valid JSON value in UTF-8.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace ucgate {

// Appends `text` as a JSON string literal, quotes included: '"', '\\' and
// control characters are escaped, and each maximal ill-formed UTF-8 subpart
// (a stray continuation byte, a truncated or overlong sequence, a surrogate,
// a code point past U+10FFFF) becomes one U+FFFD, so the result parses
// whatever the input was. Well-formed UTF-8 is copied as it is.
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace ucgate
