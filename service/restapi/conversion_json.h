// Upstream JSON of conversions (/convert/document/, /convert/video/), same
// conventions as file_json.h: parse errors are INTERNAL naming the JSON path,
// outputs are cleared on error, and the writers (used by the emulator)
// produce what the parsers read.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"

namespace ucgate::restapi {

namespace v1 = ::uploadcare::gateway::v1;

// POST /convert/document/ and /convert/video/: {"result": [{original_source,
// uuid, token, thumbnails_group_uuid}], "problems": {path: reason}}.
absl::Status ParseConversionJobs(
    const std::string& body,
    google::protobuf::RepeatedPtrField<v1::ConversionJob>* jobs,
    google::protobuf::Map<std::string, std::string>* problems);

// GET /convert/{document,video}/status/{token}/: {"status", "error",
// "result": {"uuid", "thumbnails_group_uuid"}}. An unknown status string is
// CONVERSION_STATUS_UNSPECIFIED (kept parseable if the service adds one).
struct ConversionStatusAnswer {
  v1::ConversionStatus status = v1::CONVERSION_STATUS_UNSPECIFIED;
  std::string error;
  std::string result_uuid;
  std::string thumbnails_group_uuid;
};
absl::Status ParseConversionStatus(const std::string& body,
                                   ConversionStatusAnswer* answer);

// GET /convert/document/{uuid}/: {"error", "format": {"name",
// "conversion_formats": [{"name"}], "converted_groups": {fmt: "uuid~N"}}}
// (converted_groups is also accepted at the top level).
absl::Status ParseDocumentConversionInfo(
    const std::string& body, v1::GetDocumentConversionInfoResponse* info);

// "finished" <-> CONVERSION_STATUS_FINISHED; "" for UNSPECIFIED.
v1::ConversionStatus ConversionStatusFromName(absl::string_view name);
absl::string_view ConversionStatusName(v1::ConversionStatus status);

// Writers. thumbnails_group_uuid is written only when set (document jobs
// have none); an empty error is null; result is null without a result_uuid.
void AppendConversionJobsJson(
    const google::protobuf::RepeatedPtrField<v1::ConversionJob>& jobs,
    const google::protobuf::Map<std::string, std::string>& problems,
    std::string* out);
void AppendConversionStatusJson(const ConversionStatusAnswer& answer,
                                std::string* out);
void AppendDocumentConversionInfoJson(
    const v1::GetDocumentConversionInfoResponse& info, std::string* out);

}  // namespace ucgate::restapi
