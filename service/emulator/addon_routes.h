// The add-on resource of the REST API (runs in JobStore):
//   POST /addons/{name}/execute/                      run an add-on on a file
//   GET  /addons/{name}/execute/status/?request_id=   a run's state
// Unknown add-on names answer 404, a second run of the same add-on on the
// same file while one is in progress 409, bad UUIDs 400 field maps.
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterAddonRoutes(Router& router);

}  // namespace ucgate::emulator
