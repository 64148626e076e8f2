#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"

namespace ucgate::api {
namespace {

absl::Status ValidateTargetUrl(absl::string_view url) {
  if (url.empty()) return InvalidFieldError("target_url", "is required");
  if (url.size() > kMaxTargetUrlLength) {
    return InvalidFieldError("target_url", "at most 255 characters");
  }
  if (!absl::StartsWith(url, "https://") && !absl::StartsWith(url, "http://")) {
    return InvalidFieldError("target_url",
                             "must be an http:// or https:// URL");
  }
  return absl::OkStatus();
}

absl::Status ValidateSigningSecret(absl::string_view secret) {
  if (secret.size() > kMaxSigningSecretLength) {
    // Never echo the secret itself.
    return InvalidFieldError("signing_secret", "at most 32 characters");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequest(const v1::ListWebhooksRequest&, ApiVersion) {
  return absl::OkStatus();
}

absl::Status ValidateRequest(const v1::CreateWebhookRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateTargetUrl(request.target_url());
      !status.ok()) {
    return status;
  }
  if (request.event() == v1::WEBHOOK_EVENT_UNSPECIFIED ||
      !v1::WebhookEvent_IsValid(request.event())) {
    return InvalidFieldError("event",
                             "is required (e.g. WEBHOOK_EVENT_FILE_UPLOADED)");
  }
  if (request.has_version() && request.version() != "0.7") {
    return InvalidFieldError("version", "only \"0.7\" payloads exist");
  }
  return ValidateSigningSecret(request.signing_secret());
}

absl::Status ValidateRequest(const v1::UpdateWebhookRequest& request,
                             ApiVersion) {
  if (request.id() <= 0) return InvalidFieldError("id", "is required");
  if (request.has_target_url()) {
    if (absl::Status status = ValidateTargetUrl(request.target_url());
        !status.ok()) {
      return status;
    }
  }
  if (!v1::WebhookEvent_IsValid(request.event())) {
    return InvalidFieldError("event", "unknown event");
  }
  return ValidateSigningSecret(request.signing_secret());
}

absl::Status ValidateRequest(const v1::DeleteWebhookRequest& request,
                             ApiVersion) {
  switch (request.webhook_case()) {
    case v1::DeleteWebhookRequest::kId:
      if (request.id() <= 0) return InvalidFieldError("id", "must be positive");
      return absl::OkStatus();
    case v1::DeleteWebhookRequest::kTargetUrl:
      return ValidateTargetUrl(request.target_url());
    default:
      return InvalidFieldError("id", "give the webhook's id or target_url");
  }
}

}  // namespace ucgate::api
