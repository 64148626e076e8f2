// An in-process FileService for client tests: records every call (request,
// x-ucgate-project, time left before the deadline) and answers canned
// responses derived from the request, pages set by the test, or an error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::client::testing {

// UUIDs the fake uses in its answers.
inline constexpr char kListedUuid[] = "11111111-1111-4111-8111-111111111111";
inline constexpr char kCopyUuid[] = "22222222-2222-4222-8222-222222222222";

struct RecordedCall {
  std::string method;  // e.g. "GetFile"
  // x-ucgate-project as sent; nullopt when absent.
  std::optional<std::string> project;
  // Time left before the deadline when the call arrived; nullopt: none.
  std::optional<absl::Duration> time_left;
  std::shared_ptr<const google::protobuf::Message> request;

  template <typename Request>
  const Request& As() const {
    return dynamic_cast<const Request&>(*request);
  }
};

// A grpc::Status whose grpc-status-details-bin carries `details` packed as
// google.protobuf.Any in a google.rpc.Status.
grpc::Status RichError(
    grpc::StatusCode code, const std::string& message,
    const std::vector<const google::protobuf::Message*>& details);

// INVALID_ARGUMENT "uuid: must be a UUID" with a BadRequest (field uuid:
// "must be a UUID"), a RetryInfo (3.5 s) and an ErrorInfo (INVALID_UUID).
grpc::Status InvalidUuidErrorWithEveryDetail();

class FakeFileService final
    : public ::uploadcare::gateway::v1::FileService::Service {
 public:
  // Every following call fails with `status` (grpc::Status::OK: answer).
  void FailWith(grpc::Status status);

  // ListFiles serves these pages: an empty page_token gets pages[0], and the
  // next_page_token of pages[i] gets pages[i + 1]; other tokens are
  // INVALID_ARGUMENT. Default: one page holding one file (kListedUuid).
  void SetPages(
      std::vector<::uploadcare::gateway::v1::ListFilesResponse> pages);

  std::vector<RecordedCall> calls() const;

  grpc::Status ListFiles(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::ListFilesRequest* request,
      ::uploadcare::gateway::v1::ListFilesResponse* response) override;
  grpc::Status GetFile(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::GetFileRequest* request,
      ::uploadcare::gateway::v1::GetFileResponse* response) override;
  grpc::Status StoreFile(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::StoreFileRequest* request,
      ::uploadcare::gateway::v1::StoreFileResponse* response) override;
  grpc::Status DeleteFile(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::DeleteFileRequest* request,
      ::uploadcare::gateway::v1::DeleteFileResponse* response) override;
  grpc::Status BatchStoreFiles(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::BatchStoreFilesRequest* request,
      ::uploadcare::gateway::v1::BatchStoreFilesResponse* response) override;
  grpc::Status BatchDeleteFiles(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::BatchDeleteFilesRequest* request,
      ::uploadcare::gateway::v1::BatchDeleteFilesResponse* response) override;
  grpc::Status CopyFileToLocalStorage(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::CopyFileToLocalStorageRequest* request,
      ::uploadcare::gateway::v1::CopyFileToLocalStorageResponse* response)
      override;
  grpc::Status CopyFileToRemoteStorage(
      grpc::ServerContext* context,
      const ::uploadcare::gateway::v1::CopyFileToRemoteStorageRequest* request,
      ::uploadcare::gateway::v1::CopyFileToRemoteStorageResponse* response)
      override;

 private:
  // Records the call; returns the error to answer with (OK: go on).
  grpc::Status Record(const char* method, const grpc::ServerContext& context,
                      const google::protobuf::Message& request);

  mutable absl::Mutex mutex_;
  std::vector<RecordedCall> calls_ ABSL_GUARDED_BY(mutex_);
  grpc::Status failure_ ABSL_GUARDED_BY(mutex_);
  std::vector<::uploadcare::gateway::v1::ListFilesResponse> pages_
      ABSL_GUARDED_BY(mutex_);
};

// A real gRPC server on 127.0.0.1 (a free port) serving a FakeFileService.
class FakeServer {
 public:
  // Plaintext unless given TLS credentials.
  explicit FakeServer(std::shared_ptr<grpc::ServerCredentials> credentials =
                          grpc::InsecureServerCredentials());
  ~FakeServer();

  FakeFileService& service() { return service_; }
  // "127.0.0.1:<port>".
  std::string target() const;
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  FakeFileService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace ucgate::client::testing
