#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/api/page_token.h"
#include "service/common/url.h"
#include "service/restapi/group_json.h"
#include "service/upstream/rest/listing_page.h"
#include "service/upstream/rest/rest_operations.h"

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

}  // namespace

std::unique_ptr<GroupOperations> MakeRestGroupOperations(
    std::shared_ptr<const RestClient> rest,
    std::shared_ptr<FileOperations> batch_files) {
  return std::make_unique<RestGroupOperations>(std::move(rest),
                                               std::move(batch_files));
}

}  // namespace ucgate::upstream
