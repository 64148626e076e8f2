// C++ client of the ucgate FileService: project selection, per-call
// deadlines, rich gRPC errors as absl::Status, and iteration over pages.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::client {

// Metadata key a caller names its Uploadcare project with.
inline constexpr char kProjectMetadataKey[] = "x-ucgate-project";

struct ClientOptions {
  // "host:port" of the gateway.
  std::string target;
  // Project sent as x-ucgate-project; empty sends none (the gateway's
  // default project).
  std::string project;
  // Deadline of each call; absl::InfiniteDuration() sets none.
  absl::Duration timeout = absl::Seconds(30);
  bool use_tls = false;
  // PEM root certificates to verify the gateway with; empty uses the system
  // roots. Only read when use_tls is set.
  std::string ca_file;
};

// Converts a gRPC status to an absl::Status with the same code and message;
// each detail of the grpc-status-details-bin trailer (google.rpc.Status)
// becomes a payload keyed by its type URL, holding the serialized message,
// as service/common/status.h reads them (FieldViolations, RetryAfter, ...).
absl::Status FromGrpcStatus(const grpc::Status& status);

// A channel to options.target: TLS with options.ca_file (or system roots)
// when options.use_tls, plaintext otherwise. Fails when ca_file is unreadable.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(
    const ClientOptions& options);

class FileClient {
 public:
  using ListFilesRequest = ::uploadcare::gateway::v1::ListFilesRequest;
  using ListFilesResponse = ::uploadcare::gateway::v1::ListFilesResponse;
  using GetFileRequest = ::uploadcare::gateway::v1::GetFileRequest;
  using GetFileResponse = ::uploadcare::gateway::v1::GetFileResponse;
  using StoreFileRequest = ::uploadcare::gateway::v1::StoreFileRequest;
  using StoreFileResponse = ::uploadcare::gateway::v1::StoreFileResponse;
  using DeleteFileRequest = ::uploadcare::gateway::v1::DeleteFileRequest;
  using DeleteFileResponse = ::uploadcare::gateway::v1::DeleteFileResponse;
  using BatchStoreFilesRequest =
      ::uploadcare::gateway::v1::BatchStoreFilesRequest;
  using BatchStoreFilesResponse =
      ::uploadcare::gateway::v1::BatchStoreFilesResponse;
  using BatchDeleteFilesRequest =
      ::uploadcare::gateway::v1::BatchDeleteFilesRequest;
  using BatchDeleteFilesResponse =
      ::uploadcare::gateway::v1::BatchDeleteFilesResponse;
  using CopyFileToLocalStorageRequest =
      ::uploadcare::gateway::v1::CopyFileToLocalStorageRequest;
  using CopyFileToLocalStorageResponse =
      ::uploadcare::gateway::v1::CopyFileToLocalStorageResponse;
  using CopyFileToRemoteStorageRequest =
      ::uploadcare::gateway::v1::CopyFileToRemoteStorageRequest;
  using CopyFileToRemoteStorageResponse =
      ::uploadcare::gateway::v1::CopyFileToRemoteStorageResponse;
  using File = ::uploadcare::gateway::v1::File;

  // Connects to options.target (see CreateChannel).
  static absl::StatusOr<std::unique_ptr<FileClient>> Create(
      const ClientOptions& options);

  // Uses an existing channel; options.target, use_tls and ca_file are ignored.
  FileClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options);

  absl::StatusOr<ListFilesResponse> ListFiles(const ListFilesRequest& request);
  absl::StatusOr<GetFileResponse> GetFile(const GetFileRequest& request);
  absl::StatusOr<StoreFileResponse> StoreFile(const StoreFileRequest& request);
  absl::StatusOr<DeleteFileResponse> DeleteFile(
      const DeleteFileRequest& request);
  absl::StatusOr<BatchStoreFilesResponse> BatchStoreFiles(
      const BatchStoreFilesRequest& request);
  absl::StatusOr<BatchDeleteFilesResponse> BatchDeleteFiles(
      const BatchDeleteFilesRequest& request);
  absl::StatusOr<CopyFileToLocalStorageResponse> CopyFileToLocalStorage(
      const CopyFileToLocalStorageRequest& request);
  absl::StatusOr<CopyFileToRemoteStorageResponse> CopyFileToRemoteStorage(
      const CopyFileToRemoteStorageRequest& request);

  // Calls ListFiles page after page, starting at request.page_token, until
  // next_page_token is empty, handing every file to `visit`; stops early
  // (with OK) when `visit` returns false. Each page is its own call with its
  // own deadline. Fails with the first failing page's error.
  absl::Status ForEachFile(ListFilesRequest request,
                           const std::function<bool(const File&)>& visit);

  const ClientOptions& options() const { return options_; }

 private:
  using Stub = ::uploadcare::gateway::v1::FileService::StubInterface;
  template <typename Request, typename Response>
  using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&,
                                        Response*);

  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(Method<Request, Response> method,
                                const Request& request);

  ClientOptions options_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace ucgate::client
