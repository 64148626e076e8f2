#include "service/emulator/project_routes.h"

#include <string>

#include "service/emulator/api_types.h"
#include "service/emulator/project_data.h"
#include "service/restapi/group_json.h"

namespace ucgate::emulator {
namespace {

ApiResponse GetProject(const ApiRequest& request) {
  const EmulatorProject& config = request.project->config;
  uploadcare::gateway::v1::Project project;
  project.set_name(config.name);
  project.set_pub_key(config.public_key);
  project.set_autostore_enabled(config.autostore_enabled);
  std::string body;
  restapi::AppendProjectJson(project, &body);
  return JsonResponse(200, std::move(body));
}

}  // namespace

void RegisterProjectRoutes(Router& router) {
  router.Add("GET", "/project/", GetProject);
}

}  // namespace ucgate::emulator
