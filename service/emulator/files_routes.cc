#include "service/emulator/files_routes.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rapidjson/document.h"
#include "service/common/uuid.h"
#include "service/emulator/api_types.h"
#include "service/emulator/file_store.h"
#include "service/emulator/listing_params.h"
#include "service/emulator/project_data.h"
#include "service/emulator/request_body.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_time.h"
#include "service/restapi/json_writer.h"
#include "service/restapi/limits.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

// Django REST framework's wording, which the service answers with.
constexpr absl::string_view kRequired = "This field is required.";
constexpr absl::string_view kNotFound = "Not found.";
constexpr absl::string_view kNoSuchStorage =
    "Project has no storage with provided name.";
// Not recorded from the live service; worded in its style.
constexpr absl::string_view kInvalidSource =
    "Expected a file UUID or a CDN URL (https://ucarecdn.com/<uuid>/...).";
constexpr absl::string_view kSourceNotFound = "File with this UUID not found.";
constexpr absl::string_view kSourceRemoved = "File with this UUID is removed.";

ApiResponse NotFound() { return DetailError(404, kNotFound); }

bool HasToken(const std::string* list, absl::string_view token) {
  if (list == nullptr) return false;
  for (absl::string_view item : absl::StrSplit(*list, ',')) {
    if (absl::StripAsciiWhitespace(item) == token) return true;
  }
  return false;
}

// The shape of file objects in this answer: the request's version, with
// appdata (v0.7, include=appdata) or rekognition_info (v0.6,
// add_fields=rekognition_info) when asked for.
restapi::FileJsonOptions RequestedFileShape(const ApiRequest& request) {
  restapi::FileJsonOptions options;
  options.version = request.version;
  if (request.version == ApiVersion::kV07) {
    options.include_appdata = HasToken(request.Query("include"), "appdata");
  } else {
    options.include_rekognition_info =
        HasToken(request.Query("add_fields"), "rekognition_info");
  }
  return options;
}

restapi::FileJsonOptions PlainFileShape(const ApiRequest& request) {
  restapi::FileJsonOptions options;
  options.version = request.version;
  return options;
}

ApiResponse ListFiles(const ApiRequest& request) {
  FieldErrors errors;
  FileListQuery query;
  bool v06 = request.version == ApiVersion::kV06;

  if (const std::string* removed = request.Query("removed")) {
    std::optional<bool> value = ParseBoolean(*removed);
    if (value) {
      query.removed = *value;
    } else {
      errors.Add("removed", kInvalidBoolean);
    }
  }
  if (const std::string* stored = request.Query("stored");
      stored != nullptr && !stored->empty()) {
    query.stored = ParseBoolean(*stored);
    if (!query.stored) errors.Add("stored", kInvalidBoolean);
  }
  query.limit = ParsePageLimit(request, &errors);
  bool by_size = false;
  if (const std::string* ordering = request.Query("ordering")) {
    if (*ordering == "datetime_uploaded") {
      query.ordering = FileOrdering::kUploadedAsc;
    } else if (*ordering == "-datetime_uploaded") {
      query.ordering = FileOrdering::kUploadedDesc;
    } else if (v06 && *ordering == "size") {
      query.ordering = FileOrdering::kSizeAsc;
      by_size = true;
    } else if (v06 && *ordering == "-size") {
      query.ordering = FileOrdering::kSizeDesc;
      by_size = true;
    } else {
      errors.Add("ordering",
                 absl::StrCat("\"", *ordering, "\" is not a valid choice."));
    }
  }
  PagePositions positions = ParsePagePositions(request, by_size, &errors);
  query.from = positions.from;
  query.to = positions.to;
  query.offset = ParsePageOffset(request, &errors);
  if (!errors.empty()) return errors.ToResponse();

  FileListPage page =
      request.project->files.List(query, RequestedFileShape(request));
  std::optional<std::string> next;
  std::optional<std::string> previous;
  auto key_text = [by_size](const FileCursor& cursor) {
    if (!cursor.key) return std::string();
    return by_size ? absl::StrCat(*cursor.key)
                   : FormatCursorDatetime(*cursor.key);
  };
  if (page.next) {
    next = PageUrl(request, "/files/", *page.next, true, key_text(*page.next));
  }
  if (page.previous) {
    previous = PageUrl(request, "/files/", *page.previous, false,
                       key_text(*page.previous));
  }

  std::string body;
  body.reserve(page.results_json.size() + 512);
  restapi::JsonWriter(&body)
      .BeginObject()
      .Key("next")
      .StringOrNull(next.value_or(""))
      .Key("previous")
      .StringOrNull(previous.value_or(""))
      .Key("total")
      .Int(page.total)
      .Key("totals")
      .BeginObject()
      .Key("removed")
      .Int(page.totals.removed)
      .Key("stored")
      .Int(page.totals.stored)
      .Key("unstored")
      .Int(page.totals.unstored)
      .EndObject()
      .Key("per_page")
      .Int(query.limit)
      .Key("results")
      .Raw(page.results_json)
      .EndObject();
  return JsonResponse(200, std::move(body));
}

ApiResponse FileAnswer(const ApiRequest& request, absl::string_view uuid,
                       const restapi::FileJsonOptions& shape) {
  std::string body;
  if (!request.project->files.AppendFileJson(uuid, shape, &body).ok()) {
    return NotFound();
  }
  return JsonResponse(200, std::move(body));
}

ApiResponse GetFile(const ApiRequest& request) {
  return FileAnswer(request, request.path_params[0],
                    RequestedFileShape(request));
}

ApiResponse StoreFile(const ApiRequest& request) {
  const std::string& uuid = request.path_params[0];
  if (!request.project->files.Store(uuid, request.now).ok()) return NotFound();
  return FileAnswer(request, uuid, PlainFileShape(request));
}

ApiResponse DeleteFileStorage(const ApiRequest& request) {
  const std::string& uuid = request.path_params[0];
  if (request.version == ApiVersion::kV06) {
    // v0.6 redirected here to DELETE /files/{uuid}/, which did the work.
    if (!request.project->files.Get(uuid)) return NotFound();
    ApiResponse redirect;
    redirect.status = 302;
    redirect.headers.emplace_back(
        "Location", absl::StrCat(request.public_base_url, "/files/",
                                 absl::AsciiStrToLower(uuid), "/"));
    return redirect;
  }
  if (!request.project->files.Delete(uuid, request.now).ok()) {
    return NotFound();
  }
  return FileAnswer(request, uuid, PlainFileShape(request));
}

ApiResponse DeleteFile(const ApiRequest& request) {
  if (request.version == ApiVersion::kV07) {
    // v0.7 dropped this endpoint (deletion moved to /storage/); the view
    // still exists, so Django REST framework refuses the method rather than
    // the URL: 405, not 404.
    return DetailError(405, "Method \"DELETE\" not allowed.");
  }
  const std::string& uuid = request.path_params[0];
  if (!request.project->files.Delete(uuid, request.now).ok()) {
    return NotFound();
  }
  return FileAnswer(request, uuid, PlainFileShape(request));
}

ApiResponse BatchChange(const ApiRequest& request, bool store) {
  rapidjson::Document doc;
  if (std::optional<ApiResponse> error = ParseRequestBody(request, &doc)) {
    return *error;
  }
  if (!doc.IsArray()) {
    return DetailError(400, "Expected a list of file UUIDs.");
  }
  if (doc.Empty()) {
    return DetailError(400, "Expected a non-empty list of file UUIDs.");
  }
  if (doc.Size() > restapi::kMaxUuidsPerRequest) {
    return DetailError(
        400,
        absl::StrCat("Maximum UUIDs per request is exceeded. The limit is ",
                     restapi::kMaxUuidsPerRequest));
  }
  FileStore& files = request.project->files;
  restapi::FileJsonOptions shape = PlainFileShape(request);
  // Both written as the UUIDs come: problems {uuid: reason} and result
  // [file, ...].
  std::string problems;
  restapi::JsonWriter problems_json(&problems);
  problems_json.BeginObject();
  std::string result;
  restapi::JsonWriter result_json(&result);
  result_json.BeginArray();
  auto add_problem = [&](const std::string& key, absl::string_view reason) {
    problems_json.Key(key).String(reason);
  };
  std::set<std::string> seen;
  for (const rapidjson::Value& item : doc.GetArray()) {
    std::string key = JsonText(item);
    if (!seen.insert(key).second) continue;
    if (!item.IsString() || !IsValidUuid(key)) {
      add_problem(key, restapi::kInvalidUuidProblem);
      continue;
    }
    absl::Status changed =
        store ? files.Store(key, request.now) : files.Delete(key, request.now);
    std::string file;
    if (!changed.ok() || !files.AppendFileJson(key, shape, &file).ok()) {
      add_problem(key, "Missing in the project");
      continue;
    }
    result_json.Raw(file);
  }
  problems_json.EndObject();
  result_json.EndArray();
  std::string body;
  restapi::JsonWriter(&body)
      .BeginObject()
      .Key("status")
      .String("ok")
      .Key("problems")
      .Raw(problems)
      .Key("result")
      .Raw(result)
      .EndObject();
  return JsonResponse(200, std::move(body));
}

// A copy source: a UUID, or a CDN URL with processing operations
// ("https://ucarecdn.com/<uuid>/-/resize/10x10/").
struct CopySource {
  std::string uuid;
  std::string path;  // "/<uuid>/" plus the operations, as `source` shows it
};

std::optional<CopySource> ParseCopySource(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  for (absl::string_view scheme : {"https://", "http://"}) {
    if (absl::StartsWithIgnoreCase(text, scheme)) {
      text.remove_prefix(scheme.size());
      size_t slash = text.find('/');
      if (slash == absl::string_view::npos) return std::nullopt;
      text.remove_prefix(slash);
      break;
    }
  }
  while (!text.empty() && text.front() == '/') text.remove_prefix(1);
  size_t slash = text.find('/');
  absl::string_view uuid = text.substr(0, slash);
  if (!IsValidUuid(uuid)) return std::nullopt;
  absl::string_view operations =
      slash == absl::string_view::npos ? "" : text.substr(slash + 1);
  CopySource source;
  source.uuid = absl::AsciiStrToLower(uuid);
  source.path = absl::StrCat("/", source.uuid, "/", operations);
  if (source.path.back() != '/') source.path.push_back('/');
  return source;
}

// Reads `source` into *source, or records why it cannot be.
void ReadSource(const rapidjson::Document& body, FieldErrors* errors,
                std::optional<CopySource>* source) {
  auto it = body.FindMember("source");
  if (it == body.MemberEnd() || it->value.IsNull() ||
      (it->value.IsString() && it->value.GetStringLength() == 0)) {
    errors->Add("source", kRequired);
    return;
  }
  if (!it->value.IsString()) {
    errors->Add("source", "Not a valid string.");
    return;
  }
  *source = ParseCopySource(
      absl::string_view(it->value.GetString(), it->value.GetStringLength()));
  if (!*source) errors->Add("source", kInvalidSource);
}

// A boolean that clients send as JSON true/false or as "true"/"false".
std::optional<bool> ReadFlag(const rapidjson::Document& body,
                             absl::string_view name, bool default_value,
                             FieldErrors* errors) {
  auto it = body.FindMember(rapidjson::Value(
      name.data(), static_cast<rapidjson::SizeType>(name.size())));
  if (it == body.MemberEnd() || it->value.IsNull()) return default_value;
  if (it->value.IsBool()) return it->value.GetBool();
  if (it->value.IsString()) {
    std::optional<bool> value = ParseBoolean(
        absl::string_view(it->value.GetString(), it->value.GetStringLength()));
    if (value) return value;
  }
  errors->Add(name, kInvalidBoolean);
  return std::nullopt;
}

bool ValidMetadataKey(absl::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-' && c != '.' && c != ':') {
      return false;
    }
  }
  return true;
}

void ReadMetadata(const rapidjson::Document& body, FieldErrors* errors,
                  std::map<std::string, std::string>* metadata) {
  auto it = body.FindMember("metadata");
  if (it == body.MemberEnd() || it->value.IsNull()) return;
  if (!it->value.IsObject()) {
    errors->Add("metadata", "Expected a dictionary of items.");
    return;
  }
  if (it->value.MemberCount() > 50) {
    errors->Add("metadata", "Ensure this field has no more than 50 keys.");
    return;
  }
  for (const auto& member : it->value.GetObject()) {
    absl::string_view key(member.name.GetString(),
                          member.name.GetStringLength());
    if (!ValidMetadataKey(key)) {
      errors->Add("metadata", absl::StrCat("Invalid key: '", key, "'."));
      return;
    }
    if (!member.value.IsString() || member.value.GetStringLength() == 0 ||
        member.value.GetStringLength() > 512) {
      errors->Add("metadata",
                  absl::StrCat("Value of '", key,
                               "' must be a string of 1 to 512 characters."));
      return;
    }
    (*metadata)[std::string(key)] =
        std::string(member.value.GetString(), member.value.GetStringLength());
  }
}

// The part both copy endpoints share: a JSON (or form) object with a
// `source`. Returns the answer when the body is not even that.
std::optional<ApiResponse> ReadCopyRequest(const ApiRequest& request,
                                           rapidjson::Document* body,
                                           FieldErrors* errors,
                                           std::optional<CopySource>* source) {
  if (std::optional<ApiResponse> error = ParseRequestBody(request, body)) {
    return error;
  }
  if (!body->IsObject()) return DetailError(400, "Expected a JSON object.");
  ReadSource(*body, errors, source);
  return std::nullopt;
}

ApiResponse CopyToLocalStorage(const ApiRequest& request) {
  rapidjson::Document body;
  FieldErrors errors;
  std::optional<CopySource> source;
  if (auto error = ReadCopyRequest(request, &body, &errors, &source)) {
    return *error;
  }
  bool store = false;
  if (auto it = body.FindMember("store");
      it != body.MemberEnd() && !it->value.IsNull()) {
    std::string text = it->value.IsBool()
                           ? (it->value.GetBool() ? "true" : "false")
                           : JsonText(it->value);
    if (text == "true" || text == "false") {
      store = text == "true";
    } else {
      errors.Add("store",
                 absl::StrCat("\"", text, "\" is not a valid choice."));
    }
  }
  std::map<std::string, std::string> metadata;
  if (request.version == ApiVersion::kV07) {
    ReadMetadata(body, &errors, &metadata);
  }
  if (!errors.empty()) return errors.ToResponse();

  absl::StatusOr<v1::File> copy = request.project->files.CopyLocal(
      source->uuid, source->path, store, metadata, request.now);
  if (!copy.ok()) {
    return FieldErrors("source", absl::IsNotFound(copy.status())
                                     ? kSourceNotFound
                                     : kSourceRemoved)
        .ToResponse();
  }
  std::string answer;
  restapi::JsonWriter json(&answer);
  json.BeginObject().Key("type").String("file").Key("result");
  restapi::WriteFileJson(*copy, PlainFileShape(request), json);
  json.EndObject();
  ApiResponse response = JsonResponse(201, std::move(answer));
  response.headers.emplace_back(
      "Location",
      absl::StrCat(request.public_base_url, "/files/", copy->uuid(), "/"));
  return response;
}

// The object name in the custom storage for `pattern`: ${default} is
// ${uuid}/${auto_filename}, ${auto_filename} is ${filename}${effects}${ext}.
std::string StoragePath(absl::string_view pattern, const v1::File& file,
                        const CopySource& source) {
  absl::string_view name = file.original_filename();
  size_t dot = name.rfind('.');
  absl::string_view stem =
      dot == absl::string_view::npos ? name : name.substr(0, dot);
  absl::string_view ext =
      dot == absl::string_view::npos ? "" : name.substr(dot);
  absl::string_view effects = source.path;
  effects.remove_prefix(source.uuid.size() + 2);  // "/<uuid>/"
  std::string expanded(pattern);
  auto replace = [&](absl::string_view token, absl::string_view value) {
    const std::string needle(token);
    for (size_t at = expanded.find(needle); at != std::string::npos;
         at = expanded.find(needle, at + value.size())) {
      expanded.replace(at, token.size(), std::string(value));
    }
  };
  replace("${default}", "${uuid}/${auto_filename}");
  replace("${auto_filename}", "${filename}${effects}${ext}");
  replace("${uuid}", file.uuid());
  replace("${filename}", stem);
  replace("${effects}", effects);
  replace("${ext}", ext);
  return expanded;
}

ApiResponse CopyToRemoteStorage(const ApiRequest& request) {
  rapidjson::Document body;
  FieldErrors errors;
  std::optional<CopySource> source;
  if (auto error = ReadCopyRequest(request, &body, &errors, &source)) {
    return *error;
  }
  std::string target;
  if (auto it = body.FindMember("target"); it == body.MemberEnd() ||
                                           !it->value.IsString() ||
                                           it->value.GetStringLength() == 0) {
    errors.Add("target", kRequired);
  } else {
    target.assign(it->value.GetString(), it->value.GetStringLength());
  }
  ReadFlag(body, "make_public", true, &errors);
  std::string pattern = "${default}";
  if (auto it = body.FindMember("pattern");
      it != body.MemberEnd() && !it->value.IsNull()) {
    if (it->value.IsString()) {
      pattern.assign(it->value.GetString(), it->value.GetStringLength());
    } else {
      errors.Add("pattern", "Not a valid string.");
    }
  }
  if (!errors.empty()) return errors.ToResponse();
  if (target != request.project->config.custom_storage) {
    return DetailError(400, kNoSuchStorage);
  }
  std::optional<v1::File> file = request.project->files.Get(source->uuid);
  if (!file) return FieldErrors("source", kSourceNotFound).ToResponse();
  if (file->has_datetime_removed()) {
    return FieldErrors("source", kSourceRemoved).ToResponse();
  }
  std::string url =
      absl::StrCat("s3://", target, "/", StoragePath(pattern, *file, *source));
  bool first_copy = request.project->files.RecordRemoteCopy(url);
  std::string answer;
  restapi::JsonWriter(&answer)
      .BeginObject()
      .Key("type")
      .String("url")
      .Key("result")
      .String(url)
      .EndObject();
  return JsonResponse(first_copy ? 201 : 200, std::move(answer));
}

}  // namespace

void RegisterFilesRoutes(Router& router) {
  router.Add("GET", "/files/", ListFiles);
  router.Add("GET", "/files/{uuid}/", GetFile);
  router.Add("DELETE", "/files/{uuid}/", DeleteFile);
  router.Add("PUT", "/files/{uuid}/storage/", StoreFile);
  router.Add("DELETE", "/files/{uuid}/storage/", DeleteFileStorage);
  router.Add("PUT", "/files/storage/", [](const ApiRequest& request) {
    return BatchChange(request, true);
  });
  router.Add("DELETE", "/files/storage/", [](const ApiRequest& request) {
    return BatchChange(request, false);
  });
  router.Add("POST", "/files/local_copy/", CopyToLocalStorage);
  router.Add("POST", "/files/remote_copy/", CopyToRemoteStorage);
}

}  // namespace ucgate::emulator
