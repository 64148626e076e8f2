#include "service/upstream/rest/rest_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "service/upstream/http/upstream_error.h"

namespace ucgate::upstream {
namespace {

constexpr char kContentType[] = "application/json";

}  // namespace

absl::StatusOr<std::shared_ptr<RestClient>> RestClient::Create(
    RestOptions options, std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const auth::RequestSigner> signer,
    std::shared_ptr<const Clock> clock) {
  absl::StatusOr<BaseUrl> base = ParseBaseUrl(options.base_url);
  if (!base.ok()) return base.status();
  return std::shared_ptr<RestClient>(new RestClient(
      std::move(options), *std::move(base), std::move(http_client),
      std::move(signer), std::move(clock)));
}

RestClient::RestClient(RestOptions options, BaseUrl base,
                       std::shared_ptr<http::HttpClient> http_client,
                       std::shared_ptr<const auth::RequestSigner> signer,
                       std::shared_ptr<const Clock> clock)
    : options_(std::move(options)),
      base_(std::move(base)),
      http_client_(std::move(http_client)),
      signer_(std::move(signer)),
      clock_(std::move(clock)) {}

absl::StatusOr<http::HttpResponse> RestClient::Call(
    const CallContext& context, http::HttpMethod method,
    absl::string_view relative_path, std::string body) const {
  http::HttpRequest request;
  request.method = method;
  std::string path_and_query = absl::StrCat(base_.path_prefix, relative_path);
  request.url = absl::StrCat(base_.origin, path_and_query);
  request.headers.reserve(4);
  request.headers.push_back(
      {"Accept", std::string(AcceptHeaderFor(options_.api_version))});
  request.headers.push_back({"Content-Type", kContentType});
  signer_->Sign(method, path_and_query, kContentType, body, request.headers);
  request.body = std::move(body);
  absl::StatusOr<http::HttpResponse> response = http_client_->Send(
      request, {context.deadline, context.cancellation.get()});
  if (!response.ok()) return response.status();
  if (absl::Status status =
          http::StatusFromHttpResponse(*response, clock_->Now());
      !status.ok()) {
    return status;
  }
  return response;
}

}  // namespace ucgate::upstream
