#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/url.h"
#include "service/restapi/addon_json.h"
#include "service/upstream/rest/rest_operations.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

class RestAddonOperations final : public AddonOperations {
 public:
  explicit RestAddonOperations(std::shared_ptr<const RestClient> rest)
      : rest_(std::move(rest)) {}

  absl::StatusOr<v1::ExecuteAddonResponse> ExecuteAddon(
      const CallContext& context,
      const v1::ExecuteAddonRequest& request) override {
    return RespondWith<v1::ExecuteAddonResponse>([&](auto& result) {
      return rest_->CallAndParse(
          context, HttpMethod::kPost,
          absl::StrCat("/addons/", restapi::AddonName(request.addon()),
                       "/execute/"),
          restapi::AddonExecuteBody(request), restapi::ParseAddonExecution,
          &result);
    });
  }

  absl::StatusOr<v1::GetAddonExecutionStatusResponse> GetAddonExecutionStatus(
      const CallContext& context,
      const v1::GetAddonExecutionStatusRequest& request) override {
    QueryParams query;
    query.emplace_back("request_id", request.request_id());
    return RespondWith<v1::GetAddonExecutionStatusResponse>([&](auto& result) {
      return rest_->CallAndParse(
          context, HttpMethod::kGet,
          WithQuery(
              absl::StrCat("/addons/", restapi::AddonName(request.addon()),
                           "/execute/status/"),
              query),
          "", restapi::ParseAddonExecutionStatus, &result);
    });
  }

 private:
  std::shared_ptr<const RestClient> rest_;
};

}  // namespace

std::unique_ptr<AddonOperations> MakeRestAddonOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestAddonOperations>(std::move(rest));
}

}  // namespace ucgate::upstream
