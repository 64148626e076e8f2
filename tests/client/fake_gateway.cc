#include "tests/client/fake_file_service.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/channel_arguments.h"

namespace ucgate::client::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using google::protobuf::util::TimeUtil;

v1::File CannedFile(const std::string& uuid) {
  v1::File file;
  file.set_uuid(uuid);
  file.set_original_filename("photo.jpg");
  file.set_size(1234);
  file.set_mime_type("image/jpeg");
  file.set_is_image(true);
  file.set_is_ready(true);
  *file.mutable_datetime_uploaded() = TimeUtil::SecondsToTimestamp(1500000000);
  return file;
}

void MarkStored(v1::File& file) {
  *file.mutable_datetime_stored() = TimeUtil::SecondsToTimestamp(1500000100);
}

void MarkRemoved(v1::File& file) {
  *file.mutable_datetime_removed() = TimeUtil::SecondsToTimestamp(1500000200);
}

// Batches: UUIDs starting with "bad" are problems ("Invalid"); the rest are
// answered as files, marked stored or removed.
template <typename Request, typename Response>
void AnswerBatch(const Request& request, Response& response,
                 void (*mark)(v1::File&)) {
  for (const std::string& uuid : request.uuids()) {
    if (uuid.rfind("bad", 0) == 0) {
      (*response.mutable_problems())[uuid] = "Invalid";
      continue;
    }
    v1::File* file = response.add_files();
    *file = CannedFile(uuid);
    mark(*file);
  }
}

}  // namespace

grpc::Status RichError(
    grpc::StatusCode code, const std::string& message,
    const std::vector<const google::protobuf::Message*>& details) {
  google::rpc::Status status;
  status.set_code(code);
  status.set_message(message);
  for (const google::protobuf::Message* detail : details) {
    status.add_details()->PackFrom(*detail);
  }
  return grpc::Status(code, message, status.SerializeAsString());
}

grpc::Status InvalidUuidErrorWithEveryDetail() {
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("uuid");
  violation->set_description("must be a UUID");
  google::rpc::RetryInfo retry_info;
  retry_info.mutable_retry_delay()->set_seconds(3);
  retry_info.mutable_retry_delay()->set_nanos(500000000);
  google::rpc::ErrorInfo error_info;
  error_info.set_reason("INVALID_UUID");
  error_info.set_domain("ucgate.uploadcare.com");
  return RichError(grpc::StatusCode::INVALID_ARGUMENT, "uuid: must be a UUID",
                   {&bad_request, &retry_info, &error_info});
}

void FakeFileService::FailWith(grpc::Status status) {
  absl::MutexLock lock(&mutex_);
  failure_ = std::move(status);
}

void FakeFileService::SetPages(std::vector<v1::ListFilesResponse> pages) {
  absl::MutexLock lock(&mutex_);
  pages_ = std::move(pages);
}

std::vector<RecordedCall> FakeFileService::calls() const {
  absl::MutexLock lock(&mutex_);
  return calls_;
}

grpc::Status FakeFileService::Record(const char* method,
                                     const grpc::ServerContext& context,
                                     const google::protobuf::Message& request) {
  RecordedCall call;
  call.method = method;
  auto project = context.client_metadata().find("x-ucgate-project");
  if (project != context.client_metadata().end()) {
    call.project = std::string(project->second.data(), project->second.size());
  }
  // A call without a deadline reports the farthest representable time.
  const auto deadline = context.deadline();
  if (deadline < std::chrono::system_clock::now() + std::chrono::hours(24)) {
    call.time_left = absl::FromChrono(deadline) - absl::Now();
  }
  std::shared_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  call.request = std::move(copy);
  absl::MutexLock lock(&mutex_);
  calls_.push_back(std::move(call));
  return failure_;
}

grpc::Status FakeFileService::ListFiles(grpc::ServerContext* context,
                                        const v1::ListFilesRequest* request,
                                        v1::ListFilesResponse* response) {
  if (grpc::Status s = Record("ListFiles", *context, *request); !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mutex_);
  if (pages_.empty()) {
    *response->add_files() = CannedFile(kListedUuid);
    response->set_total_size(1);
    return grpc::Status::OK;
  }
  std::string token;
  for (const v1::ListFilesResponse& page : pages_) {
    if (request->page_token() == token) {
      *response = page;
      return grpc::Status::OK;
    }
    token = page.next_page_token();
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "page_token: unknown token");
}

grpc::Status FakeFileService::GetFile(grpc::ServerContext* context,
                                      const v1::GetFileRequest* request,
                                      v1::GetFileResponse* response) {
  if (grpc::Status s = Record("GetFile", *context, *request); !s.ok()) {
    return s;
  }
  *response->mutable_file() = CannedFile(request->uuid());
  if (request->include_appdata()) {
    (*response->mutable_file()->mutable_appdata())["uc_clamav_virus_scan"]
        .set_version("0.104.2");
  }
  return grpc::Status::OK;
}

grpc::Status FakeFileService::StoreFile(grpc::ServerContext* context,
                                        const v1::StoreFileRequest* request,
                                        v1::StoreFileResponse* response) {
  if (grpc::Status s = Record("StoreFile", *context, *request); !s.ok()) {
    return s;
  }
  *response->mutable_file() = CannedFile(request->uuid());
  MarkStored(*response->mutable_file());
  return grpc::Status::OK;
}

grpc::Status FakeFileService::DeleteFile(grpc::ServerContext* context,
                                         const v1::DeleteFileRequest* request,
                                         v1::DeleteFileResponse* response) {
  if (grpc::Status s = Record("DeleteFile", *context, *request); !s.ok()) {
    return s;
  }
  *response->mutable_file() = CannedFile(request->uuid());
  MarkRemoved(*response->mutable_file());
  return grpc::Status::OK;
}

grpc::Status FakeFileService::BatchStoreFiles(
    grpc::ServerContext* context, const v1::BatchStoreFilesRequest* request,
    v1::BatchStoreFilesResponse* response) {
  if (grpc::Status s = Record("BatchStoreFiles", *context, *request); !s.ok()) {
    return s;
  }
  AnswerBatch(*request, *response, MarkStored);
  return grpc::Status::OK;
}

grpc::Status FakeFileService::BatchDeleteFiles(
    grpc::ServerContext* context, const v1::BatchDeleteFilesRequest* request,
    v1::BatchDeleteFilesResponse* response) {
  if (grpc::Status s = Record("BatchDeleteFiles", *context, *request);
      !s.ok()) {
    return s;
  }
  AnswerBatch(*request, *response, MarkRemoved);
  return grpc::Status::OK;
}

grpc::Status FakeFileService::CopyFileToLocalStorage(
    grpc::ServerContext* context,
    const v1::CopyFileToLocalStorageRequest* request,
    v1::CopyFileToLocalStorageResponse* response) {
  if (grpc::Status s = Record("CopyFileToLocalStorage", *context, *request);
      !s.ok()) {
    return s;
  }
  v1::File* file = response->mutable_file();
  *file = CannedFile(kCopyUuid);
  file->set_source(absl::StrCat("/", request->source(), "/"));
  *file->mutable_metadata() = request->metadata();
  if (request->store()) MarkStored(*file);
  return grpc::Status::OK;
}

grpc::Status FakeFileService::CopyFileToRemoteStorage(
    grpc::ServerContext* context,
    const v1::CopyFileToRemoteStorageRequest* request,
    v1::CopyFileToRemoteStorageResponse* response) {
  if (grpc::Status s = Record("CopyFileToRemoteStorage", *context, *request);
      !s.ok()) {
    return s;
  }
  response->set_url(
      absl::StrCat("s3://", request->target(), "/", request->source()));
  response->set_already_existed(true);
  return grpc::Status::OK;
}

FakeServer::FakeServer(std::shared_ptr<grpc::ServerCredentials> credentials) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port_);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    std::cerr << "FakeServer: cannot listen on 127.0.0.1\n";
    std::abort();
  }
}

FakeServer::~FakeServer() { server_->Shutdown(); }

std::string FakeServer::target() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::shared_ptr<grpc::Channel> FakeServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

}  // namespace ucgate::client::testing
