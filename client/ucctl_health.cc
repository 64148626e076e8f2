// ucctl health: grpc.health.v1.Health/Check, for people, scripts and the
// Helm chart's `helm test` (the image has no grpc_health_probe).
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/ucctl_command.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "grpc/health/v1/health.pb.h"

namespace ucgate::client {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

const char kHealthSummary[] =
    "Asks grpc.health.v1.Health whether the gateway (or SERVICE) serves; "
    "exits 0 only when it answers SERVING.";

int RunHealth(const std::vector<std::string>& args, Invocation& invocation) {
  Command command(invocation, "health", "", "[SERVICE]", kHealthSummary);
  command.command_line().AddEpilog(
      "SERVICE: a full service name such as "
      "uploadcare.gateway.v1.FileService; none asks about the gateway as a "
      "whole, which turns NOT_SERVING while it drains on SIGTERM.\n"
      "JSON prints the HealthCheckResponse ({\"status\": \"SERVING\"}); text "
      "prints the status alone. Any status but SERVING exits 1, as a failed "
      "call does.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 1, "")) return *done;
  HealthCheckRequest request;
  if (!command.positional().empty()) {
    request.set_service(command.positional()[0]);
  }
  absl::StatusOr<std::unique_ptr<HealthClient>> client =
      command.Connect<HealthClient>();
  if (!client.ok()) return kUsageExitCode;
  absl::StatusOr<HealthCheckResponse> answer = (*client)->Check(request);
  if (!answer.ok()) return command.RpcError(answer.status());
  const std::string& status_name =
      HealthCheckResponse::ServingStatus_Name(answer->status());
  if (command.format() == OutputFormat::kJson) {
    command.out() << ToJson(*answer);
  } else {
    command.out() << status_name << "\n";
  }
  if (answer->status() != HealthCheckResponse::SERVING) {
    invocation.err << "ucctl: health: "
                   << (request.service().empty() ? "the gateway"
                                                 : request.service())
                   << " is " << status_name << "\n";
    return kRpcErrorExitCode;
  }
  return 0;
}

}  // namespace ucgate::client
