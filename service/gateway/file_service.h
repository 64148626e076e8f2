// FileService over the gRPC callback API. Handlers check the request and
// pick the project on the reactor thread (cheap, no I/O), then run the
// blocking upstream call on the BlockingExecutor and finish from there.
#pragma once

#include <memory>

#include "service/common/clock.h"
#include "service/gateway/blocking_executor.h"
#include "service/gateway/project_registry.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::gateway {

namespace v1 = ::uploadcare::gateway::v1;

class FileServiceImpl final : public v1::FileService::CallbackService {
 public:
  FileServiceImpl(std::shared_ptr<const ProjectRegistry> projects,
                  std::shared_ptr<BlockingExecutor> executor);

  grpc::ServerUnaryReactor* ListFiles(grpc::CallbackServerContext* context,
                                      const v1::ListFilesRequest* request,
                                      v1::ListFilesResponse* response) override;
  grpc::ServerUnaryReactor* GetFile(grpc::CallbackServerContext* context,
                                    const v1::GetFileRequest* request,
                                    v1::GetFileResponse* response) override;
  grpc::ServerUnaryReactor* StoreFile(grpc::CallbackServerContext* context,
                                      const v1::StoreFileRequest* request,
                                      v1::StoreFileResponse* response) override;
  grpc::ServerUnaryReactor* DeleteFile(
      grpc::CallbackServerContext* context,
      const v1::DeleteFileRequest* request,
      v1::DeleteFileResponse* response) override;
  grpc::ServerUnaryReactor* BatchStoreFiles(
      grpc::CallbackServerContext* context,
      const v1::BatchStoreFilesRequest* request,
      v1::BatchStoreFilesResponse* response) override;
  grpc::ServerUnaryReactor* BatchDeleteFiles(
      grpc::CallbackServerContext* context,
      const v1::BatchDeleteFilesRequest* request,
      v1::BatchDeleteFilesResponse* response) override;
  grpc::ServerUnaryReactor* CopyFileToLocalStorage(
      grpc::CallbackServerContext* context,
      const v1::CopyFileToLocalStorageRequest* request,
      v1::CopyFileToLocalStorageResponse* response) override;
  grpc::ServerUnaryReactor* CopyFileToRemoteStorage(
      grpc::CallbackServerContext* context,
      const v1::CopyFileToRemoteStorageRequest* request,
      v1::CopyFileToRemoteStorageResponse* response) override;

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Run(
      grpc::CallbackServerContext* context, const Request* request,
      Response* response,
      absl::StatusOr<Response> (upstream::FileOperations::*method)(
          const upstream::CallContext&, const Request&));

  std::shared_ptr<const ProjectRegistry> projects_;
  std::shared_ptr<BlockingExecutor> executor_;
};

}  // namespace ucgate::gateway
