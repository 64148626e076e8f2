#include "service/restapi/signing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ucgate::restapi {
namespace {

constexpr char kHttpDateFormat[] = "%a, %d %b %Y %H:%M:%S GMT";

std::string ToHex(const unsigned char* data, size_t size) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(data), size));
}

}  // namespace

std::string FormatHttpDate(absl::Time time) {
  return absl::FormatTime(kHttpDateFormat, time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseHttpDate(absl::string_view text) {
  absl::Time time;
  std::string error;
  // RFC 2822 allows "+0000" as well as "GMT"; accept both.
  for (const char* format : {kHttpDateFormat, "%a, %d %b %Y %H:%M:%S %z"}) {
    if (absl::ParseTime(format, std::string(text), absl::UTCTimeZone(), &time,
                        &error)) {
      return time;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not an RFC 2822 date: '", text, "'"));
}

std::string Md5Hex(absl::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &size, EVP_md5(),
             nullptr);
  return ToHex(digest.data(), size);
}

std::string BuildSignString(absl::string_view method, absl::string_view body,
                            absl::string_view content_type,
                            absl::string_view date,
                            absl::string_view path_and_query) {
  return absl::StrCat(method, "\n", Md5Hex(body), "\n", content_type, "\n",
                      date, "\n", path_and_query);
}

std::string HmacSha1Hex(absl::string_view secret,
                        absl::string_view sign_string) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int size = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(sign_string.data()),
       sign_string.size(), digest.data(), &size);
  return ToHex(digest.data(), size);
}

}  // namespace ucgate::restapi
