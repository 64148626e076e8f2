// What a route handler of the emulator sees and returns: an authenticated,
// version-negotiated request of one project, and the answer to write. Route
// modules (files_routes.cc today; groups, webhooks, ... later) depend on these
// types only, never on the HTTP library.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/api_version.h"

namespace ucgate::emulator {

struct ProjectData;

// (name, value) pairs, percent-decoded, in the order the client sent them.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct ApiRequest {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // decoded path, e.g. "/files/<uuid>/storage/"
  QueryParams query;   // decoded query
  std::string content_type;
  const std::string* body = nullptr;
  ApiVersion version = ApiVersion::kV07;
  // Values of the route pattern's placeholders, in order ("{uuid}" -> ...).
  std::vector<std::string> path_params;
  ProjectData* project = nullptr;  // the authenticated project
  absl::Time now;                  // the emulator clock at arrival
  // Base of absolute URLs in answers ("https://api.example:443", no slash).
  absl::string_view public_base_url;

  // The first value of query parameter `name`, or nullptr.
  const std::string* Query(absl::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON (empty for 204 and redirects)
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"detail": "<detail>"}, the service's usual error shape.
ApiResponse DetailError(int status, absl::string_view detail);
// Validation errors, answered together as the service does (status 400):
// {"limit": ["..."], "from": ["..."]}.
class FieldErrors {
 public:
  FieldErrors() = default;
  FieldErrors(absl::string_view field, absl::string_view message) {
    Add(field, message);
  }
  void Add(absl::string_view field, absl::string_view message);
  bool empty() const { return errors_.empty(); }
  ApiResponse ToResponse() const;

 private:
  std::vector<std::pair<std::string, std::string>> errors_;
};
// A 200/201 answer with this JSON body.
ApiResponse JsonResponse(int status, std::string body);

// Query handling as Django does it on the service side: lenient decoding
// (a malformed escape stays as it is) and quote_plus encoding. The gateway's
// client-side helpers in service/common/url.h are strict instead.
//
// Splits the query of a request target ("/files/?a=1&b=%3A") into decoded
// pairs; '+' decodes to a space, as in application/x-www-form-urlencoded.
QueryParams ParseQueryString(absl::string_view query);
std::string PercentDecode(absl::string_view text, bool plus_as_space);
// Encodes a query value as Django's urlencode does (quote_plus): letters,
// digits and "_.-~" stay, a space becomes '+', everything else %XX.
void AppendQueryEscaped(absl::string_view text, std::string* out);

}  // namespace ucgate::emulator
