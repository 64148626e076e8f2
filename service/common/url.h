// URL pieces: query building, percent-encoding and -decoding, reading the
// upstream's absolute `next` URLs (the REST stub) and request queries (the
// emulator).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ucgate {

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(absl::string_view text);
// Decodes %XX and '+' (as space); malformed escapes are an error (the
// gateway reading upstream URLs is strict).
absl::StatusOr<std::string> UrlDecode(absl::string_view text);
// Decodes %XX (and '+' as space when asked), keeping malformed escapes as
// they are, the way Django reads request queries (the emulator).
std::string UrlDecodeLenient(absl::string_view text, bool plus_as_space);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%2By" -> {{"a","1"},{"b","x+y"}}. The query of an absolute URL is
// taken from after its '?'.
absl::StatusOr<QueryParams> ParseQueryOfUrl(absl::string_view url);

// Appends "?k=v&..." (or "&k=v" when `path` has a query already).
std::string WithQuery(std::string path, const QueryParams& params);

// "https://host:port/prefix" -> origin "https://host:port", path "/prefix".
struct BaseUrl {
  std::string origin;
  std::string path_prefix;  // no trailing slash; may be empty
  bool https = false;
};
absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url);

}  // namespace ucgate
