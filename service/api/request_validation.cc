#include "service/api/request_validation.h"

#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/common/status.h"
#include "service/common/uuid.h"

namespace ucgate::api {

absl::Status CheckVersion(const rpc::Traits& traits, ApiVersion version) {
  const bool available =
      version == ApiVersion::kV06 ? traits.versions.v06 : traits.versions.v07;
  if (available) return absl::OkStatus();
  const bool on_v06 = version == ApiVersion::kV06;
  return absl::FailedPreconditionError(absl::StrCat(
      traits.versions.feature, " exist only on API ", on_v06 ? "v0.7" : "v0.6",
      " upstreams; this project uses ", on_v06 ? "v0.6" : "v0.7"));
}

absl::Status CheckPageToken(absl::string_view project,
                            const google::protobuf::Message& request,
                            absl::string_view page_token) {
  if (page_token.empty()) return absl::OkStatus();
  return DecodePageToken(page_token, PagedRequestFingerprint(project, request))
      .status();
}

absl::Status CheckResumeToken(absl::string_view project,
                              const google::protobuf::Message& request,
                              absl::string_view resume_token,
                              const google::protobuf::Message& page_request) {
  if (resume_token.empty()) return absl::OkStatus();
  absl::StatusOr<ResumePoint> start = DecodeResumeToken(
      resume_token, PagedRequestFingerprint(project, request));
  if (!start.ok()) return start.status();
  if (start->page_token.empty()) return absl::OkStatus();
  return DecodePageToken(start->page_token,
                         PagedRequestFingerprint(project, page_request),
                         "resume_token")
      .status();
}

absl::Status ValidateUuid(absl::string_view field, absl::string_view uuid) {
  if (uuid.empty()) return InvalidFieldError(field, "is required");
  if (!IsValidUuid(uuid)) {
    return InvalidFieldError(
        field, absl::StrCat("'", uuid,
                            "' is not a UUID (expected "
                            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePageSize(int32_t page_size) {
  if (page_size < 0 || page_size > kMaxPageSize) {
    return InvalidFieldError(
        "page_size",
        absl::StrCat("must be between 0 (default ", kDefaultPageSize, ") and ",
                     kMaxPageSize, ", got ", page_size));
  }
  return absl::OkStatus();
}

}  // namespace ucgate::api
