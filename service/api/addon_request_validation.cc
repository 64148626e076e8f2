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

// What every add-on call names: an add-on, on a v0.7 upstream.
absl::Status ValidateAddonCall(v1::Addon addon, ApiVersion version) {
  if (version != ApiVersion::kV07) {
    return absl::FailedPreconditionError(
        "add-ons exist only on API v0.7 upstreams; this project uses v0.6");
  }
  return ValidateAddon(addon);
}

}  // namespace

absl::Status ValidateRequest(const v1::ExecuteAddonRequest& request,
                             ApiVersion version) {
  if (absl::Status status = ValidateAddonCall(request.addon(), version);
      !status.ok()) {
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
                             ApiVersion version) {
  if (absl::Status status = ValidateAddonCall(request.addon(), version);
      !status.ok()) {
    return status;
  }
  return ValidateUuid("request_id", request.request_id());
}

}  // namespace ucgate::api
