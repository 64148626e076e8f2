// UnaryCallRunner::Run, the template behind every generated handler.
#pragma once

#include "absl/strings/str_cat.h"
#include "service/common/status.h"
#include "service/gateway/listing_pump.h"
#include "service/upstream/addon_request_validation.h"
#include "service/upstream/conversion_request_validation.h"
#include "service/upstream/file_request_validation.h"
#include "service/upstream/group_request_validation.h"
#include "service/upstream/webhook_request_validation.h"

namespace ucgate::gateway {

template <typename Operations, typename Request, typename Response>
grpc::ServerUnaryReactor* UnaryCallRunner::Run(
    grpc::CallbackServerContext* context, const Request* request,
    Response* response,
    absl::StatusOr<Response> (Operations::*method)(const upstream::CallContext&,
                                                   const Request&)) const {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto target = ResolveOperations<Operations, Request>(*projects_, context);
  if (!target.ok()) {
    Finish(context, reactor, target.status());
    return reactor;
  }
  const Project* project = target->first;
  Operations* operations = target->second;
  if (absl::Status valid =
          upstream::ValidateRequest(*request, project->api_version);
      !valid.ok()) {
    Finish(context, reactor, valid);
    return reactor;
  }
  if (AnswerWithoutBlocking(*project, *request, response)) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  const bool scheduled = Schedule([=] {
    absl::StatusOr<Response> result =
        (operations->*method)(CallContextOf(context), *request);
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
