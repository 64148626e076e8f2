// Upstream JSON of add-on executions (/addons/{name}/execute/), same
// conventions as file_json.h. Also the add-on names, and the execute request
// body in both directions (the gateway writes it, the emulator reads it).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"

namespace ucgate::restapi {

namespace v1 = ::uploadcare::gateway::v1;

// "remove_bg" <-> ADDON_REMOVE_BG; unknown names are ADDON_UNSPECIFIED and
// UNSPECIFIED is "".
v1::Addon AddonFromName(absl::string_view name);
absl::string_view AddonName(v1::Addon addon);

// "done" <-> ADDON_EXECUTION_STATUS_DONE; unknown strings are UNSPECIFIED.
v1::AddonExecutionStatus AddonExecutionStatusFromName(absl::string_view name);
absl::string_view AddonExecutionStatusName(v1::AddonExecutionStatus status);

// POST /addons/{name}/execute/: {"request_id"}.
absl::Status ParseAddonExecution(const std::string& body,
                                 v1::ExecuteAddonResponse* response);
// GET /addons/{name}/execute/status/: {"status", "result": {"file_id"}}.
absl::Status ParseAddonExecutionStatus(
    const std::string& body, v1::GetAddonExecutionStatusResponse* response);

// The execute body {"target", "params": {...}}: params typed -> JSON
// (clamav's purge_infected always, remove_bg's fields only when set; no
// params for the rekognition add-ons).
std::string AddonExecuteBody(const v1::ExecuteAddonRequest& request);
// The reverse, for the emulator: fills target and the params matching
// `addon` (request->addon is set to it). Params of other add-ons and unknown
// keys are ignored; a wrong type is INTERNAL naming the path.
absl::Status ParseAddonExecuteBody(const std::string& body, v1::Addon addon,
                                   v1::ExecuteAddonRequest* request);

// Writers of the answers.
void AppendAddonExecutionJson(const v1::ExecuteAddonResponse& response,
                              std::string* out);
// `result` ({"file_id"}) is written only when result_file_id is set.
void AppendAddonExecutionStatusJson(
    const v1::GetAddonExecutionStatusResponse& response, std::string* out);

}  // namespace ucgate::restapi
