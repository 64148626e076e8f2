#include "service/gateway/file_service.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/status.h"
#include "service/gateway/status_conversion.h"
#include "service/upstream/file_request_validation.h"

namespace ucgate::gateway {
namespace {

absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// Finishes with `status`, adding a plain `retry-after` trailer (seconds) when
// the error carries RetryInfo, for callers that do not decode details.
void FinishWithStatus(grpc::CallbackServerContext* context,
                      grpc::ServerUnaryReactor* reactor,
                      const absl::Status& status) {
  if (std::optional<absl::Duration> retry_after = RetryAfter(status)) {
    context->AddTrailingMetadata(
        "retry-after", absl::StrCat(absl::ToInt64Seconds(
                           absl::Ceil(*retry_after, absl::Seconds(1)))));
  }
  reactor->Finish(ToGrpcStatus(status));
}

}  // namespace

FileServiceImpl::FileServiceImpl(
    std::shared_ptr<const ProjectRegistry> projects,
    std::shared_ptr<BlockingExecutor> executor)
    : projects_(std::move(projects)), executor_(std::move(executor)) {}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* FileServiceImpl::Run(
    grpc::CallbackServerContext* context, const Request* request,
    Response* response,
    absl::StatusOr<Response> (upstream::FileOperations::*method)(
        const upstream::CallContext&, const Request&)) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<const Project*> project = projects_->Resolve(*context);
  if (!project.ok()) {
    FinishWithStatus(context, reactor, project.status());
    return reactor;
  }
  if (absl::Status valid =
          upstream::ValidateRequest(*request, (*project)->api_version);
      !valid.ok()) {
    FinishWithStatus(context, reactor, valid);
    return reactor;
  }
  upstream::FileOperations* files = (*project)->files.get();
  const bool scheduled = executor_->TrySchedule([=] {
    upstream::CallContext call{DeadlineOf(*context),
                               [context] { return context->IsCancelled(); }};
    absl::StatusOr<Response> result = (files->*method)(call, *request);
    if (result.ok()) {
      response->Swap(&*result);
      reactor->Finish(grpc::Status::OK);
      return;
    }
    FinishWithStatus(context, reactor, result.status());
  });
  if (!scheduled) {
    FinishWithStatus(context, reactor,
                     WithErrorInfo(absl::ResourceExhaustedError(
                                       "gateway overloaded: too many calls in "
                                       "flight, retry with backoff"),
                                   "GATEWAY_OVERLOADED"));
  }
  return reactor;
}

grpc::ServerUnaryReactor* FileServiceImpl::ListFiles(
    grpc::CallbackServerContext* context, const v1::ListFilesRequest* request,
    v1::ListFilesResponse* response) {
  return Run(context, request, response, &upstream::FileOperations::ListFiles);
}

grpc::ServerUnaryReactor* FileServiceImpl::GetFile(
    grpc::CallbackServerContext* context, const v1::GetFileRequest* request,
    v1::GetFileResponse* response) {
  return Run(context, request, response, &upstream::FileOperations::GetFile);
}

grpc::ServerUnaryReactor* FileServiceImpl::StoreFile(
    grpc::CallbackServerContext* context, const v1::StoreFileRequest* request,
    v1::StoreFileResponse* response) {
  return Run(context, request, response, &upstream::FileOperations::StoreFile);
}

grpc::ServerUnaryReactor* FileServiceImpl::DeleteFile(
    grpc::CallbackServerContext* context, const v1::DeleteFileRequest* request,
    v1::DeleteFileResponse* response) {
  return Run(context, request, response, &upstream::FileOperations::DeleteFile);
}

grpc::ServerUnaryReactor* FileServiceImpl::BatchStoreFiles(
    grpc::CallbackServerContext* context,
    const v1::BatchStoreFilesRequest* request,
    v1::BatchStoreFilesResponse* response) {
  return Run(context, request, response,
             &upstream::FileOperations::BatchStoreFiles);
}

grpc::ServerUnaryReactor* FileServiceImpl::BatchDeleteFiles(
    grpc::CallbackServerContext* context,
    const v1::BatchDeleteFilesRequest* request,
    v1::BatchDeleteFilesResponse* response) {
  return Run(context, request, response,
             &upstream::FileOperations::BatchDeleteFiles);
}

grpc::ServerUnaryReactor* FileServiceImpl::CopyFileToLocalStorage(
    grpc::CallbackServerContext* context,
    const v1::CopyFileToLocalStorageRequest* request,
    v1::CopyFileToLocalStorageResponse* response) {
  return Run(context, request, response,
             &upstream::FileOperations::CopyFileToLocalStorage);
}

grpc::ServerUnaryReactor* FileServiceImpl::CopyFileToRemoteStorage(
    grpc::CallbackServerContext* context,
    const v1::CopyFileToRemoteStorageRequest* request,
    v1::CopyFileToRemoteStorageResponse* response) {
  return Run(context, request, response,
             &upstream::FileOperations::CopyFileToRemoteStorage);
}

}  // namespace ucgate::gateway
