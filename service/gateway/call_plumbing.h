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
#include "service/gateway/call_gate.h"
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
// Notes the authenticated caller's configured name the same way.
void ObserveCaller(const grpc::ServerContextBase* context,
                   absl::string_view caller);

// The project a call asks for, as the caller named it (the only project when
// it named none and there is one; "" otherwise), for the access check that
// comes before the project is resolved.
std::string RequestedProject(const ProjectRegistry& projects,
                             const grpc::CallbackServerContext& context);

// A call accepted by AcceptCall.
template <typename Operations, typename Request>
struct AcceptedCall {
  const Project* project = nullptr;
  Operations* operations = nullptr;
  // The request with its page/resume token opened; the caller's own request
  // (not owned) when it carried none.
  std::shared_ptr<const Request> request;
  // Held until the call ends (its in-flight slots).
  CallPermit permit;
  // Set when the upstream throttles the project: how long the call waits.
  absl::Duration hold = absl::ZeroDuration();
};

// The project of a call and its operations of `Operations`' kind, once the
// caller may make the call (`gate`, null for none: credentials and policy
// first, before anything else is looked at) and the whole request has been
// checked for that project (api::ValidateCall), and once the limits admit
// it; or why the call is refused: UNAUTHENTICATED / PERMISSION_DENIED, an
// unknown project, UNIMPLEMENTED when the project has no upstream for that
// service, the request's first fault, or RESOURCE_EXHAUSTED.
template <typename Operations, typename Request>
absl::StatusOr<AcceptedCall<Operations, Request>> AcceptCall(
    const ProjectRegistry& projects, const CallGate* gate,
    grpc::CallbackServerContext* context, const Request& request) {
  static const std::string* const full_method =
      new std::string(FullMethodOf(Request::descriptor()));
  std::string caller;
  if (gate != nullptr) {
    absl::StatusOr<std::string> authorized = gate->Authorize(
        *context, *full_method, RequestedProject(projects, *context));
    if (!authorized.ok()) return authorized.status();
    caller = *std::move(authorized);
    ObserveCaller(context, caller);
  }
  absl::StatusOr<const Project*> project = projects.Resolve(*context);
  if (!project.ok()) return project.status();
  ObserveProject(context, **project);
  AcceptedCall<Operations, Request> accepted;
  accepted.project = *project;
  accepted.operations =
      (*project)->upstream.template OperationsOf<Operations>();
  if (accepted.operations == nullptr) {
    return absl::UnimplementedError(absl::StrCat(
        Request::descriptor()->name(), ": not served by this gateway"));
  }
  // Not owned: the caller's request outlives the call.
  accepted.request = std::shared_ptr<const Request>(
      std::shared_ptr<const Request>(), &request);
  if (gate != nullptr) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> opened =
        gate->OpenTokens(request, (*project)->name);
    if (!opened.ok()) return opened.status();
    if (*opened != nullptr) {
      accepted.request = std::shared_ptr<const Request>(
          static_cast<Request*>(opened->release()));
    }
  }
  if (absl::Status valid = api::ValidateCall(
          *accepted.request, (*project)->name, (*project)->api_version);
      !valid.ok()) {
    return valid;
  }
  if (gate != nullptr) {
    absl::StatusOr<CallPermit> permit = gate->Admit(caller, (*project)->name);
    if (!permit.ok()) return permit.status();
    accepted.permit = *std::move(permit);
    access::ThrottleDecision throttle =
        gate->Throttle((*project)->name, DeadlineOf(*context));
    switch (throttle.action) {
      case access::ThrottleDecision::Action::kProceed:
        break;
      case access::ThrottleDecision::Action::kHold:
        accepted.hold = throttle.hold_until - gate->Now();
        break;
      case access::ThrottleDecision::Action::kRefuse:
        return throttle.refusal;
    }
  }
  return accepted;
}

}  // namespace ucgate::gateway
