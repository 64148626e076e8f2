// UnaryCallRunner::Run, the template behind every generated handler.
#pragma once

#include "absl/strings/str_cat.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"
#include "service/gateway/listing_pump.h"

namespace ucgate::gateway {

template <typename Operations, typename Request, typename Response>
grpc::ServerUnaryReactor* UnaryCallRunner::Run(
    grpc::CallbackServerContext* context, const Request* request,
    Response* response,
    absl::StatusOr<Response> (Operations::*method)(const upstream::CallContext&,
                                                   const Request&)) const {
  // Answers decided here, on the reactor thread, need no cancellation.
  const auto answer_now = [context](const absl::Status& status) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    Finish(context, reactor, status);
    return reactor;
  };
  auto target = ResolveOperations<Operations, Request>(*projects_, context);
  if (!target.ok()) return answer_now(target.status());
  const Project* project = target->first;
  Operations* operations = target->second;
  if (absl::Status valid = api::ValidateRequest(*request, project->api_version);
      !valid.ok()) {
    return answer_now(valid);
  }
  if (AnswerWithoutBlocking(*project, *request, response)) {
    return answer_now(absl::OkStatus());
  }
  upstream::CallContext call;
  grpc::ServerUnaryReactor* reactor = NewCancellableReactor(context, &call);
  const bool scheduled = Schedule([=] {
    absl::StatusOr<Response> result = (operations->*method)(call, *request);
    if (result.ok()) {
      response->Swap(&*result);
      reactor->Finish(grpc::Status::OK);
      return;
    }
    Finish(context, reactor, result.status());
  });
  if (!scheduled) {
    Finish(context, reactor, GatewayOverloadedError());
  }
  return reactor;
}

}  // namespace ucgate::gateway
