// Runs one unary call: picks the project and checks the whole request on the
// reactor thread (cheap, no I/O; api::ValidateCall), answers at once when
// that needs no blocking work, else hands the upstream call to the
// BlockingExecutor and finishes from there.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "service/common/blocking_executor.h"
#include "service/gateway/call_plumbing.h"
#include "service/gateway/project_registry.h"
#include "service/upstream/operations.h"

namespace ucgate::gateway {

namespace v1 = ::uploadcare::gateway::v1;

// Answers a call on the reactor thread when that needs no blocking work;
// false: the call is scheduled as usual. Only GetFile has such a path (a
// fresh file-info cache entry).
template <typename Request, typename Response>
bool AnswerWithoutBlocking(const Project&, const Request&, Response*) {
  return false;
}
bool AnswerWithoutBlocking(const Project& project,
                           const v1::GetFileRequest& request,
                           v1::GetFileResponse* response);

class UnaryCallRunner {
 public:
  UnaryCallRunner(std::shared_ptr<const ProjectRegistry> projects,
                  std::shared_ptr<BlockingExecutor> executor)
      : projects_(std::move(projects)), executor_(std::move(executor)) {}

  // Serves one call with `method` of the project's `Operations`.
  template <typename Operations, typename Request, typename Response>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                                const Request* request, Response* response,
                                absl::StatusOr<Response> (Operations::*method)(
                                    const upstream::CallContext&,
                                    const Request&)) const {
    auto target = AcceptCall<Operations>(*projects_, context, *request);
    if (!target.ok()) return AnswerNow(context, target.status());
    const Project* project = target->first;
    Operations* operations = target->second;
    if (AnswerWithoutBlocking(*project, *request, response)) {
      return AnswerNow(context, absl::OkStatus());
    }
    upstream::CallContext call;
    grpc::ServerUnaryReactor* reactor = NewCancellableReactor(context, &call);
    const bool scheduled = executor_->TrySchedule([=] {
      absl::StatusOr<Response> result = (operations->*method)(call, *request);
      if (result.ok()) {
        response->Swap(&*result);
        reactor->Finish(grpc::Status::OK);
        return;
      }
      reactor->Finish(ToCallerStatus(context, result.status()));
    });
    if (!scheduled) {
      reactor->Finish(ToCallerStatus(context, GatewayOverloadedError()));
    }
    return reactor;
  }

 private:
  // Answers decided on the reactor thread, which need no cancellation.
  static grpc::ServerUnaryReactor* AnswerNow(
      grpc::CallbackServerContext* context, const absl::Status& status);
  // A reactor for a call handed to the executor: `call` gets the caller's
  // deadline and a Cancellation that fires when the caller goes away (the
  // reactor's OnCancel), so that upstream work stops at once.
  static grpc::ServerUnaryReactor* NewCancellableReactor(
      grpc::CallbackServerContext* context, upstream::CallContext* call);

  std::shared_ptr<const ProjectRegistry> projects_;
  std::shared_ptr<BlockingExecutor> executor_;
};

}  // namespace ucgate::gateway
