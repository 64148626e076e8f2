// Checks WebhookService requests before anything is sent.
#pragma once

#include "absl/status/status.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

absl::Status ValidateRequest(const v1::ListWebhooksRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::CreateWebhookRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::UpdateWebhookRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::DeleteWebhookRequest& request,
                             ApiVersion version);

}  // namespace ucgate::upstream
