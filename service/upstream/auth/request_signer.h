// Uploadcare request authentication: the signed "Uploadcare" scheme (HMAC-SHA1
// over the request, fresh Date per attempt) and the "Uploadcare.Simple" scheme.
// The emulator verifies with the same functions, so both sides share one
// implementation of the sign string.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/clock.h"
#include "service/common/secret.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::auth {

enum class AuthScheme { kSigned, kSimple };

struct Credentials {
  std::string public_key;
  Secret secret_key;
};

// RFC 2822 date in GMT, e.g. "Mon, 05 Nov 2018 13:14:41 GMT".
std::string FormatHttpDate(absl::Time time);
absl::StatusOr<absl::Time> ParseHttpDate(absl::string_view text);

// Lower-case hex MD5 of the body ("d41d8cd98f00b204e9800998ecf8427e" for "").
std::string Md5Hex(absl::string_view body);

// method \n md5(body) \n content_type \n date \n uri (path with query).
std::string BuildSignString(absl::string_view method, absl::string_view body,
                            absl::string_view content_type,
                            absl::string_view date,
                            absl::string_view path_and_query);

// Lower-case hex HMAC-SHA1(secret, sign_string).
std::string HmacSha1Hex(absl::string_view secret,
                        absl::string_view sign_string);

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

}  // namespace ucgate::auth
