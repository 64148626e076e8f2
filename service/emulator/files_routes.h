// The files resource of the REST API (v0.7, with the v0.6 differences):
//   GET    /files/                      list (cursor pagination)
//   GET    /files/{uuid}/               file info
//   DELETE /files/{uuid}/               v0.6 delete; v0.7 answers 405
//   PUT    /files/{uuid}/storage/       store
//   DELETE /files/{uuid}/storage/       delete (v0.6: 302 to /files/{uuid}/)
//   PUT    /files/storage/              batch store (at most 100 UUIDs)
//   DELETE /files/storage/              batch delete
//   POST   /files/local_copy/           copy to the project's storage
//   POST   /files/remote_copy/          copy to the custom storage
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterFilesRoutes(Router& router);

}  // namespace ucgate::emulator
