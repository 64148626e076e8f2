// Checks GroupService and ProjectService requests before anything is sent.
#pragma once

#include "absl/status/status.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/group_service.pb.h"
#include "uploadcare/gateway/v1/project_service.pb.h"

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

// "uuid~N" with N >= 1.
bool IsValidGroupId(absl::string_view id);

absl::Status ValidateRequest(const v1::ListGroupsRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetGroupRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::DeleteGroupRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::StoreGroupRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetProjectRequest& request,
                             ApiVersion version);

}  // namespace ucgate::upstream
