#include "client/ucgate_client.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace ucgate::client {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // grpc::StatusCode and absl::StatusCode share the canonical numbering.
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& detail : details.details()) {
      result.SetPayload(detail.type_url(), absl::Cord(detail.value()));
    }
  }
  return result;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(
    const ClientOptions& options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("no target given (HOST:PORT)");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.use_tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      std::ifstream in(options.ca_file, std::ios::binary);
      if (!in) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot read CA file '", options.ca_file, "'"));
      }
      std::stringstream pem;
      pem << in.rdbuf();
      ssl.pem_root_certs = pem.str();
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateChannel(options.target, credentials);
}

absl::StatusOr<std::unique_ptr<FileClient>> FileClient::Create(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateChannel(options);
  if (!channel.ok()) return channel.status();
  return std::make_unique<FileClient>(*std::move(channel), options);
}

FileClient::FileClient(std::shared_ptr<grpc::Channel> channel,
                       ClientOptions options)
    : options_(std::move(options)),
      stub_(::uploadcare::gateway::v1::FileService::NewStub(channel)) {}

template <typename Request, typename Response>
absl::StatusOr<Response> FileClient::Call(Method<Request, Response> method,
                                          const Request& request) {
  grpc::ClientContext context;
  if (options_.timeout != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  }
  if (!options_.project.empty()) {
    context.AddMetadata(kProjectMetadataKey, options_.project);
  }
  Response response;
  grpc::Status status = (stub_.get()->*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<FileClient::ListFilesResponse> FileClient::ListFiles(
    const ListFilesRequest& request) {
  return Call(&Stub::ListFiles, request);
}

absl::StatusOr<FileClient::GetFileResponse> FileClient::GetFile(
    const GetFileRequest& request) {
  return Call(&Stub::GetFile, request);
}

absl::StatusOr<FileClient::StoreFileResponse> FileClient::StoreFile(
    const StoreFileRequest& request) {
  return Call(&Stub::StoreFile, request);
}

absl::StatusOr<FileClient::DeleteFileResponse> FileClient::DeleteFile(
    const DeleteFileRequest& request) {
  return Call(&Stub::DeleteFile, request);
}

absl::StatusOr<FileClient::BatchStoreFilesResponse> FileClient::BatchStoreFiles(
    const BatchStoreFilesRequest& request) {
  return Call(&Stub::BatchStoreFiles, request);
}

absl::StatusOr<FileClient::BatchDeleteFilesResponse>
FileClient::BatchDeleteFiles(const BatchDeleteFilesRequest& request) {
  return Call(&Stub::BatchDeleteFiles, request);
}

absl::StatusOr<FileClient::CopyFileToLocalStorageResponse>
FileClient::CopyFileToLocalStorage(
    const CopyFileToLocalStorageRequest& request) {
  return Call(&Stub::CopyFileToLocalStorage, request);
}

absl::StatusOr<FileClient::CopyFileToRemoteStorageResponse>
FileClient::CopyFileToRemoteStorage(
    const CopyFileToRemoteStorageRequest& request) {
  return Call(&Stub::CopyFileToRemoteStorage, request);
}

absl::Status FileClient::ForEachFile(
    ListFilesRequest request, const std::function<bool(const File&)>& visit) {
  while (true) {
    absl::StatusOr<ListFilesResponse> page = ListFiles(request);
    if (!page.ok()) return page.status();
    for (const File& file : page->files()) {
      if (!visit(file)) return absl::OkStatus();
    }
    if (page->next_page_token().empty()) return absl::OkStatus();
    // A server handing back the token it was given would loop forever.
    if (page->next_page_token() == request.page_token()) {
      return absl::InternalError(
          "ListFiles returned the same page token it was given");
    }
    request.set_page_token(page->next_page_token());
  }
}

}  // namespace ucgate::client
