#include "service/emulator/auth_check.h"

#include <openssl/crypto.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "service/restapi/signing.h"

namespace ucgate::emulator {
namespace {

constexpr absl::string_view kSignedScheme = "Uploadcare ";
constexpr absl::string_view kSimpleScheme = "Uploadcare.Simple ";

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

const EmulatorProject* FindProject(const std::vector<EmulatorProject>& projects,
                                   absl::string_view public_key,
                                   size_t* index) {
  for (size_t i = 0; i < projects.size(); ++i) {
    if (projects[i].public_key == public_key) {
      *index = i;
      return &projects[i];
    }
  }
  return nullptr;
}

bool SignatureValid(const AuthInput& input, absl::string_view date,
                    absl::string_view secret, absl::string_view signature,
                    absl::Time now) {
  if (date.empty()) return false;
  absl::StatusOr<absl::Time> sent = restapi::ParseHttpDate(date);
  if (!sent.ok() || absl::AbsDuration(now - *sent) > kSignatureWindow) {
    return false;
  }
  std::string expected = restapi::HmacSha1Hex(
      secret, restapi::BuildSignString(input.method, input.body,
                                       input.content_type, date, input.target));
  return ConstantTimeEquals(expected, absl::AsciiStrToLower(signature));
}

}  // namespace

std::optional<ApiResponse> CheckAuth(
    const AuthInput& input, const std::vector<EmulatorProject>& projects,
    absl::Time now, size_t* project_index) {
  absl::string_view header = absl::StripAsciiWhitespace(input.authorization);
  if (header.empty()) return DetailError(401, kCredentialsNotProvided);

  bool simple = absl::StartsWith(header, kSimpleScheme);
  if (!simple && !absl::StartsWith(header, kSignedScheme)) {
    return DetailError(401, kIncorrectCredentials);
  }
  if (simple && !input.https) return DetailError(400, kSimpleOverHttp);

  absl::string_view param = absl::StripAsciiWhitespace(
      header.substr(simple ? kSimpleScheme.size() : kSignedScheme.size()));
  size_t colon = param.find(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == param.size()) {
    return DetailError(401, kIncorrectCredentials);
  }
  absl::string_view public_key = param.substr(0, colon);
  absl::string_view credential = param.substr(colon + 1);

  size_t index = 0;
  const EmulatorProject* project = FindProject(projects, public_key, &index);
  if (project == nullptr) return DetailError(401, kIncorrectCredentials);

  bool ok = simple ? ConstantTimeEquals(credential, project->secret_key)
                   : SignatureValid(input, input.x_uploadcare_date,
                                    project->secret_key, credential, now) ||
                         SignatureValid(input, input.date, project->secret_key,
                                        credential, now);
  if (!ok) return DetailError(401, kIncorrectCredentials);
  *project_index = index;
  return std::nullopt;
}

}  // namespace ucgate::emulator
