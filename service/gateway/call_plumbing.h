// What every gRPC call of the gateway shares, unary or streaming: accepting
// it (its project, its operations, its whole request checked), the caller's
// deadline, the status the call ends with, and the overload error.
#pragma once

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "service/api/request_validation.h"
#include "service/gateway/project_registry.h"

namespace ucgate::gateway {

// The status a call ends with, adding a plain `retry-after` trailer
// (seconds) when the error carries RetryInfo, for callers that do not decode
// details.
grpc::Status ToCallerStatus(grpc::CallbackServerContext* context,
                            const absl::Status& status);

// The caller's deadline as an absl::Time (InfiniteFuture when none).
absl::Time DeadlineOf(const grpc::CallbackServerContext& context);

// RESOURCE_EXHAUSTED (ErrorInfo GATEWAY_OVERLOADED): the executor refused
// the call's blocking work.
absl::Status GatewayOverloadedError();

// Notes the project serving the call on its observation (the call's log
// line); nothing when the observing interceptor is not installed.
void ObserveProject(const grpc::ServerContextBase* context,
                    const Project& project);

// The project of a call and its operations of `Operations`' kind, once the
// whole request has been checked for that project (api::ValidateCall); or
// why the call is refused: an unknown project, UNIMPLEMENTED when the project
// has no upstream for that service, or the request's first fault.
template <typename Operations, typename Request>
absl::StatusOr<std::pair<const Project*, Operations*>> AcceptCall(
    const ProjectRegistry& projects, grpc::CallbackServerContext* context,
    const Request& request) {
  absl::StatusOr<const Project*> project = projects.Resolve(*context);
  if (!project.ok()) return project.status();
  ObserveProject(context, **project);
  Operations* operations =
      (*project)->upstream.template OperationsOf<Operations>();
  if (operations == nullptr) {
    return absl::UnimplementedError(absl::StrCat(
        Request::descriptor()->name(), ": not served by this gateway"));
  }
  if (absl::Status valid =
          api::ValidateCall(request, (*project)->name, (*project)->api_version);
      !valid.ok()) {
    return valid;
  }
  return std::make_pair(*project, operations);
}

}  // namespace ucgate::gateway
