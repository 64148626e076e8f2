// Request authentication as the Uploadcare REST API performs it: the signed
// "Uploadcare" scheme (HMAC-SHA1 over method, body MD5, Content-Type, date and
// URI, with a 15-minute window) and the "Uploadcare.Simple" scheme (HTTPS
// only). The sign string and HMAC come from service/restapi/signing.h, the
// same code the gateway signs with.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/emulator/api_types.h"
#include "service/emulator/emulator.h"

namespace ucgate::emulator {

inline constexpr absl::Duration kSignatureWindow = absl::Minutes(15);

inline constexpr absl::string_view kIncorrectCredentials =
    "Incorrect authentication credentials.";
inline constexpr absl::string_view kCredentialsNotProvided =
    "Authentication credentials were not provided.";
inline constexpr absl::string_view kSimpleOverHttp =
    "Simple authentication over HTTP is forbidden. Please, use HTTPS or "
    "signed requests instead.";

struct AuthInput {
  absl::string_view method;
  absl::string_view target;  // path and query exactly as sent
  absl::string_view body;
  absl::string_view content_type;   // "" when absent
  absl::string_view authorization;  // "" when absent
  // The date headers; either may be empty. The JS client sends
  // X-Uploadcare-Date (browsers cannot set Date); the signature may cover
  // either.
  absl::string_view x_uploadcare_date;
  absl::string_view date;
  bool https = false;
};

// Returns nullopt and sets *project_index when the request authenticates as
// one of `projects`; otherwise the answer the service gives (400 or 401).
std::optional<ApiResponse> CheckAuth(
    const AuthInput& input, const std::vector<EmulatorProject>& projects,
    absl::Time now, size_t* project_index);

}  // namespace ucgate::emulator
