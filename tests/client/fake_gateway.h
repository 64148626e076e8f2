// An in-process stand-in for the ucgate gateway for client tests: every RPC
// of every service (FileService, GroupService, ProjectService, ...) is served
// by one generic handler that records the call (request, x-ucgate-project,
// time left before the deadline) and answers what the test set: a canned
// response, pages walked by page_token, a handler, or an error. RPCs the
// test did not set answer an empty response; the FileService RPCs of issue 2
// keep answers derived from their request (see FakeGateway()).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::client::testing {

// UUIDs the fake uses in its answers.
inline constexpr char kListedUuid[] = "11111111-1111-4111-8111-111111111111";
inline constexpr char kCopyUuid[] = "22222222-2222-4222-8222-222222222222";

struct RecordedCall {
  std::string method;  // the RPC's name, e.g. "GetFile"
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

// The method named `rpc` ("ListGroups") in any service; nullptr if none.
const google::protobuf::MethodDescriptor* FindRpc(const std::string& rpc);

// A grpc::Status whose grpc-status-details-bin carries `details` packed as
// google.protobuf.Any in a google.rpc.Status.
grpc::Status RichError(
    grpc::StatusCode code, const std::string& message,
    const std::vector<const google::protobuf::Message*>& details);

// INVALID_ARGUMENT "uuid: must be a UUID" with a BadRequest (field uuid:
// "must be a UUID"), a RetryInfo (3.5 s) and an ErrorInfo (INVALID_UUID).
grpc::Status InvalidUuidErrorWithEveryDetail();

class FakeGateway final : public grpc::CallbackGenericService {
 public:
  // Fills `response` (of the RPC's response type) from `request`, or fails.
  using Handler =
      std::function<grpc::Status(const google::protobuf::Message& request,
                                 google::protobuf::Message& response)>;

  // Installs the FileService answers of issue 2: ListFiles one page with one
  // file (kListedUuid); GetFile/StoreFile/DeleteFile the named file (stored,
  // removed); batches the files, with UUIDs starting with "bad" as problems;
  // CopyFileToLocalStorage a kCopyUuid file; CopyFileToRemoteStorage
  // "s3://TARGET/SOURCE".
  FakeGateway();

  // Every following call fails with `status` (grpc::Status::OK: answer).
  void FailWith(grpc::Status status);

  // `rpc` names the method alone ("ListGroups"): the names are unique across
  // the services. Replaces what `rpc` answered before.
  void SetHandler(const std::string& rpc, Handler handler);

  // A handler on the generated types.
  template <typename Request, typename Response, typename Fn>
  void Answer(const std::string& rpc, Fn fn) {
    SetHandler(rpc, [fn](const google::protobuf::Message& request,
                         google::protobuf::Message& response) {
      return fn(dynamic_cast<const Request&>(request),
                dynamic_cast<Response&>(response));
    });
  }

  // A server-streaming `rpc`: fills `messages` (serialized responses, sent in
  // order), then the call ends with the returned status.
  using StreamHandler =
      std::function<grpc::Status(const google::protobuf::Message& request,
                                 std::vector<std::string>* messages)>;
  void SetStreamHandler(const std::string& rpc, StreamHandler handler);

  // A StreamHandler on the generated types: `fn(request, &responses)`.
  template <typename Request, typename Response, typename Fn>
  void AnswerStream(const std::string& rpc, Fn fn) {
    SetStreamHandler(rpc, [fn](const google::protobuf::Message& request,
                               std::vector<std::string>* messages) {
      std::vector<Response> responses;
      grpc::Status status =
          fn(dynamic_cast<const Request&>(request), &responses);
      for (const Response& response : responses) {
        messages->push_back(response.SerializeAsString());
      }
      return status;
    });
  }

  // Every call of the server-streaming `rpc` sends `messages`, then ends
  // with `end`.
  template <typename Response>
  void SetStream(const std::string& rpc, std::vector<Response> messages,
                 grpc::Status end = grpc::Status::OK) {
    SetStreamHandler(rpc, [messages, end](const google::protobuf::Message&,
                                          std::vector<std::string>* out) {
      for (const Response& message : messages) {
        out->push_back(message.SerializeAsString());
      }
      return end;
    });
  }

  // Every call of `rpc` answers a copy of `response`.
  void SetResponse(const std::string& rpc,
                   const google::protobuf::Message& response);

  // `rpc` (a paged list: page_token in, next_page_token out) serves these
  // pages: an empty page_token gets pages[0], the next_page_token of pages[i]
  // gets pages[i + 1]; other tokens are INVALID_ARGUMENT.
  template <typename Response>
  void SetPages(const std::string& rpc, const std::vector<Response>& pages) {
    std::vector<std::shared_ptr<const google::protobuf::Message>> copies;
    for (const Response& page : pages) {
      copies.push_back(std::make_shared<Response>(page));
    }
    SetPageMessages(rpc, std::move(copies));
  }
  // ListFiles's pages (the issue 2 tests' spelling).
  void SetPages(
      std::vector<::uploadcare::gateway::v1::ListFilesResponse> pages) {
    SetPages("ListFiles", pages);
  }

  std::vector<RecordedCall> calls() const;

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // One call of `method` ("/package.Service/Rpc"): records it and answers
  // (one message for a unary RPC, any number for a server-streaming one).
  // What the reactor runs.
  grpc::Status Handle(const grpc::GenericCallbackServerContext& context,
                      const std::string& request_bytes,
                      std::vector<std::string>* response_messages);

 private:
  void SetPageMessages(
      const std::string& rpc,
      std::vector<std::shared_ptr<const google::protobuf::Message>> pages);

  mutable absl::Mutex mutex_;
  std::vector<RecordedCall> calls_ ABSL_GUARDED_BY(mutex_);
  grpc::Status failure_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Handler> handlers_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, StreamHandler> stream_handlers_ ABSL_GUARDED_BY(mutex_);
};

// A real gRPC server on 127.0.0.1 (a free port) serving a FakeGateway.
class FakeServer {
 public:
  // Plaintext unless given TLS credentials.
  explicit FakeServer(std::shared_ptr<grpc::ServerCredentials> credentials =
                          grpc::InsecureServerCredentials());
  ~FakeServer();

  FakeGateway& service() { return service_; }
  // "127.0.0.1:<port>".
  std::string target() const;
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  FakeGateway service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace ucgate::client::testing
