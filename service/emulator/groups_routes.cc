#include "service/emulator/groups_routes.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "service/emulator/api_types.h"
#include "service/emulator/group_store.h"
#include "service/emulator/listing_params.h"
#include "service/emulator/project_data.h"
#include "service/restapi/group_json.h"

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
void AppendGroup(const ApiRequest& request, v1::Group group, bool with_files,
                 std::string* out) {
  if (request.version == ApiVersion::kV07) group.clear_datetime_stored();
  restapi::AppendGroupJson(group, with_files, FileShape(request), out);
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
  std::string body = "{\"next\":";
  AppendUrlOrNull(link(page.next, true), &body);
  body.append(",\"previous\":");
  AppendUrlOrNull(link(page.previous, false), &body);
  absl::StrAppend(&body, ",\"total\":", page.total,
                  ",\"per_page\":", query.limit, ",\"results\":[");
  for (size_t i = 0; i < page.groups.size(); ++i) {
    if (i > 0) body.push_back(',');
    AppendGroup(request, std::move(page.groups[i]), false, &body);
  }
  body.append("]}");
  return JsonResponse(200, std::move(body));
}

ApiResponse GroupAnswer(const ApiRequest& request) {
  std::optional<v1::Group> group = request.project->groups.Get(
      request.path_params[0], request.project->files);
  if (!group) return DetailError(404, kNotFound);
  std::string body;
  AppendGroup(request, *std::move(group), true, &body);
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
