#include "service/emulator/file_extras_routes.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxTagLength = 100;
constexpr char kTagRule[] =
    "Ensure each tag has at most 100 characters of Latin letters, digits, "
    "'-', '_' and '.'.";
constexpr char kKeyRule[] =
    "Ensure this field has 1 to 64 characters of letters, digits, '_', '-', "
    "'.', ':'.";

ApiResponse NotFound() { return DetailError(404, "Not found."); }

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

// Tags (v0.7), with the service's rules: normalized (lowercased, trimmed,
// empty ones and repeats dropped, the first kept, order kept), at most 50
// per file, each at most 100 characters of [a-z0-9_.-] once normalized.

ApiResponse TagsAnswer(const v1::File& file,
                       const std::vector<std::string>* before) {
  std::string body;
  if (before == nullptr) {
    restapi::AppendTagsAnswer(file.tags(), nullptr, nullptr, &body);
    return JsonResponse(200, std::move(body));
  }
  const std::set<std::string> old_set(before->begin(), before->end());
  const std::set<std::string> new_set(file.tags().begin(), file.tags().end());
  google::protobuf::RepeatedPtrField<std::string> added, deleted;
  for (const std::string& tag : new_set) {  // sorted, as the service answers
    if (old_set.count(tag) == 0) *added.Add() = tag;
  }
  for (const std::string& tag : old_set) {
    if (new_set.count(tag) == 0) *deleted.Add() = tag;
  }
  restapi::AppendTagsAnswer(file.tags(), &added, &deleted, &body);
  return JsonResponse(200, std::move(body));
}

}  // namespace

std::optional<std::vector<std::string>> ReadNormalizedTags(
    const rapidjson::Value& value, absl::string_view field,
    FieldErrors* errors) {
  if (!value.IsArray()) {
    errors->Add(field, "Expected a list of items.");
    return std::nullopt;
  }
  std::vector<std::string> tags;
  for (const rapidjson::Value& item : value.GetArray()) {
    if (!item.IsString()) {
      errors->Add(field, "Not a valid string.");
      return std::nullopt;
    }
    std::string tag = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
        absl::string_view(item.GetString(), item.GetStringLength())));
    if (tag.empty()) continue;
    const bool valid =
        tag.size() <= kMaxTagLength &&
        std::all_of(tag.begin(), tag.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                 c == '-' || c == '_' || c == '.';
        });
    if (!valid) {
      errors->Add(field, kTagRule);
      return std::nullopt;
    }
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) {
      tags.push_back(std::move(tag));
    }
  }
  return tags;
}

namespace {

// Sets a file's tags to what `change` makes of them; the answer lists what
// was added and deleted.
ApiResponse ChangeTags(
    const ApiRequest& request,
    absl::FunctionRef<std::vector<std::string>(std::vector<std::string>)>
        change) {
  std::vector<std::string> before;
  bool too_many = false;
  absl::StatusOr<v1::File> updated = request.project->files.Update(
      request.path_params[0],
      [&](v1::File& file) {
        before.assign(file.tags().begin(), file.tags().end());
        std::vector<std::string> tags = change(before);
        if (tags.size() > kMaxTags) {
          too_many = true;
          return absl::FailedPreconditionError("too many tags");
        }
        file.clear_tags();
        for (std::string& tag : tags) file.add_tags(std::move(tag));
        return absl::OkStatus();
      },
      request.now);
  if (too_many) {
    return FieldErrors("tags", "Ensure a file has no more than 50 tags.")
        .ToResponse();
  }
  if (!updated.ok()) return StatusAnswer(updated.status());
  return TagsAnswer(*updated, &before);
}

// The file, or the 404 answer (tags are v0.7 only, like metadata).
std::optional<ApiResponse> MissingFile(const ApiRequest& request) {
  if (request.version == ApiVersion::kV06 ||
      !request.project->files.Get(request.path_params[0])) {
    return NotFound();
  }
  return std::nullopt;
}

ApiResponse GetTags(const ApiRequest& request) {
  if (auto missing = MissingFile(request)) return *missing;
  return TagsAnswer(*request.project->files.Get(request.path_params[0]),
                    nullptr);
}

// PUT {"tags": [...]}: replaces the set ([] clears it).
ApiResponse PutTags(const ApiRequest& request) {
  if (auto missing = MissingFile(request)) return *missing;
  rapidjson::Document body;
  if (auto error = ParseRequestBody(request, &body)) return *error;
  if (!body.IsObject()) {
    return FieldErrors("non_field_errors", "Expected an object.").ToResponse();
  }
  auto member = body.FindMember("tags");
  if (member == body.MemberEnd()) {
    return FieldErrors("tags", "This field is required.").ToResponse();
  }
  FieldErrors errors;
  std::optional<std::vector<std::string>> tags =
      ReadNormalizedTags(member->value, "tags", &errors);
  if (!tags) return errors.ToResponse();
  return ChangeTags(request, [&](std::vector<std::string>) { return *tags; });
}

// PATCH {"add"?: [...], "delete"?: [...]}: delete first, then add (new tags
// go last); {} changes nothing.
ApiResponse PatchTags(const ApiRequest& request) {
  if (auto missing = MissingFile(request)) return *missing;
  rapidjson::Document body;
  if (auto error = ParseRequestBody(request, &body)) return *error;
  if (!body.IsObject()) {
    return FieldErrors("non_field_errors", "Expected an object.").ToResponse();
  }
  FieldErrors errors;
  std::vector<std::string> lists[2];
  const char* fields[2] = {"add", "delete"};
  for (int i = 0; i < 2; ++i) {
    auto member = body.FindMember(fields[i]);
    if (member == body.MemberEnd() || member->value.IsNull()) continue;
    if (auto tags = ReadNormalizedTags(member->value, fields[i], &errors)) {
      lists[i] = std::move(*tags);
    }
  }
  if (!errors.empty()) return errors.ToResponse();
  const std::vector<std::string>& add = lists[0];
  const std::vector<std::string>& remove = lists[1];
  return ChangeTags(request, [&](std::vector<std::string> tags) {
    tags.erase(std::remove_if(tags.begin(), tags.end(),
                              [&](const std::string& tag) {
                                return std::find(remove.begin(), remove.end(),
                                                 tag) != remove.end();
                              }),
               tags.end());
    for (const std::string& tag : add) {
      if (std::find(tags.begin(), tags.end(), tag) == tags.end()) {
        tags.push_back(tag);
      }
    }
    return tags;
  });
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
}

}  // namespace ucgate::emulator
