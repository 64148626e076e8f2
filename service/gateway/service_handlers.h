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

class FileServiceHandlers final : public v1::FileService::CallbackService {
 public:
  using Operations = upstream::FileOperations;
  FileServiceHandlers(UnaryCallRunner unary, StreamCallRunner streams)
      : unary_(std::move(unary)), streams_(std::move(streams)) {}

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

 private:
  const UnaryCallRunner unary_;
  const StreamCallRunner streams_;
};

class GroupServiceHandlers final : public v1::GroupService::CallbackService {
 public:
  using Operations = upstream::GroupOperations;
  GroupServiceHandlers(UnaryCallRunner unary, StreamCallRunner streams)
      : unary_(std::move(unary)), streams_(std::move(streams)) {}

  UCGATE_UNARY_HANDLER(ListGroups)
  UCGATE_UNARY_HANDLER(GetGroup)
  UCGATE_UNARY_HANDLER(DeleteGroup)
  UCGATE_UNARY_HANDLER(StoreGroup)
  UCGATE_STREAM_HANDLER(StreamGroups)

 private:
  const UnaryCallRunner unary_;
  const StreamCallRunner streams_;
};

class ProjectServiceHandlers final
    : public v1::ProjectService::CallbackService {
 public:
  using Operations = upstream::ProjectOperations;
  explicit ProjectServiceHandlers(UnaryCallRunner unary)
      : unary_(std::move(unary)) {}

  UCGATE_UNARY_HANDLER(GetProject)

 private:
  const UnaryCallRunner unary_;
};

class WebhookServiceHandlers final
    : public v1::WebhookService::CallbackService {
 public:
  using Operations = upstream::WebhookOperations;
  explicit WebhookServiceHandlers(UnaryCallRunner unary)
      : unary_(std::move(unary)) {}

  UCGATE_UNARY_HANDLER(ListWebhooks)
  UCGATE_UNARY_HANDLER(CreateWebhook)
  UCGATE_UNARY_HANDLER(UpdateWebhook)
  UCGATE_UNARY_HANDLER(DeleteWebhook)

 private:
  const UnaryCallRunner unary_;
};

class ConversionServiceHandlers final
    : public v1::ConversionService::CallbackService {
 public:
  using Operations = upstream::ConversionOperations;
  ConversionServiceHandlers(UnaryCallRunner unary, StreamCallRunner streams)
      : unary_(std::move(unary)), streams_(std::move(streams)) {}

  UCGATE_UNARY_HANDLER(ConvertDocument)
  UCGATE_UNARY_HANDLER(GetDocumentConversionStatus)
  UCGATE_UNARY_HANDLER(GetDocumentConversionInfo)
  UCGATE_UNARY_HANDLER(ConvertVideo)
  UCGATE_UNARY_HANDLER(GetVideoConversionStatus)
  // Every watcher of one job shares one poller (JobWatchHub).
  UCGATE_STREAM_HANDLER(WatchConversionJob)

 private:
  const UnaryCallRunner unary_;
  const StreamCallRunner streams_;
};

class AddonServiceHandlers final : public v1::AddonService::CallbackService {
 public:
  using Operations = upstream::AddonOperations;
  AddonServiceHandlers(UnaryCallRunner unary, StreamCallRunner streams)
      : unary_(std::move(unary)), streams_(std::move(streams)) {}

  UCGATE_UNARY_HANDLER(ExecuteAddon)
  UCGATE_UNARY_HANDLER(GetAddonExecutionStatus)
  UCGATE_STREAM_HANDLER(WatchAddonExecution)

 private:
  const UnaryCallRunner unary_;
  const StreamCallRunner streams_;
};

#undef UCGATE_STREAM_HANDLER
#undef UCGATE_UNARY_HANDLER

// The handlers of every service, for the server to register.
std::vector<std::unique_ptr<grpc::Service>> MakeServiceHandlers(
    const UnaryCallRunner& unary, const StreamCallRunner& streams);

}  // namespace ucgate::gateway
