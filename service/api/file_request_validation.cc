#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/api/limits.h"
#include "service/api/listing_filters.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"
#include "service/common/uuid.h"

namespace ucgate::api {
namespace {

// A copy source is a UUID, a UUID followed by CDN operations
// ("uuid/-/resize/10x10/"), or a CDN URL.
absl::Status ValidateCopySource(absl::string_view source) {
  if (source.empty()) return InvalidFieldError("source", "is required");
  if (absl::StartsWith(source, "https://") ||
      absl::StartsWith(source, "http://")) {
    return absl::OkStatus();
  }
  absl::string_view uuid = source.substr(0, source.find('/'));
  if (!IsValidUuid(uuid)) {
    return InvalidFieldError(
        "source",
        "must be a file UUID, a UUID with CDN operations, or a CDN URL");
  }
  return absl::OkStatus();
}

absl::Status ValidateBatch(
    const google::protobuf::RepeatedPtrField<std::string>& uuids) {
  if (uuids.empty())
    return InvalidFieldError("uuids", "at least one UUID is required");
  // Malformed UUIDs are per-UUID problems of the answer, not a refusal.
  if (uuids.size() > kMaxBatchUuids) {
    return InvalidFieldError(
        "uuids", absl::StrCat("at most ", kMaxBatchUuids,
                              " UUIDs per request, got ", uuids.size()));
  }
  return absl::OkStatus();
}

// include_appdata is v0.7's, include_rekognition_info v0.6's (List and Get).
template <typename Request>
absl::Status ValidateIncludeOptions(const Request& request,
                                    ApiVersion version) {
  if (request.include_appdata() && version == ApiVersion::kV06) {
    return InvalidFieldError("include_appdata",
                             "appdata exists only on API v0.7 upstreams");
  }
  if (request.include_rekognition_info() && version != ApiVersion::kV06) {
    return InvalidFieldError(
        "include_rekognition_info",
        "exists only on API v0.6 upstreams; on v0.7 use include_appdata");
  }
  return absl::OkStatus();
}

bool IsDateOrdering(v1::FileOrdering ordering) {
  return ordering == v1::FILE_ORDERING_UNSPECIFIED ||
         ordering == v1::FILE_ORDERING_DATETIME_UPLOADED ||
         ordering == v1::FILE_ORDERING_DATETIME_UPLOADED_DESC;
}

// Metadata keys and tags share one alphabet.
bool IsKeyCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

bool IsValidKey(absl::string_view key) {
  if (key.empty() || key.size() > kMaxMetadataKeyLength) return false;
  for (char c : key) {
    if (!IsKeyCharacter(c)) return false;
  }
  return true;
}

absl::Status ValidateKey(absl::string_view key) {
  if (!IsValidKey(key)) {
    return InvalidFieldError(
        "key",
        "keys are 1 to 64 characters of letters, digits, '_', '-', '.', ':'");
  }
  return absl::OkStatus();
}

absl::Status ValidateTags(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& tags) {
  if (tags.size() > kMaxMetadataKeys) {
    return InvalidFieldError(
        field, absl::StrCat("at most ", kMaxMetadataKeys, " tags"));
  }
  for (const std::string& tag : tags) {
    if (!IsValidKey(tag)) {
      return InvalidFieldError(
          field,
          absl::StrCat(QuoteValue(tag),
                       ": tags are 1 to 64 characters of letters, digits, "
                       "'_', '-', '.', ':'"));
    }
  }
  return absl::OkStatus();
}

// RFC 6838 restricted names: letters, digits and !#$&-^_.+ (first a letter
// or digit), at most 127 characters.
bool IsMimeToken(absl::string_view token) {
  if (token.empty() || token.size() > 127 ||
      !absl::ascii_isalnum(static_cast<unsigned char>(token[0]))) {
    return false;
  }
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        absl::string_view("!#$&-^_.+").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

// "type/subtype" or "type/*".
bool IsMimeTypePattern(absl::string_view pattern) {
  const size_t slash = pattern.find('/');
  if (slash == absl::string_view::npos) return false;
  absl::string_view subtype = pattern.substr(slash + 1);
  return IsMimeToken(pattern.substr(0, slash)) &&
         (subtype == "*" || IsMimeToken(subtype));
}

// The file and key that every per-key metadata call names.
absl::Status ValidateMetadataKeyCall(const std::string& uuid,
                                     const std::string& key) {
  if (absl::Status status = ValidateUuid("uuid", uuid); !status.ok())
    return status;
  return ValidateKey(key);
}

// "metadata[key]", quoting only a short prefix of an overlong key.
std::string MetadataKeyField(absl::string_view field, absl::string_view key) {
  return absl::StrCat(
      field, "[", key.size() <= kMaxMetadataKeyLength ? key : QuoteValue(key),
      "]");
}

}  // namespace

absl::Status ValidateMetadata(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& metadata) {
  if (metadata.size() > kMaxMetadataKeys) {
    return InvalidFieldError(
        field, absl::StrCat("at most ", kMaxMetadataKeys, " keys, got ",
                            metadata.size()));
  }
  for (const auto& [key, value] : metadata) {
    if (!IsValidKey(key)) {
      return InvalidFieldError(
          MetadataKeyField(field, key),
          "keys are 1 to 64 characters of letters, digits, '_', '-', '.', ':'");
    }
    if (value.empty() || value.size() > kMaxMetadataValueLength) {
      return InvalidFieldError(MetadataKeyField(field, key),
                               "values are 1 to 512 characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequest(const v1::ListFilesRequest& request,
                             ApiVersion version) {
  if (absl::Status status = ValidatePageSize(request.page_size());
      !status.ok()) {
    return status;
  }
  if (!v1::FileOrdering_IsValid(request.ordering())) {
    return InvalidFieldError("ordering", "unknown ordering");
  }
  if (!IsDateOrdering(request.ordering()) && version != ApiVersion::kV06) {
    return InvalidFieldError("ordering",
                             "size orderings exist only on API v0.6 upstreams");
  }
  if (!request.from().empty()) {
    if (IsDateOrdering(request.ordering())) {
      absl::Time ignored;
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, request.from(), &ignored,
                           &error) &&
          !absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", request.from(), &ignored,
                           &error) &&
          !absl::ParseTime("%Y-%m-%d", request.from(), &ignored, &error)) {
        return InvalidFieldError(
            "from", "must be an ISO-8601 date-time, e.g. 2015-09-10T10:00:00Z");
      }
    } else {
      int64_t size = 0;
      if (!absl::SimpleAtoi(request.from(), &size) || size < 0) {
        return InvalidFieldError("from",
                                 "must be a size in bytes for size orderings");
      }
    }
  }
  return ValidateIncludeOptions(request, version);
}

absl::Status ValidateRequest(const v1::GetFileRequest& request,
                             ApiVersion version) {
  if (absl::Status status = ValidateIncludeOptions(request, version);
      !status.ok()) {
    return status;
  }
  return ValidateUuid("uuid", request.uuid());
}

absl::Status ValidateRequest(const v1::StoreFileRequest& request, ApiVersion) {
  return ValidateUuid("uuid", request.uuid());
}

absl::Status ValidateRequest(const v1::DeleteFileRequest& request, ApiVersion) {
  return ValidateUuid("uuid", request.uuid());
}

absl::Status ValidateRequest(const v1::BatchStoreFilesRequest& request,
                             ApiVersion) {
  return ValidateBatch(request.uuids());
}

absl::Status ValidateRequest(const v1::BatchDeleteFilesRequest& request,
                             ApiVersion) {
  return ValidateBatch(request.uuids());
}

absl::Status ValidateRequest(const v1::CopyFileToLocalStorageRequest& request,
                             ApiVersion version) {
  if (absl::Status status = ValidateCopySource(request.source());
      !status.ok()) {
    return status;
  }
  if (!request.metadata().empty() && version == ApiVersion::kV06) {
    return InvalidFieldError("metadata",
                             "metadata exists only on API v0.7 upstreams");
  }
  return ValidateMetadata("metadata", request.metadata());
}

absl::Status ValidateRequest(const v1::CopyFileToRemoteStorageRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateCopySource(request.source());
      !status.ok()) {
    return status;
  }
  if (request.target().empty()) {
    return InvalidFieldError("target", "is required (a custom storage name)");
  }
  return absl::OkStatus();
}

absl::Status ValidateRequest(const v1::GetFileMetadataRequest& request,
                             ApiVersion) {
  return ValidateUuid("uuid", request.uuid());
}

absl::Status ValidateRequest(const v1::GetFileMetadataKeyRequest& request,
                             ApiVersion) {
  return ValidateMetadataKeyCall(request.uuid(), request.key());
}

absl::Status ValidateRequest(const v1::UpdateFileMetadataKeyRequest& request,
                             ApiVersion) {
  if (absl::Status status =
          ValidateMetadataKeyCall(request.uuid(), request.key());
      !status.ok()) {
    return status;
  }
  if (request.value().empty() ||
      request.value().size() > kMaxMetadataValueLength) {
    return InvalidFieldError("value", "values are 1 to 512 characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateRequest(const v1::DeleteFileMetadataKeyRequest& request,
                             ApiVersion) {
  return ValidateMetadataKeyCall(request.uuid(), request.key());
}

absl::Status ValidateRequest(const v1::GetFileTagsRequest& request,
                             ApiVersion) {
  return ValidateUuid("uuid", request.uuid());
}

absl::Status ValidateRequest(const v1::ReplaceFileTagsRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateUuid("uuid", request.uuid()); !status.ok())
    return status;
  return ValidateTags("tags", request.tags());
}

absl::Status ValidateRequest(const v1::UpdateFileTagsRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateUuid("uuid", request.uuid()); !status.ok())
    return status;
  if (request.add().empty() && request.remove().empty()) {
    return InvalidFieldError("add", "give tags to add or to remove");
  }
  if (absl::Status status = ValidateTags("add", request.add()); !status.ok())
    return status;
  return ValidateTags("remove", request.remove());
}

// A stream's filters are its page requests' filters.
absl::Status ValidateRequest(const v1::StreamFilesRequest& request,
                             ApiVersion version) {
  return ValidateRequest(PageRequestOf(request), version);
}

absl::Status ValidateRequest(const v1::SearchFilesRequest& request,
                             ApiVersion version) {
  if (absl::Status status = ValidatePageSize(request.page_size());
      !status.ok()) {
    return status;
  }
  if (!request.mime_type().empty() && !IsMimeTypePattern(request.mime_type())) {
    return InvalidFieldError(
        "mime_type",
        "must be a MIME type (\"image/png\") or a type with a "
        "wildcard subtype (\"image/*\")");
  }
  if (!request.metadata().empty() && version == ApiVersion::kV06) {
    return InvalidFieldError("metadata",
                             "metadata exists only on API v0.7 upstreams");
  }
  if (absl::Status status = ValidateMetadata("metadata", request.metadata());
      !status.ok()) {
    return status;
  }
  return ValidateTags("tags", request.tags());
}

}  // namespace ucgate::api
