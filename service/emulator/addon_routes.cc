#include "service/emulator/addon_routes.h"

#include <string>

#include "service/common/uuid.h"
#include "service/emulator/project_data.h"
#include "service/emulator/request_body.h"
#include "service/restapi/addon_json.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr char kInvalidUuid[] = "Must be a valid UUID.";

ApiResponse Execute(const ApiRequest& request) {
  const v1::Addon addon = restapi::AddonFromName(request.path_params[0]);
  if (addon == v1::ADDON_UNSPECIFIED) return DetailError(404, "Not found.");
  ProjectData& project = *request.project;
  v1::ExecuteAddonRequest execute;
  if (absl::Status status =
          restapi::ParseAddonExecuteBody(*request.body, addon, &execute);
      !status.ok()) {
    // Not JSON, or a parameter of the wrong type: the service's own words
    // for the former, a field map for the latter.
    rapidjson::Document body;
    if (auto error = ParseRequestBody(request, &body)) return *error;
    return FieldErrors("params", "Invalid parameters.").ToResponse();
  }
  if (!IsValidUuid(execute.target())) {
    return FieldErrors("target", kInvalidUuid).ToResponse();
  }
  std::optional<v1::File> file = project.files.Get(execute.target());
  if (!file || file->has_datetime_removed()) {
    return DetailError(404, "File not found.");
  }
  absl::StatusOr<std::string> request_id =
      project.jobs.StartAddon(execute, request.now);
  if (!request_id.ok()) {
    return DetailError(409, request_id.status().message());
  }
  v1::ExecuteAddonResponse answer;
  answer.set_request_id(*request_id);
  std::string out;
  restapi::AppendAddonExecutionJson(answer, &out);
  return JsonResponse(200, std::move(out));
}

ApiResponse Status(const ApiRequest& request) {
  const v1::Addon addon = restapi::AddonFromName(request.path_params[0]);
  if (addon == v1::ADDON_UNSPECIFIED) return DetailError(404, "Not found.");
  ProjectData& project = *request.project;
  const std::string* request_id = request.Query("request_id");
  if (request_id == nullptr) {
    return FieldErrors("request_id", "This field is required.").ToResponse();
  }
  if (!IsValidUuid(*request_id)) {
    return FieldErrors("request_id", kInvalidUuid).ToResponse();
  }
  v1::GetAddonExecutionStatusResponse answer;
  std::optional<AddonRunState> run = project.jobs.AddonRun(addon, *request_id);
  if (run) {
    answer.set_status(run->status);
    answer.set_result_file_id(run->result_file_id);
  } else {
    answer.set_status(v1::ADDON_EXECUTION_STATUS_UNKNOWN);
  }
  std::string out;
  restapi::AppendAddonExecutionStatusJson(answer, &out);
  return JsonResponse(200, std::move(out));
}

}  // namespace

void RegisterAddonRoutes(Router& router) {
  router.Add("POST", "/addons/{name}/execute/", Execute);
  router.Add("GET", "/addons/{name}/execute/status/", Status);
}

}  // namespace ucgate::emulator
