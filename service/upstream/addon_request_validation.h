// Checks AddonService requests before anything is sent.
#pragma once

#include "absl/status/status.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

absl::Status ValidateRequest(const v1::ExecuteAddonRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetAddonExecutionStatusRequest& request,
                             ApiVersion version);

}  // namespace ucgate::upstream
