// Upstream JSON of a file's sub-resources: metadata (v0.7), tags and search
// (the gateway's own contract, served by the emulator; see
// rest_file_operations.cc). Same conventions as file_json.h: parse errors are
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

// ["a", "b"]: the tags answers.
absl::Status ParseStringArray(
    const std::string& body,
    google::protobuf::RepeatedPtrField<std::string>* items);

// POST /files/search/: {"next_cursor": string or null, "total": N,
// "results": [file...]}. Fills files and total_size of `page` (not
// next_page_token) and sets `next_cursor` (empty when null).
absl::Status ParseFileSearchPage(const std::string& body,
                                 v1::SearchFilesResponse* page,
                                 std::string* next_cursor);

// Writers (JsonWriter::StringObject and StringArray write the others).
// `files` written as v0.7 file objects; `next_cursor` empty writes null.
void AppendFileSearchPage(
    const google::protobuf::RepeatedPtrField<v1::File>& files, int64_t total,
    absl::string_view next_cursor, std::string* out);

}  // namespace ucgate::restapi
