#include "service/upstream/auth/request_signer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "service/restapi/signing.h"

namespace ucgate::auth {
namespace {

class SignedRequestSigner final : public RequestSigner {
 public:
  SignedRequestSigner(CredentialsSource credentials,
                      std::shared_ptr<const Clock> clock)
      : credentials_(std::move(credentials)), clock_(std::move(clock)) {}

  void Sign(http::HttpMethod method, absl::string_view path_and_query,
            absl::string_view content_type, absl::string_view body,
            std::vector<http::HttpHeader>& headers) const override {
    const std::shared_ptr<const Credentials> credentials = credentials_();
    std::string date = restapi::FormatHttpDate(clock_->Now());
    std::string signature = restapi::HmacSha1Hex(
        credentials->secret_key.Reveal(),
        restapi::BuildSignString(http::MethodName(method), body, content_type,
                                 date, path_and_query));
    headers.push_back({"Date", date});
    headers.push_back(
        {"Authorization",
         absl::StrCat("Uploadcare ", credentials->public_key, ":", signature)});
  }

 private:
  CredentialsSource credentials_;
  std::shared_ptr<const Clock> clock_;
};

// Sends the secret itself: only ever allowed over HTTPS (the config layer
// refuses it otherwise, as the service does).
class SimpleRequestSigner final : public RequestSigner {
 public:
  explicit SimpleRequestSigner(CredentialsSource credentials)
      : credentials_(std::move(credentials)) {}

  void Sign(http::HttpMethod, absl::string_view, absl::string_view,
            absl::string_view,
            std::vector<http::HttpHeader>& headers) const override {
    const std::shared_ptr<const Credentials> credentials = credentials_();
    headers.push_back(
        {"Authorization",
         absl::StrCat("Uploadcare.Simple ", credentials->public_key, ":",
                      credentials->secret_key.Reveal())});
  }

 private:
  CredentialsSource credentials_;
};

}  // namespace

std::unique_ptr<RequestSigner> MakeRequestSigner(
    AuthScheme scheme, Credentials credentials,
    std::shared_ptr<const Clock> clock) {
  auto fixed = std::make_shared<const Credentials>(std::move(credentials));
  return MakeRequestSigner(
      scheme, [fixed] { return fixed; }, std::move(clock));
}

std::unique_ptr<RequestSigner> MakeRequestSigner(
    AuthScheme scheme, CredentialsSource credentials,
    std::shared_ptr<const Clock> clock) {
  if (scheme == AuthScheme::kSimple) {
    return std::make_unique<SimpleRequestSigner>(std::move(credentials));
  }
  return std::make_unique<SignedRequestSigner>(std::move(credentials),
                                               std::move(clock));
}

}  // namespace ucgate::auth
