// A file's metadata and tags (v0.7), as the service serves them:
//   GET    /files/{uuid}/metadata/        {key: value, ...}
//   GET    /files/{uuid}/metadata/{key}/  "value"
//   PUT    /files/{uuid}/metadata/{key}/  body "value"; 201 "value"
//   DELETE /files/{uuid}/metadata/{key}/  204
//   GET    /files/{uuid}/tags/            {"tags": [...]} (stored order)
//   PUT    /files/{uuid}/tags/            body {"tags": [...]}
//   PATCH  /files/{uuid}/tags/            body {"add"?: [...], "delete"?:
//   [...]}
// PUT and PATCH answer {"tags", "added", "deleted"} (the last two sorted).
// Metadata lives in the File's `metadata` (so file info shows it), tags in
// its `tags`. Unknown files and keys are 404 {"detail": "Not found."}; bad
// keys, values and tags are 400 field maps. A v0.6 project has neither: those
// paths answer 404 there.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"
#include "service/emulator/api_types.h"
#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterFileExtrasRoutes(Router& router);

// A JSON list of tags, normalized as the service does; nullopt (with the
// field's error added) when it is not a list of valid tags. Search's tag
// conditions read theirs the same way.
std::optional<std::vector<std::string>> ReadNormalizedTags(
    const rapidjson::Value& value, absl::string_view field,
    FieldErrors* errors);

}  // namespace ucgate::emulator
