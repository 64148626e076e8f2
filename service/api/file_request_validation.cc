#include <algorithm>
#include <set>
#include <string>
#include <utility>

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

// Tags as the service checks them: normalized first (lowercased, surrounding
// whitespace stripped; empty ones and repeats dropped), then at most kMaxTags,
// each at most kMaxTagLength characters of Latin letters, digits, '-', '_'
// and '.'. What the service would accept passes as written.
absl::Status ValidateTags(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& tags) {
  std::set<std::string> normalized;
  for (const std::string& tag : tags) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(tag));
    if (name.empty()) continue;
    const bool valid =
        name.size() <= kMaxTagLength &&
        std::all_of(name.begin(), name.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                 c == '-' || c == '_' || c == '.';
        });
    if (!valid) {
      return InvalidFieldError(
          field,
          absl::StrCat(QuoteValue(tag), ": tags are at most ", kMaxTagLength,
                       " characters of Latin letters, digits, '-', "
                       "'_' and '.'"));
    }
    normalized.insert(std::move(name));
  }
  if (normalized.size() > static_cast<size_t>(kMaxTags)) {
    return InvalidFieldError(field,
                             absl::StrCat("at most ", kMaxTags, " tags"));
  }
  return absl::OkStatus();
}

// A full-text value of search: unset, or at least 4 characters.
absl::Status ValidateFullText(absl::string_view field, absl::string_view text) {
  if (!text.empty() && text.size() < 4) {
    return InvalidFieldError(field,
                             "full-text values have at least 4 characters");
  }
  return absl::OkStatus();
}

bool HasConditions(const v1::SearchFilesRequest& request) {
  const v1::SearchPhrase& phrase = request.phrase();
  const v1::SearchExact& exact = request.exact();
  const v1::SearchTags& tags = request.tags();
  return !request.query().empty() || !phrase.original_filename().empty() ||
         !phrase.detected_mime_type().empty() || !phrase.metadata().empty() ||
         !exact.uuids().empty() || !exact.detected_mime_types().empty() ||
         !exact.original_filenames().empty() || !exact.metadata().empty() ||
         request.has_datetime_uploaded() || request.has_size() ||
         request.has_is_image() || !tags.any().empty() || !tags.all().empty() ||
         !tags.none().empty();
}

absl::Status ValidateSearchExact(const v1::SearchFilesRequest& request) {
  const v1::SearchPhrase& phrase = request.phrase();
  const v1::SearchExact& exact = request.exact();
  struct Both {
    bool in_phrase, in_exact;
    const char* field;
  };
  for (const Both& both :
       {Both{!phrase.original_filename().empty(),
             !exact.original_filenames().empty(), "exact.original_filenames"},
        Both{!phrase.detected_mime_type().empty(),
             !exact.detected_mime_types().empty(), "exact.detected_mime_types"},
        Both{!phrase.metadata().empty(), !exact.metadata().empty(),
             "exact.metadata"}}) {
    if (both.in_phrase && both.in_exact) {
      return InvalidFieldError(both.field,
                               "a field may not be in both phrase and exact");
    }
  }
  for (const std::string& uuid : exact.uuids()) {
    if (!IsValidUuid(uuid)) {
      return InvalidFieldError(
          "exact.uuids", absl::StrCat(QuoteValue(uuid), " is not a UUID"));
    }
  }
  for (const v1::SearchMetadataValues& entry : exact.metadata()) {
    if (!IsValidKey(entry.key())) {
      return InvalidFieldError(
          "exact.metadata.key",
          "keys are 1 to 64 characters of letters, digits, '_', '-', '.', ':'");
    }
    if (entry.values().empty()) {
      return InvalidFieldError(
          "exact.metadata.values",
          absl::StrCat("give at least one value for '", entry.key(), "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSearchSort(
    const google::protobuf::RepeatedPtrField<v1::SearchSort>& sort) {
  if (sort.size() > 4) {
    return InvalidFieldError("sort", "at most 4 sort keys");
  }
  std::set<int> fields;
  for (const v1::SearchSort& key : sort) {
    if (key.field() == v1::SEARCH_SORT_FIELD_UNSPECIFIED ||
        !v1::SearchSortField_IsValid(key.field())) {
      return InvalidFieldError("sort.field",
                               "is required (e.g. SEARCH_SORT_FIELD_SIZE)");
    }
    if (!fields.insert(key.field()).second) {
      return InvalidFieldError("sort.field", "each field at most once");
    }
  }
  return absl::OkStatus();
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
  // Neither list is a valid no-op for the service too: it answers the tags.
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
                             ApiVersion) {
  if (request.page_size() < 0 || request.page_size() > kMaxSearchPageSize) {
    return InvalidFieldError(
        "page_size",
        absl::StrCat("must be between 0 (default ", kDefaultSearchPageSize,
                     ") and ", kMaxSearchPageSize, ", got ",
                     request.page_size()));
  }
  if (!HasConditions(request)) {
    return InvalidFieldError(
        "query",
        "give a condition: query, phrase, exact, datetime_uploaded, "
        "size, is_image or tags");
  }
  for (const auto& [field, text] :
       {std::pair<const char*, const std::string*>{"query", &request.query()},
        {"phrase.original_filename", &request.phrase().original_filename()},
        {"phrase.detected_mime_type", &request.phrase().detected_mime_type()},
        {"phrase.metadata", &request.phrase().metadata()}}) {
    if (absl::Status status = ValidateFullText(field, *text); !status.ok()) {
      return status;
    }
  }
  if (absl::Status status = ValidateSearchExact(request); !status.ok()) {
    return status;
  }
  const v1::SearchTimeRange& dates = request.datetime_uploaded();
  if (request.has_datetime_uploaded() && !dates.has_gt() && !dates.has_gte() &&
      !dates.has_lt() && !dates.has_lte()) {
    return InvalidFieldError("datetime_uploaded", "give at least one bound");
  }
  const v1::SearchSizeRange& size = request.size();
  if (request.has_size() && !size.has_gt() && !size.has_gte() &&
      !size.has_lt() && !size.has_lte()) {
    return InvalidFieldError("size", "give at least one bound");
  }
  for (const auto& [field, tags] :
       {std::pair<const char*,
                  const google::protobuf::RepeatedPtrField<std::string>*>{
            "tags.any", &request.tags().any()},
        {"tags.all", &request.tags().all()},
        {"tags.none", &request.tags().none()}}) {
    if (absl::Status status = ValidateTags(field, *tags); !status.ok()) {
      return status;
    }
  }
  return ValidateSearchSort(request.sort());
}

}  // namespace ucgate::api
