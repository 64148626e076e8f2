// AddonService over the REST API: POST /addons/{name}/execute/ with typed
// params, GET /addons/{name}/execute/status/?request_id=.
#pragma once

#include <memory>

#include "service/upstream/addon_operations.h"
#include "service/upstream/rest_client.h"

namespace ucgate::upstream {

std::unique_ptr<AddonOperations> MakeRestAddonOperations(
    std::shared_ptr<const RestClient> rest);

}  // namespace ucgate::upstream
