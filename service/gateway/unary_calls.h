// Runs one unary call: picks the project and checks the whole request on the
// reactor thread (cheap, no I/O; api::ValidateCall), answers at once when
// that needs no upstream work, else hands the upstream call to the Executor
// (in the gateway a fiber on an upstream I/O loop, which waits without
// holding a thread) and finishes from there.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "service/common/executor.h"
#include "service/gateway/call_plumbing.h"
#include "service/gateway/project_registry.h"
#include "service/gateway/scheduler.h"
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
  // `gate` (null: every call goes through) checks who may call; `scheduler`
  // holds the calls of a project the upstream throttles (null: they go at
  // once).
  UnaryCallRunner(std::shared_ptr<const ProjectRegistry> projects,
                  std::shared_ptr<Executor> executor,
                  std::shared_ptr<const CallGate> gate = nullptr,
                  std::shared_ptr<Scheduler> scheduler = nullptr)
      : projects_(std::move(projects)),
        executor_(std::move(executor)),
        gate_(std::move(gate)),
        scheduler_(std::move(scheduler)) {}

  // Serves one call with `method` of the project's `Operations`.
  template <typename Operations, typename Request, typename Response>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                                const Request* caller_request,
                                Response* response,
                                absl::StatusOr<Response> (Operations::*method)(
                                    const upstream::CallContext&,
                                    const Request&)) const {
    auto target = AcceptCall<Operations>(*projects_, gate_.get(), context,
                                         *caller_request);
    if (!target.ok()) return AnswerNow(context, target.status());
    const Project* project = target->project;
    Operations* operations = target->operations;
    std::shared_ptr<const Request> request = target->request;
    if (AnswerWithoutBlocking(*project, *request, response)) {
      return AnswerNow(context, absl::OkStatus());
    }
    upstream::CallContext call;
    grpc::ServerUnaryReactor* reactor = NewCancellableReactor(context, &call);
    // The permit goes with the task: released once the call has ended (or
    // was never scheduled).
    std::function<void()> work = [=, permit = target->permit,
                                  gate = gate_.get()] {
      absl::StatusOr<Response> result = (operations->*method)(call, *request);
      if (result.ok()) {
        if (gate != nullptr)
          gate->SealTokens(*request, project->name, &*result);
        response->Swap(&*result);
        reactor->Finish(grpc::Status::OK);
        return;
      }
      if (gate != nullptr) gate->RecordOutcome(project->name, result.status());
      reactor->Finish(ToCallerStatus(context, result.status()));
    };
    auto schedule = [executor = executor_, reactor, context,
                     work = std::move(work)] {
      if (!executor->TrySchedule(work)) {
        reactor->Finish(ToCallerStatus(context, GatewayOverloadedError()));
      }
    };
    if (scheduler_ != nullptr && target->hold > absl::ZeroDuration()) {
      scheduler_->RunAfter(target->hold, std::move(schedule));
    } else {
      schedule();
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
  std::shared_ptr<Executor> executor_;
  std::shared_ptr<const CallGate> gate_;
  std::shared_ptr<Scheduler> scheduler_;
};

}  // namespace ucgate::gateway
