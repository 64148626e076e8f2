// The webhooks resource of the REST API (per project):
//   GET    /webhooks/               every subscription, a plain JSON array
//   POST   /webhooks/               subscribe; 201 with the webhook
//   PUT    /webhooks/{id}/          partial update
//   DELETE /webhooks/unsubscribe/   body {target_url}; 204
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterWebhooksRoutes(Router& router);

}  // namespace ucgate::emulator
