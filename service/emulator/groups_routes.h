// The groups resource of the REST API:
//   GET    /groups/                     list (cursor pagination by
//                                       datetime_created)
//   GET    /groups/{uuid~N}/            group info with its files (removed
//                                       ones as null)
//   DELETE /groups/{uuid~N}/            delete the group (the files stay); 204
//   PUT    /groups/{uuid~N}/storage/    v0.6 only: store every file
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterGroupsRoutes(Router& router);

}  // namespace ucgate::emulator
