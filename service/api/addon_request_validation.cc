#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/api/limits.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"

namespace ucgate::api {
namespace {

absl::Status ValidateAddon(v1::Addon addon) {
  if (addon == v1::ADDON_UNSPECIFIED || !v1::Addon_IsValid(addon)) {
    return InvalidFieldError("addon",
                             "is required (one of the four known add-ons)");
  }
  return absl::OkStatus();
}

// remove.bg's enumerated options; the free-form ones (crop_margin, scale,
// roi, position) are the service's to judge.
absl::Status ValidateRemoveBgParams(const v1::RemoveBgParams& params) {
  struct Choice {
    const char* field;
    const std::string& value;
    std::initializer_list<absl::string_view> allowed;
  };
  const Choice choices[] = {
      {"remove_bg.type_level",
       params.type_level(),
       {"none", "1", "2", "latest"}},
      {"remove_bg.type", params.type(), {"auto", "person", "product", "car"}},
      {"remove_bg.channels", params.channels(), {"rgba", "alpha"}},
  };
  for (const Choice& choice : choices) {
    if (choice.value.empty()) continue;
    bool known = false;
    for (absl::string_view allowed : choice.allowed)
      known |= allowed == choice.value;
    if (!known) {
      return InvalidFieldError(
          choice.field,
          absl::StrCat("one of ", absl::StrJoin(choice.allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequest(const v1::ExecuteAddonRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateAddon(request.addon()); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateUuid("target", request.target());
      !status.ok()) {
    return status;
  }
  const bool params_match =
      (request.params_case() == v1::ExecuteAddonRequest::PARAMS_NOT_SET) ||
      (request.has_clamav_virus_scan() &&
       request.addon() == v1::ADDON_UC_CLAMAV_VIRUS_SCAN) ||
      (request.has_remove_bg() && request.addon() == v1::ADDON_REMOVE_BG);
  if (!params_match) {
    return InvalidFieldError("params",
                             "the parameters belong to another add-on");
  }
  if (request.has_remove_bg())
    return ValidateRemoveBgParams(request.remove_bg());
  return absl::OkStatus();
}

absl::Status ValidateRequest(const v1::GetAddonExecutionStatusRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateAddon(request.addon()); !status.ok()) {
    return status;
  }
  return ValidateUuid("request_id", request.request_id());
}

// A watch polls the run's status: it names what a status call names.
absl::Status ValidateRequest(const v1::WatchAddonExecutionRequest& request,
                             ApiVersion version) {
  v1::GetAddonExecutionStatusRequest status_request;
  status_request.set_addon(request.addon());
  status_request.set_request_id(request.request_id());
  return ValidateRequest(status_request, version);
}

}  // namespace ucgate::api
