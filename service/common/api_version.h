#pragma once

#include <optional>

#include "absl/strings/string_view.h"

namespace ucgate {

// The Uploadcare REST API version spoken upstream (per project).
enum class ApiVersion { kV06, kV07 };

// "application/vnd.uploadcare-v0.7+json" and the like.
inline absl::string_view AcceptHeaderFor(ApiVersion version) {
  return version == ApiVersion::kV06 ? "application/vnd.uploadcare-v0.6+json"
                                     : "application/vnd.uploadcare-v0.7+json";
}

// The version an Accept header asks for; nullopt for anything else.
inline std::optional<ApiVersion> ApiVersionFromAccept(
    absl::string_view accept) {
  if (accept == AcceptHeaderFor(ApiVersion::kV07)) return ApiVersion::kV07;
  if (accept == AcceptHeaderFor(ApiVersion::kV06)) return ApiVersion::kV06;
  return std::nullopt;
}

// "0.6" / "0.7".
inline std::optional<ApiVersion> ParseApiVersion(absl::string_view text) {
  if (text == "0.7") return ApiVersion::kV07;
  if (text == "0.6") return ApiVersion::kV06;
  return std::nullopt;
}

}  // namespace ucgate
