#include "service/api/request_validation.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "service/api/limits.h"
#include "service/common/status.h"
#include "service/common/uuid.h"

namespace ucgate::api {

namespace {

// Fields with a limit other than kMaxStringLength, by full name.
size_t StringLimitOf(const google::protobuf::FieldDescriptor& field) {
  if (field.name() == "page_token" || field.name() == "resume_token") {
    return kMaxTokenLength;
  }
  const std::string& name = field.full_name();
  if (name == "uploadcare.gateway.v1.SearchFilesRequest.filename_contains") {
    return kMaxFilenameLength;
  }
  if (name == "uploadcare.gateway.v1.CopyFileToRemoteStorageRequest.target") {
    return kMaxStorageNameLength;
  }
  if (name == "uploadcare.gateway.v1.CopyFileToRemoteStorageRequest.pattern") {
    return kMaxCopyPatternLength;
  }
  return kMaxStringLength;
}

absl::Status CheckStringLengthsUnder(const google::protobuf::Message& message,
                                     const std::string& prefix, int depth) {
  using google::protobuf::FieldDescriptor;
  // Request messages nest a few levels; deeper means a recursive type.
  if (depth > 16) return InvalidFieldError(prefix, "nested too deeply");
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path = absl::StrCat(prefix, field->name());
    if (field->is_map()) {
      // Entries are messages with `key` and `value`.
      const FieldDescriptor* value = field->message_type()->map_value();
      const int count = reflection.FieldSize(message, field);
      for (int i = 0; i < count; ++i) {
        const google::protobuf::Message& entry =
            reflection.GetRepeatedMessage(message, field, i);
        for (const FieldDescriptor* part :
             {field->message_type()->map_key(), value}) {
          if (part->type() != FieldDescriptor::TYPE_STRING &&
              part->type() != FieldDescriptor::TYPE_BYTES) {
            continue;
          }
          const std::string text =
              entry.GetReflection()->GetString(entry, part);
          if (text.size() > kMaxStringLength) {
            return InvalidFieldError(absl::StrCat(path, " ", part->name()),
                                     absl::StrCat("at most ", kMaxStringLength,
                                                  " bytes, got ", text.size()));
          }
        }
        if (value->type() == FieldDescriptor::TYPE_MESSAGE) {
          if (absl::Status status = CheckStringLengthsUnder(
                  entry.GetReflection()->GetMessage(entry, value),
                  absl::StrCat(path, "[", i, "]."), depth + 1);
              !status.ok()) {
            return status;
          }
        }
      }
      continue;
    }
    const bool is_string = field->type() == FieldDescriptor::TYPE_STRING ||
                           field->type() == FieldDescriptor::TYPE_BYTES;
    const bool is_message = field->type() == FieldDescriptor::TYPE_MESSAGE;
    if (!is_string && !is_message) continue;
    const size_t limit = StringLimitOf(*field);
    auto check_string = [&](const std::string& text,
                            const std::string& where) -> absl::Status {
      if (text.size() <= limit) return absl::OkStatus();
      return InvalidFieldError(
          where, absl::StrCat("at most ", limit, " bytes, got ", text.size()));
    };
    if (field->is_repeated()) {
      const int count = reflection.FieldSize(message, field);
      for (int i = 0; i < count; ++i) {
        const std::string where = absl::StrCat(path, "[", i, "]");
        absl::Status status =
            is_string
                ? check_string(reflection.GetRepeatedString(message, field, i),
                               where)
                : CheckStringLengthsUnder(
                      reflection.GetRepeatedMessage(message, field, i),
                      absl::StrCat(where, "."), depth + 1);
        if (!status.ok()) return status;
      }
    } else {
      absl::Status status =
          is_string
              ? check_string(reflection.GetString(message, field), path)
              : CheckStringLengthsUnder(reflection.GetMessage(message, field),
                                        absl::StrCat(path, "."), depth + 1);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckStringLengths(const google::protobuf::Message& request) {
  return CheckStringLengthsUnder(request, "", 0);
}

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
        field, absl::StrCat(QuoteValue(uuid),
                            " is not a UUID (expected "
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
