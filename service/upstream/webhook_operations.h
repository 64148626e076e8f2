// The WebhookService operations of one Uploadcare project (see file_operations.h
// for how the layers stack).
#pragma once

#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

// WebhookService's operations: (RPC, idempotent).
#define UCGATE_WEBHOOK_OPERATIONS(X) \
  X(ListWebhooks, true) \
  X(CreateWebhook, false) \
  X(UpdateWebhook, true) \
  X(DeleteWebhook, true)

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

class WebhookOperations {
 public:
  virtual ~WebhookOperations() = default;
  UCGATE_WEBHOOK_OPERATIONS(UCGATE_DECLARE_OPERATION)
};

}  // namespace ucgate::upstream
