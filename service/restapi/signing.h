// The primitives of Uploadcare's signed "Uploadcare" auth scheme: the sign
// string, its HMAC-SHA1 and the HTTP date it covers. The gateway's request
// signer (service/upstream/auth) signs with them and the emulator verifies
// with them, so both sides share one implementation of the sign string.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ucgate::restapi {

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

}  // namespace ucgate::restapi
