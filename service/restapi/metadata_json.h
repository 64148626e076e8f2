// Upstream JSON of a file's sub-resources (v0.7): metadata, tags and search
// (the service's "2026 additions", as the official JS client 6.21 reads
// them). Same conventions as file_json.h: parse errors are
// INTERNAL naming the JSON path, outputs are cleared on error, and the
// writers produce exactly what the parsers read (the emulator uses them).
// The parsers live in file_json_parser.cc, next to the file parser whose
// document handling and file reader they share.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "uploadcare/gateway/v1/file.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::restapi {

namespace v1 = ::uploadcare::gateway::v1;

// A bare JSON string document ("value"): GET/PUT /files/{uuid}/metadata/{key}/.
absl::Status ParseBareString(const std::string& body, std::string* value);

// {"key": "value", ...}: GET /files/{uuid}/metadata/. A null value is no
// entry, as in a file's `metadata`.
absl::Status ParseStringObject(
    const std::string& body,
    google::protobuf::Map<std::string, std::string>* map);

// ["a", "b"] (kept for callers of plain string lists).
absl::Status ParseStringArray(
    const std::string& body,
    google::protobuf::RepeatedPtrField<std::string>* items);

// The tags answers: {"tags": [...]} of GET /files/{uuid}/tags/, and
// {"tags": [...], "added": [...], "deleted": [...]} of PUT and PATCH.
// `added` and `deleted` may be null (GET); `tags` is required.
struct TagsAnswer {
  google::protobuf::RepeatedPtrField<std::string>* tags = nullptr;
  google::protobuf::RepeatedPtrField<std::string>* added = nullptr;
  google::protobuf::RepeatedPtrField<std::string>* deleted = nullptr;
};
absl::Status ParseTagsAnswer(const std::string& body, const TagsAnswer& answer);
// Writes {"tags"[, "added", "deleted"]}: the change lists when given.
void AppendTagsAnswer(
    const google::protobuf::RepeatedPtrField<std::string>& tags,
    const google::protobuf::RepeatedPtrField<std::string>* added,
    const google::protobuf::RepeatedPtrField<std::string>* deleted,
    std::string* out);

// POST /files/search/: the paginated list shape, {"next": URL or null,
// "previous": URL or null, "total": N, "per_page": N, "results": [file plus
// "highlight"...]}. Fills files, highlights (one per file) and total_size of
// `page` (not next_page_token) and sets `has_next` when `next` is a URL.
absl::Status ParseFileSearchPage(const std::string& body,
                                 v1::SearchFilesResponse* page, bool* has_next);

// The body of POST /files/search/: the request's conditions in the order and
// spelling of the official JS client (query, phrase, exact, datetime_uploaded,
// size, is_image, fuzziness, tags, sort), each only when set. Dates go as
// JavaScript's toISOString writes them (milliseconds) when that is exact.
std::string SearchFilesBody(const v1::SearchFilesRequest& request);

// Writes that shape: `files` as v0.7 file objects, each with its highlight
// (`highlights` one per file; `{}` when there is none); empty URLs are null.
struct SearchPageOptions {
  std::string next;
  std::string previous;
  int64_t per_page = 0;
  bool include_appdata = false;  // each file's `appdata`
};
void AppendFileSearchPage(
    const google::protobuf::RepeatedPtrField<v1::File>& files,
    const google::protobuf::RepeatedPtrField<v1::SearchHighlight>& highlights,
    int64_t total, const SearchPageOptions& links, std::string* out);

}  // namespace ucgate::restapi
