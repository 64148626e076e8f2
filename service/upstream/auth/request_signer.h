// Uploadcare request authentication: the signed "Uploadcare" scheme (HMAC-SHA1
// over the request, fresh Date per attempt; the sign string is restapi's, which
// the emulator verifies with) and the "Uploadcare.Simple" scheme.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "service/common/clock.h"
#include "service/common/secret.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::auth {

enum class AuthScheme { kSigned, kSimple };

struct Credentials {
  std::string public_key;
  Secret secret_key;
};

// Adds the authentication headers to one attempt of a request.
class RequestSigner {
 public:
  virtual ~RequestSigner() = default;
  // `path_and_query` is the request URI without scheme and host, e.g.
  // "/files/?limit=1&stored=true". Appends Date (signed scheme) and
  // Authorization to `headers`.
  virtual void Sign(http::HttpMethod method, absl::string_view path_and_query,
                    absl::string_view content_type, absl::string_view body,
                    std::vector<http::HttpHeader>& headers) const = 0;
};

std::unique_ptr<RequestSigner> MakeRequestSigner(
    AuthScheme scheme, Credentials credentials,
    std::shared_ptr<const Clock> clock);

// The project's keys as they are now (keys read from watched files). Asked
// once per attempt: an attempt signs with one snapshot, and the attempt after
// a rotation signs with the new keys.
using CredentialsSource = std::function<std::shared_ptr<const Credentials>()>;
std::unique_ptr<RequestSigner> MakeRequestSigner(
    AuthScheme scheme, CredentialsSource credentials,
    std::shared_ptr<const Clock> clock);

}  // namespace ucgate::auth
