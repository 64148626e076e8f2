// The one place that knows the upstream JSON shape of files: parsing (simdjson
// on-demand, the hot path) and writing (used by the emulator, and by
// round-trip tests). Both upstream versions map to and from one File message.
//
// Parsers take the body as a std::string: when its spare capacity is at least
// ucgate::http::kBodyPadding (as HttpClient guarantees) it is parsed in place,
// otherwise it is copied into a padded buffer first. Malformed JSON or a
// wrong type is an INTERNAL error naming the JSON path ("results[3].size"),
// never a crash, and the output message is left cleared, never half filled.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/file.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::json {

namespace v1 = ::uploadcare::gateway::v1;

// One file object (GET/PUT/DELETE /files/{uuid}/...). Accepts the v0.6 and
// v0.7 shapes and any mix of them (recorded answers show both).
absl::Status ParseFile(const std::string& body, v1::File* file);

// Told a listing page's `next` URL (empty when null) as soon as the parser
// reads it, before the rest of the page is mapped: the upstream sends `next`
// first, so a stream can start fetching the next page while this one is
// still being mapped. Not called when the page fails to parse before `next`.
using NextUrlListener = std::function<void(const std::string& next_url)>;

// One page of GET /files/. Fills files, total_size and totals of `page`
// (not next_page_token) and sets `next_url` to the upstream's `next` (empty
// when null); `on_next_url` (may be empty) hears it early.
absl::Status ParseFileListPage(const std::string& body,
                               v1::ListFilesResponse* page,
                               std::string* next_url,
                               const NextUrlListener& on_next_url = {});

// PUT/DELETE /files/storage/: {"status", "problems", "result": [file...]}.
// Works for both batch responses (they share the shape).
absl::Status ParseBatchResult(
    const std::string& body,
    google::protobuf::RepeatedPtrField<v1::File>* files,
    google::protobuf::Map<std::string, std::string>* problems);

// POST /files/local_copy/: {"type": "file", "result": {file}}.
absl::Status ParseLocalCopyResult(const std::string& body, v1::File* file);

// POST /files/remote_copy/: {"type": "url", "result": "s3://..."}.
absl::Status ParseRemoteCopyResult(const std::string& body, std::string* url);

// Writes `file` as the upstream would answer in `version`: v0.7 with
// content_info/metadata (tags when there are any; appdata when
// include_appdata), v0.6 with
// image_info/video_info (and rekognition_info when include_rekognition_info).
// Unset optional fields are written as null, as the service does.
struct FileJsonOptions {
  ApiVersion version = ApiVersion::kV07;
  bool include_appdata = false;
  bool include_rekognition_info = false;
};
void AppendFileJson(const v1::File& file, const FileJsonOptions& options,
                    std::string* out);

// Appends `text` as a JSON string literal (quotes and escapes included; see
// ucgate::AppendJsonString, which this is).
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace ucgate::json
