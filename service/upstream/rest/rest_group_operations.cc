#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/api/page_token.h"
#include "service/common/url.h"
#include "service/restapi/file_json.h"
#include "service/restapi/group_json.h"
#include "service/restapi/limits.h"
#include "service/upstream/rest/listing_page.h"
#include "service/upstream/rest/rest_operations.h"
#include "service/upstream/stack/batch_splitting.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

class RestGroupOperations final : public GroupOperations {
 public:
  RestGroupOperations(std::shared_ptr<const RestClient> rest,
                      std::shared_ptr<FileOperations> batch_files)
      : rest_(std::move(rest)), batch_files_(std::move(batch_files)) {}

  absl::StatusOr<v1::ListGroupsResponse> ListGroups(
      const CallContext& context,
      const v1::ListGroupsRequest& request) override {
    const uint64_t fingerprint =
        api::PagedRequestFingerprint(rest_->options().project_name, request);
    QueryParams query;
    AppendLimit(request.page_size(), api::kDefaultPageSize, query);
    if (request.ordering() == v1::GROUP_ORDERING_DATETIME_CREATED) {
      query.emplace_back("ordering", "datetime_created");
    } else if (request.ordering() == v1::GROUP_ORDERING_DATETIME_CREATED_DESC) {
      query.emplace_back("ordering", "-datetime_created");
    }
    if (absl::Status status = AppendListingPosition(
            request.page_token(), fingerprint, request.from(), query);
        !status.ok()) {
      return status;
    }
    return GetListingPage<v1::ListGroupsResponse>(*rest_, context, "/groups/",
                                                  query, fingerprint,
                                                  restapi::ParseGroupListPage);
  }

  absl::StatusOr<v1::GetGroupResponse> GetGroup(
      const CallContext& context, const v1::GetGroupRequest& request) override {
    v1::GetGroupResponse result;
    absl::StatusOr<v1::Group> group = FetchGroup(context, request.id());
    if (!group.ok()) return group.status();
    *result.mutable_group() = *std::move(group);
    return result;
  }

  absl::StatusOr<v1::DeleteGroupResponse> DeleteGroup(
      const CallContext& context,
      const v1::DeleteGroupRequest& request) override {
    absl::StatusOr<http::HttpResponse> response =
        rest_->Call(context, HttpMethod::kDelete,
                    absl::StrCat("/groups/", request.id(), "/"), "");
    if (!response.ok()) return response.status();
    return v1::DeleteGroupResponse();
  }

  absl::StatusOr<v1::StoreGroupResponse> StoreGroup(
      const CallContext& context,
      const v1::StoreGroupRequest& request) override {
    if (rest_->api_version() == ApiVersion::kV06) {
      return RespondWith<v1::StoreGroupResponse>([&](auto& result) {
        return rest_->CallAndParse(
            context, HttpMethod::kPut,
            absl::StrCat("/groups/", request.id(), "/storage/"), "",
            restapi::ParseGroup, result.mutable_group());
      });
    }
    // v0.7 dropped the group store: store the group's present files with
    // batch store (split into upstream batches by batch_files_), then answer
    // the group as it is now.
    absl::StatusOr<v1::Group> group = FetchGroup(context, request.id());
    if (!group.ok()) return group.status();
    v1::StoreGroupResponse result;
    v1::BatchStoreFilesRequest store;
    for (const v1::GroupFile& entry : group->files()) {
      if (!entry.removed() && !entry.file().has_datetime_stored()) {
        store.add_uuids(entry.file().uuid());
      }
    }
    if (store.uuids().empty()) {
      *result.mutable_group() = *std::move(group);
      return result;
    }
    absl::StatusOr<v1::BatchStoreFilesResponse> stored =
        batch_files_->BatchStoreFiles(context, store);
    if (!stored.ok()) return stored.status();
    *result.mutable_problems() = std::move(*stored->mutable_problems());
    absl::StatusOr<v1::Group> after = FetchGroup(context, request.id());
    if (!after.ok()) return after.status();
    *result.mutable_group() = *std::move(after);
    return result;
  }

 private:
  absl::StatusOr<v1::Group> FetchGroup(const CallContext& context,
                                       absl::string_view id) {
    return RespondWith<v1::Group>([&](auto& group) {
      return rest_->CallAndParse(context, HttpMethod::kGet,
                                 absl::StrCat("/groups/", id, "/"), "",
                                 restapi::ParseGroup, &group);
    });
  }

  std::shared_ptr<const RestClient> rest_;
  std::shared_ptr<FileOperations> batch_files_;
};

class RestProjectOperations final : public ProjectOperations {
 public:
  explicit RestProjectOperations(std::shared_ptr<const RestClient> rest)
      : rest_(std::move(rest)) {}

  absl::StatusOr<v1::GetProjectResponse> GetProject(
      const CallContext& context, const v1::GetProjectRequest&) override {
    return RespondWith<v1::GetProjectResponse>([&](auto& result) {
      return rest_->CallAndParse(context, HttpMethod::kGet, "/project/", "",
                                 restapi::ParseProject,
                                 result.mutable_project());
    });
  }

 private:
  std::shared_ptr<const RestClient> rest_;
};

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

std::unique_ptr<GroupOperations> MakeRestGroupOperations(
    std::shared_ptr<const RestClient> rest,
    std::shared_ptr<FileOperations> batch_files) {
  if (!batch_files) {
    batch_files = MakeBatchSplittingFileOperations(
        MakeRestFileOperations(rest), {restapi::kMaxUuidsPerRequest, 1},
        nullptr);
  }
  return std::make_unique<RestGroupOperations>(std::move(rest),
                                               std::move(batch_files));
}

std::unique_ptr<ProjectOperations> MakeRestProjectOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestProjectOperations>(std::move(rest));
}

std::unique_ptr<WebhookOperations> MakeRestWebhookOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestWebhookOperations>(std::move(rest));
}

}  // namespace ucgate::upstream
