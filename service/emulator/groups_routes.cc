#include "service/emulator/groups_routes.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "service/emulator/api_types.h"
#include "service/emulator/group_store.h"
#include "service/emulator/listing_params.h"
#include "service/emulator/project_data.h"
#include "service/restapi/group_json.h"
#include "service/restapi/json_writer.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr absl::string_view kNotFound = "Not found.";

restapi::FileJsonOptions FileShape(const ApiRequest& request) {
  restapi::FileJsonOptions options;
  options.version = request.version;
  return options;
}

// v0.7 groups are never stored (the storage endpoint is gone), so their
// datetime_stored is always null there.
void WriteGroup(const ApiRequest& request, v1::Group group, bool with_files,
                restapi::JsonWriter& json) {
  if (request.version == ApiVersion::kV07) group.clear_datetime_stored();
  restapi::WriteGroupJson(group, with_files, FileShape(request), json);
}

ApiResponse ListGroups(const ApiRequest& request) {
  FieldErrors errors;
  CursorQuery query;
  query.limit = ParsePageLimit(request, &errors);
  bool descending = false;
  if (const std::string* ordering = request.Query("ordering")) {
    if (*ordering == "-datetime_created") {
      descending = true;
    } else if (*ordering != "datetime_created") {
      errors.Add("ordering",
                 absl::StrCat("\"", *ordering, "\" is not a valid choice."));
    }
  }
  PagePositions positions =
      ParsePagePositions(request, /*integer_keys=*/false, &errors);
  query.from = positions.from;
  query.to = positions.to;
  query.offset = ParsePageOffset(request, &errors);
  if (!errors.empty()) return errors.ToResponse();

  GroupListPage page = request.project->groups.List(descending, query);
  auto link = [&](const std::optional<ListCursor>& cursor, bool forward) {
    std::optional<std::string> url;
    if (cursor) {
      url = PageUrl(request, "/groups/", *cursor, forward,
                    cursor->key ? FormatCursorDatetime(*cursor->key) : "");
    }
    return url;
  };
  std::string body;
  restapi::JsonWriter json(&body);
  json.BeginObject()
      .Key("next")
      .StringOrNull(link(page.next, true).value_or(""))
      .Key("previous")
      .StringOrNull(link(page.previous, false).value_or(""))
      .Key("total")
      .Int(page.total)
      .Key("per_page")
      .Int(query.limit)
      .Key("results")
      .BeginArray();
  for (v1::Group& group : page.groups) {
    WriteGroup(request, std::move(group), false, json);
  }
  json.EndArray().EndObject();
  return JsonResponse(200, std::move(body));
}

ApiResponse GroupAnswer(const ApiRequest& request) {
  std::optional<v1::Group> group = request.project->groups.Get(
      request.path_params[0], request.project->files);
  if (!group) return DetailError(404, kNotFound);
  std::string body;
  restapi::JsonWriter json(&body);
  WriteGroup(request, *std::move(group), true, json);
  return JsonResponse(200, std::move(body));
}

ApiResponse DeleteGroup(const ApiRequest& request) {
  if (!request.project->groups.Delete(request.path_params[0])) {
    return DetailError(404, kNotFound);
  }
  ApiResponse response;
  response.status = 204;
  return response;
}

ApiResponse StoreGroup(const ApiRequest& request) {
  if (request.version == ApiVersion::kV07) {
    // v0.7 removed the URL itself (groups are stored file by file), so URL
    // resolution fails before any view: 404, not 405 as for a method a
    // view refuses.
    return DetailError(404, kNotFound);
  }
  const std::string& id = request.path_params[0];
  ProjectData& project = *request.project;
  if (!project.groups.MarkStored(id, request.now)) {
    return DetailError(404, kNotFound);
  }
  for (const std::string& uuid : project.groups.FileUuids(id)) {
    // A removed file stays removed (and null in the answer).
    project.files.Store(uuid, request.now).IgnoreError();
  }
  return GroupAnswer(request);
}

}  // namespace

void RegisterGroupsRoutes(Router& router) {
  router.Add("GET", "/groups/", ListGroups);
  router.Add("GET", "/groups/{id}/", GroupAnswer);
  router.Add("DELETE", "/groups/{id}/", DeleteGroup);
  router.Add("PUT", "/groups/{id}/storage/", StoreGroup);
}

}  // namespace ucgate::emulator
