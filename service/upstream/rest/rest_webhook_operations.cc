#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/restapi/group_json.h"
#include "service/restapi/json_writer.h"
#include "service/upstream/rest/rest_operations.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

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
    std::string body;
    restapi::JsonWriter json(&body);
    json.BeginObject()
        .Key("target_url")
        .String(request.target_url())
        .Key("event")
        .String(restapi::WebhookEventName(request.event()));
    if (request.has_is_active())
      json.Key("is_active").Bool(request.is_active());
    if (!request.signing_secret().empty()) {
      json.Key("signing_secret").String(request.signing_secret());
    }
    // Only when set: the service's default is "0.7", its only version.
    if (request.has_version()) json.Key("version").String(request.version());
    json.EndObject();
    return RespondWith<v1::CreateWebhookResponse>([&](auto& result) {
      return CallForWebhook(context, HttpMethod::kPost, "/webhooks/",
                            std::move(body), result.mutable_webhook());
    });
  }

  absl::StatusOr<v1::UpdateWebhookResponse> UpdateWebhook(
      const CallContext& context,
      const v1::UpdateWebhookRequest& request) override {
    // Only the fields the caller set.
    std::string body;
    restapi::JsonWriter json(&body);
    json.BeginObject();
    if (request.has_target_url()) {
      json.Key("target_url").String(request.target_url());
    }
    if (request.event() != v1::WEBHOOK_EVENT_UNSPECIFIED) {
      json.Key("event").String(restapi::WebhookEventName(request.event()));
    }
    if (request.has_is_active())
      json.Key("is_active").Bool(request.is_active());
    if (request.has_signing_secret()) {
      json.Key("signing_secret").String(request.signing_secret());
    }
    json.EndObject();
    return RespondWith<v1::UpdateWebhookResponse>([&](auto& result) {
      return CallForWebhook(context, HttpMethod::kPut,
                            absl::StrCat("/webhooks/", request.id(), "/"),
                            std::move(body), result.mutable_webhook());
    });
  }

  absl::StatusOr<v1::DeleteWebhookResponse> DeleteWebhook(
      const CallContext& context,
      const v1::DeleteWebhookRequest& request) override {
    if (request.webhook_case() == v1::DeleteWebhookRequest::kId) {
      // The live service's delete by id (204); the JS client lacks it.
      absl::StatusOr<http::HttpResponse> response =
          rest_->Call(context, HttpMethod::kDelete,
                      absl::StrCat("/webhooks/", request.id(), "/"), "");
      if (!response.ok()) return response.status();
      return v1::DeleteWebhookResponse();
    }
    std::string body;
    restapi::JsonWriter(&body)
        .BeginObject()
        .Key("target_url")
        .String(request.target_url())
        .EndObject();
    absl::StatusOr<http::HttpResponse> response =
        rest_->Call(context, HttpMethod::kDelete, "/webhooks/unsubscribe/",
                    std::move(body));
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
