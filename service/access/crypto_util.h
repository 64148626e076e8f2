// Small OpenSSL helpers shared by the access checks: digests, constant-time
// comparison, base64url as JOSE uses it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ucgate::access {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(absl::string_view data);
// Lowercase hex.
std::string Sha256Hex(absl::string_view data);
// Parses 64 hex digits (either case).
std::optional<Sha256Digest> ParseSha256Hex(absl::string_view hex);

Sha256Digest HmacSha256(absl::string_view key, absl::string_view data);

// Equal contents in time that depends on the length only (CRYPTO_memcmp).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Base64url without padding (RFC 7515 section 2). Decoding refuses padding,
// whitespace, the standard alphabet's '+' and '/', and non-canonical
// text (stray trailing bits).
std::string Base64UrlEncode(absl::string_view data);
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace ucgate::access
