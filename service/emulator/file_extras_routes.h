// A file's metadata (v0.7), tags and search (the gateway's contract for the
// last two; see rest_file_operations.cc):
//   GET    /files/{uuid}/metadata/        {key: value, ...}
//   GET    /files/{uuid}/metadata/{key}/  "value"
//   PUT    /files/{uuid}/metadata/{key}/  body "value"; 201 "value"
//   DELETE /files/{uuid}/metadata/{key}/  204
//   GET    /files/{uuid}/tags/            ["a", "b"] (sorted)
//   PUT    /files/{uuid}/tags/            body ["a", "b"]; the tags
//   PATCH  /files/{uuid}/tags/            body {"add": [..], "remove": [..]}
//   POST   /files/search/                 {"next_cursor", "total", "results"}
// Metadata lives in the File's `metadata` (so file info shows it), tags in
// its `tags`. Unknown files and keys are 404 {"detail": "Not found."}; bad
// keys, values and tags are 400 field maps. A v0.6 project has no metadata:
// those paths answer 404 there.
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterFileExtrasRoutes(Router& router);

}  // namespace ucgate::emulator
