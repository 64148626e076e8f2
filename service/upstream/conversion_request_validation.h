// Checks ConversionService requests before anything is sent.
#pragma once

#include "absl/status/status.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

absl::Status ValidateRequest(const v1::ConvertDocumentRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(
    const v1::GetDocumentConversionStatusRequest& request, ApiVersion version);
absl::Status ValidateRequest(
    const v1::GetDocumentConversionInfoRequest& request, ApiVersion version);
absl::Status ValidateRequest(const v1::ConvertVideoRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetVideoConversionStatusRequest& request,
                             ApiVersion version);

}  // namespace ucgate::upstream
