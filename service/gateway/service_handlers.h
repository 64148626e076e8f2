// The gRPC handlers of every service, one line per RPC: a unary RPC runs
// through UnaryCallRunner with its operation of the project's upstream, a
// streaming one through StreamCallRunner. A row of service/api/rpcs.h
// without its line here fails to compile (see service_handlers.cc).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "grpcpp/impl/service_type.h"
#include "service/gateway/stream_calls.h"
#include "service/gateway/unary_calls.h"
#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/addon_service.grpc.pb.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"
#include "uploadcare/gateway/v1/group_service.grpc.pb.h"
#include "uploadcare/gateway/v1/project_service.grpc.pb.h"
#include "uploadcare/gateway/v1/webhook_service.grpc.pb.h"

namespace ucgate::gateway {

// Serves the unary RPC `Method` with Operations::Method.
#define UCGATE_UNARY_HANDLER(Method)                                          \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,      \
                                   const v1::Method##Request* request,        \
                                   v1::Method##Response* response) override { \
    return unary_.Run(context, request, response, &Operations::Method);       \
  }
// Serves the server-streaming RPC `Method` with StreamCallRunner::Run.
#define UCGATE_STREAM_HANDLER(Method)                     \
  grpc::ServerWriteReactor<v1::Method##Response>* Method( \
      grpc::CallbackServerContext* context,               \
      const v1::Method##Request* request) override {      \
    return streams_.Run(context, request);                \
  }

// What every service's handlers hold: the runners, and the operations
// interface their unary RPCs call.
template <typename Service, typename OperationsInterface>
class ServiceHandlers : public Service::CallbackService {
 public:
  using Operations = OperationsInterface;
  ServiceHandlers(UnaryCallRunner unary, StreamCallRunner streams)
      : unary_(std::move(unary)), streams_(std::move(streams)) {}

 protected:
  const UnaryCallRunner unary_;
  const StreamCallRunner streams_;
};

class FileServiceHandlers final
    : public ServiceHandlers<v1::FileService, upstream::FileOperations> {
 public:
  using ServiceHandlers::ServiceHandlers;
  UCGATE_UNARY_HANDLER(ListFiles)
  // A fresh file-info cache entry answers on the reactor thread.
  UCGATE_UNARY_HANDLER(GetFile)
  UCGATE_UNARY_HANDLER(StoreFile)
  UCGATE_UNARY_HANDLER(DeleteFile)
  UCGATE_UNARY_HANDLER(BatchStoreFiles)
  UCGATE_UNARY_HANDLER(BatchDeleteFiles)
  UCGATE_UNARY_HANDLER(CopyFileToLocalStorage)
  UCGATE_UNARY_HANDLER(CopyFileToRemoteStorage)
  UCGATE_UNARY_HANDLER(GetFileMetadata)
  UCGATE_UNARY_HANDLER(GetFileMetadataKey)
  UCGATE_UNARY_HANDLER(UpdateFileMetadataKey)
  UCGATE_UNARY_HANDLER(DeleteFileMetadataKey)
  UCGATE_UNARY_HANDLER(GetFileTags)
  UCGATE_UNARY_HANDLER(ReplaceFileTags)
  UCGATE_UNARY_HANDLER(UpdateFileTags)
  UCGATE_UNARY_HANDLER(SearchFiles)
  UCGATE_STREAM_HANDLER(StreamFiles)
};

class GroupServiceHandlers final
    : public ServiceHandlers<v1::GroupService, upstream::GroupOperations> {
 public:
  using ServiceHandlers::ServiceHandlers;
  UCGATE_UNARY_HANDLER(ListGroups)
  UCGATE_UNARY_HANDLER(GetGroup)
  UCGATE_UNARY_HANDLER(DeleteGroup)
  UCGATE_UNARY_HANDLER(StoreGroup)
  UCGATE_STREAM_HANDLER(StreamGroups)
};

class ProjectServiceHandlers final
    : public ServiceHandlers<v1::ProjectService, upstream::ProjectOperations> {
 public:
  using ServiceHandlers::ServiceHandlers;
  UCGATE_UNARY_HANDLER(GetProject)
};

class WebhookServiceHandlers final
    : public ServiceHandlers<v1::WebhookService, upstream::WebhookOperations> {
 public:
  using ServiceHandlers::ServiceHandlers;
  UCGATE_UNARY_HANDLER(ListWebhooks)
  UCGATE_UNARY_HANDLER(CreateWebhook)
  UCGATE_UNARY_HANDLER(UpdateWebhook)
  UCGATE_UNARY_HANDLER(DeleteWebhook)
};

class ConversionServiceHandlers final
    : public ServiceHandlers<v1::ConversionService,
                             upstream::ConversionOperations> {
 public:
  using ServiceHandlers::ServiceHandlers;
  UCGATE_UNARY_HANDLER(ConvertDocument)
  UCGATE_UNARY_HANDLER(GetDocumentConversionStatus)
  UCGATE_UNARY_HANDLER(GetDocumentConversionInfo)
  UCGATE_UNARY_HANDLER(ConvertVideo)
  UCGATE_UNARY_HANDLER(GetVideoConversionStatus)
  // Every watcher of one job shares one poller (JobWatchHub).
  UCGATE_STREAM_HANDLER(WatchConversionJob)
};

class AddonServiceHandlers final
    : public ServiceHandlers<v1::AddonService, upstream::AddonOperations> {
 public:
  using ServiceHandlers::ServiceHandlers;
  UCGATE_UNARY_HANDLER(ExecuteAddon)
  UCGATE_UNARY_HANDLER(GetAddonExecutionStatus)
  UCGATE_STREAM_HANDLER(WatchAddonExecution)
};

#undef UCGATE_STREAM_HANDLER
#undef UCGATE_UNARY_HANDLER

// The handlers of every service, for the server to register.
std::vector<std::unique_ptr<grpc::Service>> MakeServiceHandlers(
    const UnaryCallRunner& unary, const StreamCallRunner& streams);

}  // namespace ucgate::gateway
