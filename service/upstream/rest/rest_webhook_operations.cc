#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/restapi/file_json.h"
#include "service/restapi/group_json.h"
#include "service/upstream/rest/rest_operations.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

// {"name": value, ...} from the fields a webhook request sets.
class JsonObjectBuilder {
 public:
  void String(absl::string_view name, absl::string_view value) {
    Key(name);
    restapi::AppendJsonString(value, &body_);
  }
  void Bool(absl::string_view name, bool value) {
    Key(name);
    body_.append(value ? "true" : "false");
  }
  std::string Finish() && { return std::move(body_) + "}"; }

 private:
  void Key(absl::string_view name) {
    if (body_.size() > 1) body_.push_back(',');
    restapi::AppendJsonString(name, &body_);
    body_.push_back(':');
  }
  std::string body_ = "{";
};

class RestWebhookOperations final : public WebhookOperations {
 public:
  explicit RestWebhookOperations(std::shared_ptr<const RestClient> rest)
      : rest_(std::move(rest)) {}

  absl::StatusOr<v1::ListWebhooksResponse> ListWebhooks(
      const CallContext& context, const v1::ListWebhooksRequest&) override {
    return RespondWith<v1::ListWebhooksResponse>([&](auto& result) {
      return rest_->CallAndParse(context, HttpMethod::kGet, "/webhooks/", "",
                                 restapi::ParseWebhookList,
                                 result.mutable_webhooks());
    });
  }

  absl::StatusOr<v1::CreateWebhookResponse> CreateWebhook(
      const CallContext& context,
      const v1::CreateWebhookRequest& request) override {
    JsonObjectBuilder body;
    body.String("target_url", request.target_url());
    body.String("event", restapi::WebhookEventName(request.event()));
    if (request.has_is_active()) body.Bool("is_active", request.is_active());
    if (!request.signing_secret().empty()) {
      body.String("signing_secret", request.signing_secret());
    }
    body.String("version",
                request.version().empty() ? "0.7" : request.version());
    return RespondWith<v1::CreateWebhookResponse>([&](auto& result) {
      return CallForWebhook(context, HttpMethod::kPost, "/webhooks/",
                            std::move(body).Finish(), result.mutable_webhook());
    });
  }

  absl::StatusOr<v1::UpdateWebhookResponse> UpdateWebhook(
      const CallContext& context,
      const v1::UpdateWebhookRequest& request) override {
    JsonObjectBuilder body;
    if (request.has_target_url())
      body.String("target_url", request.target_url());
    if (request.event() != v1::WEBHOOK_EVENT_UNSPECIFIED) {
      body.String("event", restapi::WebhookEventName(request.event()));
    }
    if (request.has_is_active()) body.Bool("is_active", request.is_active());
    if (request.has_signing_secret()) {
      body.String("signing_secret", request.signing_secret());
    }
    return RespondWith<v1::UpdateWebhookResponse>([&](auto& result) {
      return CallForWebhook(context, HttpMethod::kPut,
                            absl::StrCat("/webhooks/", request.id(), "/"),
                            std::move(body).Finish(), result.mutable_webhook());
    });
  }

  absl::StatusOr<v1::DeleteWebhookResponse> DeleteWebhook(
      const CallContext& context,
      const v1::DeleteWebhookRequest& request) override {
    JsonObjectBuilder body;
    body.String("target_url", request.target_url());
    absl::StatusOr<http::HttpResponse> response =
        rest_->Call(context, HttpMethod::kDelete, "/webhooks/unsubscribe/",
                    std::move(body).Finish());
    if (!response.ok()) return response.status();
    return v1::DeleteWebhookResponse();
  }

 private:
  absl::Status CallForWebhook(const CallContext& context, HttpMethod method,
                              absl::string_view path, std::string body,
                              v1::Webhook* webhook) {
    return rest_->CallAndParse(context, method, path, std::move(body),
                               restapi::ParseWebhook, webhook);
  }

  std::shared_ptr<const RestClient> rest_;
};

}  // namespace

std::unique_ptr<WebhookOperations> MakeRestWebhookOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestWebhookOperations>(std::move(rest));
}

}  // namespace ucgate::upstream
