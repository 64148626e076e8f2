// One signed exchange with the Uploadcare REST API, shared by every REST stub
// of a project: builds the URL from the base, sets Accept for the API
// version, signs every attempt (fresh Date), sends it through the
// HttpClient, and turns non-2xx answers into errors at the one error edge
// (http/upstream_error.h).
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/common/url.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/operations.h"

namespace ucgate::upstream {

struct RestOptions {
  // The gateway's name of the project (part of page-token fingerprints).
  std::string project_name;
  // e.g. "https://api.uploadcare.com" (a path prefix is kept and signed).
  std::string base_url;
  ApiVersion api_version = ApiVersion::kV07;
};

class RestClient {
 public:
  static absl::StatusOr<std::shared_ptr<RestClient>> Create(
      RestOptions options, std::shared_ptr<http::HttpClient> http_client,
      std::shared_ptr<const auth::RequestSigner> signer,
      std::shared_ptr<const Clock> clock);

  // `relative_path` is the API path with its query, e.g. "/files/?limit=1".
  // `body` is sent as application/json (may be empty).
  absl::StatusOr<http::HttpResponse> Call(const CallContext& context,
                                          http::HttpMethod method,
                                          absl::string_view relative_path,
                                          std::string body) const;

  // Call, then parse the 2xx answer's body into `*out` with `parse` (one of
  // the restapi::Parse* functions).
  template <typename Out, typename Parse>
  absl::Status CallAndParse(const CallContext& context, http::HttpMethod method,
                            absl::string_view relative_path, std::string body,
                            Parse&& parse, Out* out) const {
    absl::StatusOr<http::HttpResponse> response =
        Call(context, method, relative_path, std::move(body));
    if (!response.ok()) return response.status();
    absl::Status parsed = parse(response->body, out);
    http::RecycleBody(std::move(response->body));
    return parsed;
  }

  const RestOptions& options() const { return options_; }
  ApiVersion api_version() const { return options_.api_version; }

 private:
  RestClient(RestOptions options, BaseUrl base,
             std::shared_ptr<http::HttpClient> http_client,
             std::shared_ptr<const auth::RequestSigner> signer,
             std::shared_ptr<const Clock> clock);

  RestOptions options_;
  BaseUrl base_;
  std::shared_ptr<http::HttpClient> http_client_;
  std::shared_ptr<const auth::RequestSigner> signer_;
  std::shared_ptr<const Clock> clock_;
};

// A fresh Response filled in by `fill(response)`, or fill's error: the
// shape of every REST stub method.
template <typename Response, typename Fill>
absl::StatusOr<Response> RespondWith(Fill&& fill) {
  Response response;
  if (absl::Status status = fill(response); !status.ok()) return status;
  return response;
}

}  // namespace ucgate::upstream
