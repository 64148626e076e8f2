#include "tests/client/fake_gateway.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/channel_arguments.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"
#include "uploadcare/gateway/v1/project_service.pb.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

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

// The value of a string field named `name` ("" when there is none).
std::string StringField(const google::protobuf::Message& message,
                        const std::string& name) {
  const google::protobuf::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// "/uploadcare.gateway.v1.GroupService/ListGroups" -> its descriptor, from
// the services the client library speaks to.
const std::vector<const google::protobuf::FileDescriptor*>& ServiceFiles() {
  // Naming one message of each service's file links its descriptors in.
  static const auto* const kServiceFiles =
      new std::vector<const google::protobuf::FileDescriptor*>{
          v1::ListFilesRequest::descriptor()->file(),
          v1::ListGroupsRequest::descriptor()->file(),
          v1::GetProjectRequest::descriptor()->file(),
          v1::ListWebhooksRequest::descriptor()->file(),
          v1::ConvertDocumentRequest::descriptor()->file(),
          v1::ExecuteAddonRequest::descriptor()->file(),
      };
  return *kServiceFiles;
}

const google::protobuf::MethodDescriptor* FindMethod(absl::string_view path) {
  std::vector<std::string> parts =
      absl::StrSplit(absl::StripPrefix(path, "/"), '/');
  if (parts.size() != 2) return nullptr;
  for (const google::protobuf::FileDescriptor* file : ServiceFiles()) {
    for (int i = 0; i < file->service_count(); ++i) {
      const google::protobuf::ServiceDescriptor* service = file->service(i);
      if (service->full_name() != parts[0]) continue;
      return service->FindMethodByName(parts[1]);
    }
  }
  return nullptr;
}

// Serves one call of any method: reads the request, asks the fake, writes
// the answer (each message of a server-streaming one).
class UnaryReactor final : public grpc::ServerGenericBidiReactor {
 public:
  UnaryReactor(FakeGateway& fake, grpc::GenericCallbackServerContext* context)
      : fake_(fake), context_(context) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "no request message"));
      return;
    }
    std::vector<grpc::Slice> slices;
    std::string request_bytes;
    if (request_.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        request_bytes.append(reinterpret_cast<const char*>(slice.begin()),
                             slice.size());
      }
    }
    status_ = fake_.Handle(*context_, request_bytes, &responses_);
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  // The answer's messages one at a time, then the status.
  void WriteNext() {
    if (next_ == responses_.size()) {
      Finish(status_);
      return;
    }
    grpc::Slice slice(responses_[next_++]);
    response_ = grpc::ByteBuffer(&slice, 1);
    StartWrite(&response_);
  }

  FakeGateway& fake_;
  grpc::GenericCallbackServerContext* context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::vector<std::string> responses_;
  size_t next_ = 0;
  grpc::Status status_;
};

}  // namespace

const google::protobuf::MethodDescriptor* FindRpc(const std::string& rpc) {
  for (const google::protobuf::FileDescriptor* file : ServiceFiles()) {
    for (int i = 0; i < file->service_count(); ++i) {
      if (const auto* method = file->service(i)->FindMethodByName(rpc)) {
        return method;
      }
    }
  }
  return nullptr;
}

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

FakeGateway::FakeGateway() {
  Answer<v1::ListFilesRequest, v1::ListFilesResponse>(
      "ListFiles",
      [](const v1::ListFilesRequest&, v1::ListFilesResponse& response) {
        *response.add_files() = CannedFile(kListedUuid);
        response.set_total_size(1);
        return grpc::Status::OK;
      });
  Answer<v1::GetFileRequest, v1::GetFileResponse>(
      "GetFile",
      [](const v1::GetFileRequest& request, v1::GetFileResponse& response) {
        *response.mutable_file() = CannedFile(request.uuid());
        if (request.include_appdata()) {
          (*response.mutable_file()->mutable_appdata())["uc_clamav_virus_scan"]
              .set_version("0.104.2");
        }
        return grpc::Status::OK;
      });
  Answer<v1::StoreFileRequest, v1::StoreFileResponse>(
      "StoreFile",
      [](const v1::StoreFileRequest& request, v1::StoreFileResponse& response) {
        *response.mutable_file() = CannedFile(request.uuid());
        MarkStored(*response.mutable_file());
        return grpc::Status::OK;
      });
  Answer<v1::DeleteFileRequest, v1::DeleteFileResponse>(
      "DeleteFile", [](const v1::DeleteFileRequest& request,
                       v1::DeleteFileResponse& response) {
        *response.mutable_file() = CannedFile(request.uuid());
        MarkRemoved(*response.mutable_file());
        return grpc::Status::OK;
      });
  Answer<v1::BatchStoreFilesRequest, v1::BatchStoreFilesResponse>(
      "BatchStoreFiles", [](const v1::BatchStoreFilesRequest& request,
                            v1::BatchStoreFilesResponse& response) {
        AnswerBatch(request, response, MarkStored);
        return grpc::Status::OK;
      });
  Answer<v1::BatchDeleteFilesRequest, v1::BatchDeleteFilesResponse>(
      "BatchDeleteFiles", [](const v1::BatchDeleteFilesRequest& request,
                             v1::BatchDeleteFilesResponse& response) {
        AnswerBatch(request, response, MarkRemoved);
        return grpc::Status::OK;
      });
  Answer<v1::CopyFileToLocalStorageRequest, v1::CopyFileToLocalStorageResponse>(
      "CopyFileToLocalStorage",
      [](const v1::CopyFileToLocalStorageRequest& request,
         v1::CopyFileToLocalStorageResponse& response) {
        v1::File* file = response.mutable_file();
        *file = CannedFile(kCopyUuid);
        file->set_source(absl::StrCat("/", request.source(), "/"));
        *file->mutable_metadata() = request.metadata();
        if (request.store()) MarkStored(*file);
        return grpc::Status::OK;
      });
  Answer<v1::CopyFileToRemoteStorageRequest,
         v1::CopyFileToRemoteStorageResponse>(
      "CopyFileToRemoteStorage",
      [](const v1::CopyFileToRemoteStorageRequest& request,
         v1::CopyFileToRemoteStorageResponse& response) {
        response.set_url(
            absl::StrCat("s3://", request.target(), "/", request.source()));
        response.set_already_existed(true);
        return grpc::Status::OK;
      });
}

void FakeGateway::FailWith(grpc::Status status) {
  absl::MutexLock lock(&mutex_);
  failure_ = std::move(status);
}

void FakeGateway::SetHandler(const std::string& rpc, Handler handler) {
  absl::MutexLock lock(&mutex_);
  handlers_[rpc] = std::move(handler);
}

void FakeGateway::SetResponse(const std::string& rpc,
                              const google::protobuf::Message& response) {
  std::shared_ptr<google::protobuf::Message> canned(response.New());
  canned->CopyFrom(response);
  SetHandler(rpc, [canned](const google::protobuf::Message&,
                           google::protobuf::Message& answer) {
    answer.CopyFrom(*canned);
    return grpc::Status::OK;
  });
}

void FakeGateway::SetPageMessages(
    const std::string& rpc,
    std::vector<std::shared_ptr<const google::protobuf::Message>> pages) {
  SetHandler(
      rpc, [pages = std::move(pages)](const google::protobuf::Message& request,
                                      google::protobuf::Message& response) {
        const std::string wanted = StringField(request, "page_token");
        std::string token;
        for (const auto& page : pages) {
          if (wanted == token) {
            response.CopyFrom(*page);
            return grpc::Status::OK;
          }
          token = StringField(*page, "next_page_token");
        }
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "page_token: unknown token");
      });
}

std::vector<RecordedCall> FakeGateway::calls() const {
  absl::MutexLock lock(&mutex_);
  return calls_;
}

void FakeGateway::SetStreamHandler(const std::string& rpc,
                                   StreamHandler handler) {
  absl::MutexLock lock(&mutex_);
  stream_handlers_[rpc] = std::move(handler);
}

grpc::ServerGenericBidiReactor* FakeGateway::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  return new UnaryReactor(*this, context);
}

grpc::Status FakeGateway::Handle(
    const grpc::GenericCallbackServerContext& context,
    const std::string& request_bytes,
    std::vector<std::string>* response_messages) {
  const google::protobuf::MethodDescriptor* method =
      FindMethod(context.method());
  if (method == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat("unknown method ", context.method()));
  }
  google::protobuf::MessageFactory* factory =
      google::protobuf::MessageFactory::generated_factory();
  std::shared_ptr<google::protobuf::Message> request(
      factory->GetPrototype(method->input_type())->New());
  if (!request->ParseFromString(request_bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "unparsable request");
  }
  RecordedCall call;
  call.method = method->name();
  auto project = context.client_metadata().find("x-ucgate-project");
  if (project != context.client_metadata().end()) {
    call.project = std::string(project->second.data(), project->second.size());
  }
  // A call without a deadline reports the farthest representable time.
  const auto deadline = context.deadline();
  if (deadline < std::chrono::system_clock::now() + std::chrono::hours(24)) {
    call.time_left = absl::FromChrono(deadline) - absl::Now();
  }
  call.request = request;
  Handler handler;
  StreamHandler stream_handler;
  {
    absl::MutexLock lock(&mutex_);
    calls_.push_back(std::move(call));
    if (!failure_.ok()) return failure_;
    auto found = handlers_.find(method->name());
    if (found != handlers_.end()) handler = found->second;
    auto found_stream = stream_handlers_.find(method->name());
    if (found_stream != stream_handlers_.end()) {
      stream_handler = found_stream->second;
    }
  }
  if (method->server_streaming()) {
    // Unset: an empty stream.
    return stream_handler ? stream_handler(*request, response_messages)
                          : grpc::Status::OK;
  }
  std::unique_ptr<google::protobuf::Message> response(
      factory->GetPrototype(method->output_type())->New());
  if (handler) {
    if (grpc::Status status = handler(*request, *response); !status.ok()) {
      return status;
    }
  }
  response_messages->push_back(response->SerializeAsString());
  return grpc::Status::OK;
}

FakeServer::FakeServer(std::shared_ptr<grpc::ServerCredentials> credentials) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port_);
  builder.RegisterCallbackGenericService(&service_);
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
