#include "service/emulator/webhooks_routes.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "service/emulator/api_types.h"
#include "service/emulator/listing_params.h"
#include "service/emulator/project_data.h"
#include "service/emulator/request_body.h"
#include "service/emulator/webhook_store.h"
#include "service/restapi/group_json.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr size_t kMaxSigningSecret = 32;
constexpr absl::string_view kWebhookVersion = "0.7";
// Django REST framework's wording.
constexpr absl::string_view kRequired = "This field is required.";
constexpr absl::string_view kInvalidUrl = "Enter a valid URL.";
constexpr absl::string_view kNotAString = "Not a valid string.";
// Not recorded from the live service; worded in its style.
constexpr absl::string_view kDuplicate =
    "A webhook with this target_url and event already exists.";

ApiResponse WebhookAnswer(int status, const StoredWebhook& stored) {
  std::string body;
  restapi::AppendWebhookJson(stored.webhook, stored.signing_secret, &body);
  return JsonResponse(status, std::move(body));
}

const rapidjson::Value* Member(const rapidjson::Value& body,
                               absl::string_view name) {
  auto it = body.FindMember(rapidjson::Value(
      name.data(), static_cast<rapidjson::SizeType>(name.size())));
  if (it == body.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

absl::string_view Text(const rapidjson::Value& value) {
  return absl::string_view(value.GetString(), value.GetStringLength());
}

// Django's URLValidator in short: http(s), a host, no spaces.
bool IsValidUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (absl::StartsWithIgnoreCase(rest, "https://")) {
    rest.remove_prefix(8);
  } else if (absl::StartsWithIgnoreCase(rest, "http://")) {
    rest.remove_prefix(7);
  } else {
    return false;
  }
  absl::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == '.' || host.front() == ':') return false;
  for (char c : url) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The fields a POST or PUT may carry, read and checked. `required`: POST.
struct WebhookFields {
  WebhookChanges changes;
  FieldErrors errors;
};

WebhookFields ReadFields(const rapidjson::Value& body, bool required) {
  WebhookFields fields;
  FieldErrors& errors = fields.errors;
  if (const rapidjson::Value* url = Member(body, "target_url")) {
    if (!url->IsString()) {
      errors.Add("target_url", kNotAString);
    } else if (url->GetStringLength() == 0 && required) {
      errors.Add("target_url", "This field may not be blank.");
    } else if (!IsValidUrl(Text(*url))) {
      errors.Add("target_url", kInvalidUrl);
    } else {
      fields.changes.target_url = std::string(Text(*url));
    }
  } else if (required) {
    errors.Add("target_url", kRequired);
  }
  if (const rapidjson::Value* event = Member(body, "event")) {
    std::string name =
        event->IsString() ? std::string(Text(*event)) : JsonText(*event);
    v1::WebhookEvent value = restapi::WebhookEventFromName(name);
    if (value == v1::WEBHOOK_EVENT_UNSPECIFIED) {
      errors.Add("event",
                 absl::StrCat("\"", name, "\" is not a valid choice."));
    } else {
      fields.changes.event = value;
    }
  } else if (required) {
    errors.Add("event", kRequired);
  }
  if (const rapidjson::Value* active = Member(body, "is_active")) {
    std::optional<bool> value;
    if (active->IsBool()) {
      value = active->GetBool();
    } else if (active->IsString()) {
      value = ParseBoolean(Text(*active));
    }
    if (value) {
      fields.changes.is_active = value;
    } else {
      errors.Add("is_active", kInvalidBoolean);
    }
  }
  if (const rapidjson::Value* secret = Member(body, "signing_secret")) {
    if (!secret->IsString()) {
      errors.Add("signing_secret", kNotAString);
    } else if (secret->GetStringLength() > kMaxSigningSecret) {
      errors.Add("signing_secret",
                 absl::StrCat("Ensure this field has no more than ",
                              kMaxSigningSecret, " characters."));
    } else {
      fields.changes.signing_secret = std::string(Text(*secret));
    }
  }
  if (const rapidjson::Value* version = Member(body, "version")) {
    std::string text =
        version->IsString() ? std::string(Text(*version)) : JsonText(*version);
    if (text != kWebhookVersion) {
      errors.Add("version",
                 absl::StrCat("\"", text, "\" is not a valid choice."));
    }
  }
  return fields;
}

// Parses the body as a JSON object; the answer when it is not one.
std::optional<ApiResponse> ReadObject(const ApiRequest& request,
                                      rapidjson::Document* body) {
  if (std::optional<ApiResponse> error = ParseRequestBody(request, body)) {
    return error;
  }
  if (!body->IsObject()) return DetailError(400, "Expected a JSON object.");
  return std::nullopt;
}

ApiResponse ListWebhooks(const ApiRequest& request) {
  std::string body = "[";
  for (const StoredWebhook& stored : request.project->webhooks.List()) {
    if (body.size() > 1) body.push_back(',');
    restapi::AppendWebhookJson(stored.webhook, stored.signing_secret, &body);
  }
  body.push_back(']');
  return JsonResponse(200, std::move(body));
}

ApiResponse CreateWebhook(const ApiRequest& request) {
  rapidjson::Document body;
  if (auto error = ReadObject(request, &body)) return *error;
  WebhookFields fields = ReadFields(body, /*required=*/true);
  if (!fields.errors.empty()) return fields.errors.ToResponse();
  StoredWebhook webhook;
  webhook.webhook.set_target_url(*fields.changes.target_url);
  webhook.webhook.set_event(*fields.changes.event);
  webhook.webhook.set_is_active(fields.changes.is_active.value_or(true));
  webhook.webhook.set_version(std::string(kWebhookVersion));
  webhook.signing_secret = fields.changes.signing_secret.value_or("");
  absl::StatusOr<StoredWebhook> created =
      request.project->webhooks.Create(std::move(webhook), request.now);
  if (!created.ok()) return DetailError(400, kDuplicate);
  return WebhookAnswer(201, *created);
}

ApiResponse UpdateWebhook(const ApiRequest& request) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(request.path_params[0], &id)) {
    return DetailError(404, "Not found.");
  }
  rapidjson::Document body;
  if (auto error = ReadObject(request, &body)) return *error;
  WebhookFields fields = ReadFields(body, /*required=*/false);
  if (!fields.errors.empty()) return fields.errors.ToResponse();
  absl::StatusOr<StoredWebhook> updated =
      request.project->webhooks.Update(id, fields.changes, request.now);
  if (absl::IsNotFound(updated.status())) {
    return DetailError(404, "Not found.");
  }
  if (!updated.ok()) return DetailError(400, kDuplicate);
  return WebhookAnswer(200, *updated);
}

ApiResponse Unsubscribe(const ApiRequest& request) {
  rapidjson::Document body;
  if (auto error = ReadObject(request, &body)) return *error;
  const rapidjson::Value* url = Member(body, "target_url");
  if (url == nullptr || !url->IsString() || url->GetStringLength() == 0) {
    return FieldErrors("target_url", kRequired).ToResponse();
  }
  if (!request.project->webhooks.Unsubscribe(Text(*url))) {
    return DetailError(404, "Not found.");
  }
  ApiResponse response;
  response.status = 204;
  return response;
}

// DELETE /webhooks/{id}/: 204, or 404 for an unknown id.
ApiResponse DeleteWebhook(const ApiRequest& request) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(request.path_params[0], &id) ||
      !request.project->webhooks.Delete(id)) {
    return DetailError(404, "Not found.");
  }
  ApiResponse response;
  response.status = 204;
  return response;
}

}  // namespace

void RegisterWebhooksRoutes(Router& router) {
  // Recorded: rest_webhook_list_unpaid.yml.
  const auto on_plans_with_webhooks = [](RouteHandler handler) {
    return [handler = std::move(handler)](const ApiRequest& request) {
      if (!request.project->config.webhooks_allowed) {
        return DetailError(403, "You can't use webhooks");
      }
      return handler(request);
    };
  };
  router.Add("GET", "/webhooks/", on_plans_with_webhooks(ListWebhooks));
  router.Add("POST", "/webhooks/", on_plans_with_webhooks(CreateWebhook));
  router.Add("PUT", "/webhooks/{id}/", on_plans_with_webhooks(UpdateWebhook));
  router.Add("DELETE", "/webhooks/unsubscribe/",
             on_plans_with_webhooks(Unsubscribe));
  router.Add("DELETE", "/webhooks/{id}/",
             on_plans_with_webhooks(DeleteWebhook));
}

}  // namespace ucgate::emulator
