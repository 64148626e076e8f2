// The project resource of the REST API: GET /project/ (name, public key,
// autostore, collaborators; never a secret).
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterProjectRoutes(Router& router);

}  // namespace ucgate::emulator
