#include "service/emulator/file_extras_routes.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "service/emulator/api_types.h"
#include "service/emulator/file_store.h"
#include "service/emulator/project_data.h"
#include "service/emulator/request_body.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"
#include "service/restapi/limits.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

using restapi::kMaxMetadataKeyLength;
using restapi::kMaxMetadataKeys;
using restapi::kMaxMetadataValueLength;
constexpr char kKeyRule[] =
    "Ensure this field has 1 to 64 characters of letters, digits, '_', '-', "
    "'.', ':'.";

ApiResponse NotFound() { return DetailError(404, "Not found."); }

// Metadata keys and tags share the alphabet [A-Za-z0-9_.:-].
bool IsValidKey(absl::string_view key) {
  if (key.empty() || key.size() > kMaxMetadataKeyLength) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '-' || c == '.' || c == ':';
  });
}

ApiResponse StatusAnswer(const absl::Status& status) {
  if (absl::IsNotFound(status)) return NotFound();
  return DetailError(500, status.message());
}

// Metadata.

ApiResponse GetMetadata(const ApiRequest& request) {
  if (request.version == ApiVersion::kV06) return NotFound();
  std::optional<v1::File> file =
      request.project->files.Get(request.path_params[0]);
  if (!file) return NotFound();
  std::string body;
  restapi::JsonWriter(&body).StringObject(file->metadata());
  return JsonResponse(200, std::move(body));
}

ApiResponse GetMetadataKey(const ApiRequest& request) {
  if (request.version == ApiVersion::kV06) return NotFound();
  std::optional<v1::File> file =
      request.project->files.Get(request.path_params[0]);
  if (!file) return NotFound();
  auto value = file->metadata().find(request.path_params[1]);
  if (value == file->metadata().end()) return NotFound();
  std::string body;
  restapi::JsonWriter(&body).String(value->second);
  return JsonResponse(200, std::move(body));
}

ApiResponse PutMetadataKey(const ApiRequest& request) {
  if (request.version == ApiVersion::kV06) return NotFound();
  const std::string& key = request.path_params[1];
  if (!request.project->files.Get(request.path_params[0])) return NotFound();
  if (!IsValidKey(key)) return FieldErrors("key", kKeyRule).ToResponse();
  std::string value;
  if (request.body == nullptr ||
      !restapi::ParseBareString(*request.body, &value).ok()) {
    return FieldErrors("value", "Not a valid string.").ToResponse();
  }
  if (value.empty() || value.size() > kMaxMetadataValueLength) {
    return FieldErrors("value", "Ensure this field has 1 to 512 characters.")
        .ToResponse();
  }
  bool too_many = false;
  absl::StatusOr<v1::File> updated = request.project->files.Update(
      request.path_params[0],
      [&](v1::File& file) {
        auto& metadata = *file.mutable_metadata();
        if (!metadata.contains(key) && metadata.size() >= kMaxMetadataKeys) {
          too_many = true;
          return absl::FailedPreconditionError("too many keys");
        }
        metadata[key] = value;
        return absl::OkStatus();
      },
      request.now);
  if (too_many) {
    return FieldErrors("key", "Ensure a file has no more than 50 keys.")
        .ToResponse();
  }
  if (!updated.ok()) return StatusAnswer(updated.status());
  std::string body;
  restapi::JsonWriter(&body).String(value);
  // The service answers 201 for new and existing keys alike.
  return JsonResponse(201, std::move(body));
}

ApiResponse DeleteMetadataKey(const ApiRequest& request) {
  if (request.version == ApiVersion::kV06) return NotFound();
  const std::string& key = request.path_params[1];
  absl::StatusOr<v1::File> updated = request.project->files.Update(
      request.path_params[0],
      [&](v1::File& file) {
        if (file.mutable_metadata()->erase(key) == 0) {
          return absl::NotFoundError("no such key");
        }
        return absl::OkStatus();
      },
      request.now);
  if (!updated.ok()) return StatusAnswer(updated.status());
  ApiResponse response;
  response.status = 204;
  return response;
}

// Tags.

ApiResponse TagsAnswer(const v1::File& file) {
  std::string body;
  restapi::JsonWriter(&body).StringArray(file.tags());
  return JsonResponse(200, std::move(body));
}

// Reads a JSON array of tags into `tags`, or says why it cannot.
bool ReadTags(const rapidjson::Value& value, absl::string_view field,
              std::set<std::string>* tags, FieldErrors* errors) {
  if (!value.IsArray()) {
    errors->Add(field, "Expected a list of items.");
    return false;
  }
  for (const rapidjson::Value& item : value.GetArray()) {
    if (!item.IsString() || !IsValidKey(absl::string_view(
                                item.GetString(), item.GetStringLength()))) {
      errors->Add(field, kKeyRule);
      return false;
    }
    tags->emplace(item.GetString(), item.GetStringLength());
  }
  return true;
}

ApiResponse WriteTags(const ApiRequest& request,
                      const std::set<std::string>& add,
                      const std::set<std::string>& remove, bool replace) {
  bool too_many = false;
  absl::StatusOr<v1::File> updated = request.project->files.Update(
      request.path_params[0],
      [&](v1::File& file) {
        std::set<std::string> tags;
        if (!replace) tags.insert(file.tags().begin(), file.tags().end());
        for (const std::string& tag : remove) tags.erase(tag);
        tags.insert(add.begin(), add.end());
        if (tags.size() > kMaxMetadataKeys) {
          too_many = true;
          return absl::FailedPreconditionError("too many tags");
        }
        file.clear_tags();
        for (const std::string& tag : tags) file.add_tags(tag);  // sorted
        return absl::OkStatus();
      },
      request.now);
  if (too_many) {
    return FieldErrors("tags", "Ensure a file has no more than 50 tags.")
        .ToResponse();
  }
  if (!updated.ok()) return StatusAnswer(updated.status());
  return TagsAnswer(*updated);
}

ApiResponse GetTags(const ApiRequest& request) {
  std::optional<v1::File> file =
      request.project->files.Get(request.path_params[0]);
  if (!file) return NotFound();
  return TagsAnswer(*file);
}

ApiResponse PutTags(const ApiRequest& request) {
  if (!request.project->files.Get(request.path_params[0])) return NotFound();
  rapidjson::Document body;
  if (auto error = ParseRequestBody(request, &body)) return *error;
  FieldErrors errors;
  std::set<std::string> tags;
  if (!ReadTags(body, "tags", &tags, &errors)) return errors.ToResponse();
  return WriteTags(request, tags, {}, /*replace=*/true);
}

ApiResponse PatchTags(const ApiRequest& request) {
  if (!request.project->files.Get(request.path_params[0])) return NotFound();
  rapidjson::Document body;
  if (auto error = ParseRequestBody(request, &body)) return *error;
  if (!body.IsObject()) {
    return FieldErrors("non_field_errors", "Expected an object.").ToResponse();
  }
  FieldErrors errors;
  std::set<std::string> add;
  std::set<std::string> remove;
  for (const char* field : {"add", "remove"}) {
    auto member = body.FindMember(field);
    if (member == body.MemberEnd()) continue;
    ReadTags(member->value, field, field[0] == 'a' ? &add : &remove, &errors);
  }
  if (!errors.empty()) return errors.ToResponse();
  return WriteTags(request, add, remove, /*replace=*/false);
}

// Search.

struct SearchFilters {
  std::string filename_contains;  // lower case
  std::string mime_type;          // "image/png", or "image/" for "image/*"
  bool mime_prefix = false;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::string> tags;
  std::optional<bool> stored;
  bool include_removed = false;
};

bool Matches(const v1::File& file, const SearchFilters& filters) {
  if (!filters.include_removed && file.has_datetime_removed()) return false;
  if (filters.stored && *filters.stored != file.has_datetime_stored()) {
    return false;
  }
  if (!filters.filename_contains.empty() &&
      !absl::StrContains(absl::AsciiStrToLower(file.original_filename()),
                         filters.filename_contains)) {
    return false;
  }
  if (!filters.mime_type.empty() &&
      !(filters.mime_prefix
            ? absl::StartsWith(file.mime_type(), filters.mime_type)
            : file.mime_type() == filters.mime_type)) {
    return false;
  }
  for (const auto& [key, value] : filters.metadata) {
    auto found = file.metadata().find(key);
    if (found == file.metadata().end() || found->second != value) return false;
  }
  for (const std::string& tag : filters.tags) {
    if (std::find(file.tags().begin(), file.tags().end(), tag) ==
        file.tags().end()) {
      return false;
    }
  }
  return true;
}

const rapidjson::Value* Member(const rapidjson::Value& object,
                               const char* name) {
  auto member = object.FindMember(name);
  if (member == object.MemberEnd() || member->value.IsNull()) return nullptr;
  return &member->value;
}

std::string StringOf(const rapidjson::Value& value) {
  return std::string(value.GetString(), value.GetStringLength());
}

// The cursor is the offset of the next page, opaque to clients ("o<N>").
ApiResponse Search(const ApiRequest& request) {
  rapidjson::Document body;
  if (auto error = ParseRequestBody(request, &body)) return *error;
  if (!body.IsObject()) {
    return FieldErrors("non_field_errors", "Expected an object.").ToResponse();
  }
  FieldErrors errors;
  SearchFilters filters;
  int64_t limit = 100;
  int64_t offset = 0;
  if (const rapidjson::Value* value = Member(body, "filename_contains")) {
    if (value->IsString()) {
      filters.filename_contains = absl::AsciiStrToLower(StringOf(*value));
    } else {
      errors.Add("filename_contains", "Not a valid string.");
    }
  }
  if (const rapidjson::Value* value = Member(body, "mime_type")) {
    std::string mime = value->IsString() ? StringOf(*value) : "";
    if (!value->IsString()) {
      errors.Add("mime_type", "Not a valid string.");
    } else if (absl::EndsWith(mime, "/*")) {
      filters.mime_type = mime.substr(0, mime.size() - 1);
      filters.mime_prefix = true;
    } else {
      filters.mime_type = mime;
    }
  }
  if (const rapidjson::Value* value = Member(body, "metadata")) {
    if (!value->IsObject()) {
      errors.Add("metadata", "Expected a dictionary of items.");
    } else {
      for (const auto& entry : value->GetObject()) {
        if (!entry.value.IsString()) {
          errors.Add("metadata", "Values must be strings.");
          break;
        }
        filters.metadata.emplace_back(StringOf(entry.name),
                                      StringOf(entry.value));
      }
    }
  }
  if (const rapidjson::Value* value = Member(body, "tags")) {
    std::set<std::string> tags;
    if (ReadTags(*value, "tags", &tags, &errors)) {
      filters.tags.assign(tags.begin(), tags.end());
    }
  }
  if (const rapidjson::Value* value = Member(body, "stored")) {
    if (value->IsBool()) {
      filters.stored = value->GetBool();
    } else {
      errors.Add("stored", "Must be a valid boolean.");
    }
  }
  if (const rapidjson::Value* value = Member(body, "include_removed")) {
    if (value->IsBool()) {
      filters.include_removed = value->GetBool();
    } else {
      errors.Add("include_removed", "Must be a valid boolean.");
    }
  }
  if (const rapidjson::Value* value = Member(body, "limit")) {
    if (!value->IsInt64() || value->GetInt64() < 1 ||
        value->GetInt64() > restapi::kMaxPageSize) {
      errors.Add("limit", "Ensure this value is between 1 and 1000.");
    } else {
      limit = value->GetInt64();
    }
  }
  if (const rapidjson::Value* value = Member(body, "cursor")) {
    std::string cursor = value->IsString() ? StringOf(*value) : "";
    if (!absl::StartsWith(cursor, "o") ||
        !absl::SimpleAtoi(absl::string_view(cursor).substr(1), &offset) ||
        offset < 0) {
      errors.Add("cursor", "Invalid cursor.");
    }
  }
  if (!errors.empty()) return errors.ToResponse();

  std::vector<v1::File> files = request.project->files.All();
  google::protobuf::RepeatedPtrField<v1::File> page;
  int64_t total = 0;
  // All() is oldest first; answers are newest first.
  for (auto file = files.rbegin(); file != files.rend(); ++file) {
    if (!Matches(*file, filters)) continue;
    if (total >= offset && total < offset + limit)
      *page.Add() = std::move(*file);
    ++total;
  }
  const std::string next =
      offset + limit < total ? absl::StrCat("o", offset + limit) : "";
  std::string answer;
  restapi::AppendFileSearchPage(page, total, next, &answer);
  return JsonResponse(200, std::move(answer));
}

}  // namespace

void RegisterFileExtrasRoutes(Router& router) {
  router.Add("GET", "/files/{uuid}/metadata/", GetMetadata);
  router.Add("GET", "/files/{uuid}/metadata/{key}/", GetMetadataKey);
  router.Add("PUT", "/files/{uuid}/metadata/{key}/", PutMetadataKey);
  router.Add("DELETE", "/files/{uuid}/metadata/{key}/", DeleteMetadataKey);
  router.Add("GET", "/files/{uuid}/tags/", GetTags);
  router.Add("PUT", "/files/{uuid}/tags/", PutTags);
  router.Add("PATCH", "/files/{uuid}/tags/", PatchTags);
  router.Add("POST", "/files/search/", Search);
}

}  // namespace ucgate::emulator
