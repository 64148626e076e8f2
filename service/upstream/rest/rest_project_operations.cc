#include <utility>

#include "service/restapi/group_json.h"
#include "service/upstream/rest/rest_operations.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

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

}  // namespace

std::unique_ptr<ProjectOperations> MakeRestProjectOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestProjectOperations>(std::move(rest));
}

}  // namespace ucgate::upstream
