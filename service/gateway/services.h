// Every gRPC service of the gateway over the callback API. A handler checks
// the request and picks the project on the reactor thread (cheap, no I/O),
// then runs the blocking upstream call on the BlockingExecutor and finishes
// from there. Handlers are generated from each service's operation list
// (service/upstream/*_operations.h), so they cannot drift from it.
#pragma once

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/blocking_executor.h"
#include "service/gateway/project_registry.h"
#include "service/gateway/streams.h"
#include "uploadcare/gateway/v1/addon_service.grpc.pb.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"
#include "uploadcare/gateway/v1/group_service.grpc.pb.h"
#include "uploadcare/gateway/v1/project_service.grpc.pb.h"
#include "uploadcare/gateway/v1/webhook_service.grpc.pb.h"

namespace ucgate::gateway {

namespace v1 = ::uploadcare::gateway::v1;

// The operations of `Operations`' kind in a project's upstream (null when
// that service has no upstream implementation).
inline upstream::FileOperations* OperationsOf(
    const upstream::ProjectUpstream& u, const upstream::FileOperations*) {
  return u.files.get();
}
inline upstream::GroupOperations* OperationsOf(
    const upstream::ProjectUpstream& u, const upstream::GroupOperations*) {
  return u.groups.get();
}
inline upstream::ProjectOperations* OperationsOf(
    const upstream::ProjectUpstream& u, const upstream::ProjectOperations*) {
  return u.project.get();
}
inline upstream::WebhookOperations* OperationsOf(
    const upstream::ProjectUpstream& u, const upstream::WebhookOperations*) {
  return u.webhooks.get();
}
inline upstream::ConversionOperations* OperationsOf(
    const upstream::ProjectUpstream& u, const upstream::ConversionOperations*) {
  return u.conversions.get();
}
inline upstream::AddonOperations* OperationsOf(
    const upstream::ProjectUpstream& u, const upstream::AddonOperations*) {
  return u.addons.get();
}

// The project of a call and its operations of `Operations`' kind, or why the
// call cannot be served (unknown project; UNIMPLEMENTED when the project has
// no upstream for that service). Shared by unary and streaming calls.
template <typename Operations, typename Request>
absl::StatusOr<std::pair<const Project*, Operations*>> ResolveOperations(
    const ProjectRegistry& projects, grpc::CallbackServerContext* context) {
  absl::StatusOr<const Project*> project = projects.Resolve(*context);
  if (!project.ok()) return project.status();
  Operations* operations = OperationsOf(
      (*project)->upstream, static_cast<const Operations*>(nullptr));
  if (operations == nullptr) {
    return absl::UnimplementedError(absl::StrCat(
        Request::descriptor()->name(), ": not served by this gateway yet"));
  }
  return std::make_pair(*project, operations);
}

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

// Runs one unary call: resolve the project, validate, answer at once when
// that needs no blocking work, else schedule, finish.
class UnaryCallRunner {
 public:
  UnaryCallRunner(std::shared_ptr<const ProjectRegistry> projects,
                  std::shared_ptr<BlockingExecutor> executor)
      : projects_(std::move(projects)), executor_(std::move(executor)) {}

  template <typename Operations, typename Request, typename Response>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                                const Request* request, Response* response,
                                absl::StatusOr<Response> (Operations::*method)(
                                    const upstream::CallContext&,
                                    const Request&)) const;

 private:
  // Shared by every Run: the steps that do not depend on the message types.
  bool Schedule(std::function<void()> task) const;
  static void Finish(grpc::CallbackServerContext* context,
                     grpc::ServerUnaryReactor* reactor,
                     const absl::Status& status);
  // A reactor for a call handed to the executor: `call` gets the caller's
  // deadline and a Cancellation that fires when the caller goes away (the
  // reactor's OnCancel), so that upstream work stops at once.
  static grpc::ServerUnaryReactor* NewCancellableReactor(
      grpc::CallbackServerContext* context, upstream::CallContext* call);

  std::shared_ptr<const ProjectRegistry> projects_;
  std::shared_ptr<BlockingExecutor> executor_;
};

#define UCGATE_HANDLE_OPERATION(Method, idempotent)                           \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,      \
                                   const v1::Method##Request* request,        \
                                   v1::Method##Response* response) override { \
    return runner_.Run(context, request, response, &Operations::Method);      \
  }

// Server-streaming RPCs of each service, served by StreamCallRunner::Run.
#define UCGATE_FILE_STREAMS(X) X(StreamFiles, StreamFilesResponse)
#define UCGATE_GROUP_STREAMS(X) X(StreamGroups, StreamGroupsResponse)
#define UCGATE_CONVERSION_STREAMS(X) \
  X(WatchConversionJob, WatchConversionJobResponse)
#define UCGATE_ADDON_STREAMS(X) \
  X(WatchAddonExecution, WatchAddonExecutionResponse)
#define UCGATE_NO_STREAMS(X)

#define UCGATE_HANDLE_STREAM(Method, Response)       \
  grpc::ServerWriteReactor<v1::Response>* Method(    \
      grpc::CallbackServerContext* context,          \
      const v1::Method##Request* request) override { \
    return streams_.Run(context, request);           \
  }

#define UCGATE_DEFINE_SERVICE(Service, OperationsType, OPERATIONS, STREAMS) \
  class Service##Impl final : public v1::Service::CallbackService {         \
   public:                                                                  \
    using Operations = upstream::OperationsType;                            \
    Service##Impl(UnaryCallRunner runner, StreamCallRunner streams)         \
        : runner_(std::move(runner)), streams_(std::move(streams)) {}       \
    OPERATIONS(UCGATE_HANDLE_OPERATION)                                     \
    STREAMS(UCGATE_HANDLE_STREAM)                                           \
                                                                            \
   private:                                                                 \
    UnaryCallRunner runner_;                                                \
    [[maybe_unused]] StreamCallRunner streams_;                             \
  };

UCGATE_DEFINE_SERVICE(FileService, FileOperations, UCGATE_FILE_OPERATIONS,
                      UCGATE_FILE_STREAMS)
UCGATE_DEFINE_SERVICE(GroupService, GroupOperations, UCGATE_GROUP_OPERATIONS,
                      UCGATE_GROUP_STREAMS)
UCGATE_DEFINE_SERVICE(ProjectService, ProjectOperations,
                      UCGATE_PROJECT_OPERATIONS, UCGATE_NO_STREAMS)
UCGATE_DEFINE_SERVICE(WebhookService, WebhookOperations,
                      UCGATE_WEBHOOK_OPERATIONS, UCGATE_NO_STREAMS)
UCGATE_DEFINE_SERVICE(ConversionService, ConversionOperations,
                      UCGATE_CONVERSION_OPERATIONS, UCGATE_CONVERSION_STREAMS)
UCGATE_DEFINE_SERVICE(AddonService, AddonOperations, UCGATE_ADDON_OPERATIONS,
                      UCGATE_ADDON_STREAMS)

}  // namespace ucgate::gateway

#include "service/gateway/services_inl.h"  // IWYU pragma: export
