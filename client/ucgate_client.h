// C++ clients of the ucgate services (files, groups, project, webhooks,
// conversions, add-ons): project selection, per-call deadlines, rich gRPC
// errors as absl::Status, and iteration over pages.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_field.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "grpcpp/support/sync_stream.h"
#include "service/api/rpcs.h"
#include "uploadcare/gateway/v1/addon_service.grpc.pb.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"
#include "uploadcare/gateway/v1/group_service.grpc.pb.h"
#include "uploadcare/gateway/v1/project_service.grpc.pb.h"
#include "uploadcare/gateway/v1/webhook_service.grpc.pb.h"

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
  // Deadline of each streaming call (StreamFiles, WatchConversionJob, ...),
  // which lasts as long as the listing or the job; none by default.
  absl::Duration stream_timeout = absl::InfiniteDuration();
  // Times a listing stream broken with UNAVAILABLE is resumed in a row
  // without receiving anything in between.
  int max_stream_resumes = 3;
  bool use_tls = false;
  // PEM root certificates to verify the gateway with; empty uses the system
  // roots. Only read when use_tls is set.
  std::string ca_file;
  // A client certificate chain and its key (PEM) for gateways that verify
  // callers by certificate (mTLS); both or neither. Read when use_tls is set.
  std::string cert_file;
  std::string key_file;
  // A file holding the bearer token (a static token or a JWT) sent as
  // `authorization: Bearer ...` with every call; surrounding whitespace is
  // dropped. Read once (LoadTokenFile, which Create calls); empty: no token.
  std::string token_file;
  // The token itself (LoadTokenFile fills it from token_file). Sent only
  // over TLS or to a loopback target.
  std::string bearer_token;
};

// Converts a gRPC status to an absl::Status with the same code and message;
// each detail of the grpc-status-details-bin trailer (google.rpc.Status)
// becomes a payload keyed by its type URL, holding the serialized message,
// as service/common/status.h reads them (FieldViolations, RetryAfter, ...).
absl::Status FromGrpcStatus(const grpc::Status& status);

// A channel to options.target: TLS with options.ca_file (or system roots)
// and the client certificate (cert_file, key_file) when options.use_tls,
// plaintext otherwise. Fails when a file is unreadable, or when a bearer
// token would go in plaintext to a host other than loopback.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(
    const ClientOptions& options);

// Reads options.token_file into options.bearer_token (nothing to do without
// one). Errors name the file, never its contents.
absl::Status LoadTokenFile(ClientOptions& options);

// Sets the deadline, the project metadata and the bearer token of one call.
void PrepareContext(const ClientOptions& options, grpc::ClientContext& context);

// Calls `list_page` page after page, starting at request.page_token, until
// next_page_token is empty, handing every item of `items` to `visit`; stops
// early (with OK) when `visit` returns false. Fails with the first failing
// page's error, or INTERNAL when a page hands back the token it was given
// (which would loop forever). `rpc` names the RPC in that error.
template <typename Request, typename Response, typename Item>
absl::Status ForEachInPages(
    absl::string_view rpc, Request request,
    const std::function<absl::StatusOr<Response>(const Request&)>& list_page,
    const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
    const std::function<bool(const Item&)>& visit) {
  while (true) {
    absl::StatusOr<Response> page = list_page(request);
    if (!page.ok()) return page.status();
    for (const Item& item : ((*page).*items)()) {
      if (!visit(item)) return absl::OkStatus();
    }
    if (page->next_page_token().empty()) return absl::OkStatus();
    if (page->next_page_token() == request.page_token()) {
      return absl::InternalError(
          absl::StrCat(rpc, " returned the same page token it was given"));
    }
    request.set_page_token(page->next_page_token());
  }
}

// Hands every item of each streamed batch to `visit` until it returns false
// (then false: stop the stream).
template <typename Item>
bool VisitEach(const google::protobuf::RepeatedPtrField<Item>& items,
               const std::function<bool(const Item&)>& visit) {
  for (const Item& item : items) {
    if (!visit(item)) return false;
  }
  return true;
}

// What every service client shares: a stub on one channel, and the call path
// (deadline, project, errors through FromGrpcStatus). `Client` is the
// concrete client (for Create), `Service` the generated gRPC service.
template <typename Client, typename Service>
class ServiceClient {
 public:
  using Stub = typename Service::StubInterface;

  // Connects to options.target (see CreateChannel).
  static absl::StatusOr<std::unique_ptr<Client>> Create(ClientOptions options) {
    if (absl::Status loaded = LoadTokenFile(options); !loaded.ok()) {
      return loaded;
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        CreateChannel(options);
    if (!channel.ok()) return channel.status();
    return std::make_unique<Client>(*std::move(channel), std::move(options));
  }

  // Uses an existing channel; options.target, use_tls and ca_file are
  // ignored.
  ServiceClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options)
      : options_(std::move(options)),
        stub_(Service::NewStub(std::move(channel))) {}

  const ClientOptions& options() const { return options_; }

 protected:
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                   Response*),
      const Request& request) {
    grpc::ClientContext context;
    PrepareContext(options_, context);
    Response response;
    grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  template <typename Request, typename Response>
  using StreamMethod = std::unique_ptr<grpc::ClientReaderInterface<Response>> (
      Stub::*)(grpc::ClientContext*, const Request&);

  // Reads one server-streaming call to its end, handing each message to
  // `on_message`; returning false cancels the call (and returns OK).
  template <typename Request, typename Response>
  absl::Status ReadStream(
      StreamMethod<Request, Response> method, const Request& request,
      const std::function<bool(const Response&)>& on_message) {
    grpc::ClientContext context;
    ClientOptions stream_options = options_;
    stream_options.timeout = options_.stream_timeout;
    PrepareContext(stream_options, context);
    std::unique_ptr<grpc::ClientReaderInterface<Response>> reader =
        (stub_.get()->*method)(&context, request);
    Response message;
    while (reader->Read(&message)) {
      if (!on_message(message)) {
        context.TryCancel();
        reader->Finish();
        return absl::OkStatus();
      }
    }
    grpc::Status status = reader->Finish();
    return status.ok() ? absl::OkStatus() : FromGrpcStatus(status);
  }

  // ReadStream over a resumable listing: when the stream breaks with
  // UNAVAILABLE it is restarted from the resume token of the last message
  // received, up to options().max_stream_resumes times in a row without
  // progress; the caller sees every item once, in order.
  template <typename Request, typename Response>
  absl::Status ReadResumableStream(
      StreamMethod<Request, Response> method, Request request,
      const std::function<bool(const Response&)>& on_message) {
    int failures_without_progress = 0;
    while (true) {
      bool progressed = false;
      absl::Status status = ReadStream<Request, Response>(
          method, request, [&](const Response& message) {
            progressed = true;
            request.set_resume_token(message.resume_token());
            return on_message(message);
          });
      if (status.code() != absl::StatusCode::kUnavailable) return status;
      failures_without_progress =
          progressed ? 1 : failures_without_progress + 1;
      if (failures_without_progress > options_.max_stream_resumes) {
        return status;
      }
    }
  }

 private:
  ClientOptions options_;
  std::unique_ptr<Stub> stub_;
};

// One unary RPC of a ServiceClient: `Rpc(const RpcRequest&)` returning
// absl::StatusOr<RpcResponse>, for every UNARY row of service/api/rpcs.h
// (buf lint keeps those names standard). Streams have methods of their own.
#define UCGATE_CLIENT_RPC(Rpc, ...)                             \
  absl::StatusOr<::uploadcare::gateway::v1::Rpc##Response> Rpc( \
      const ::uploadcare::gateway::v1::Rpc##Request& request) { \
    return this->Call(&Stub::Rpc, request);                     \
  }

class FileClient
    : public ServiceClient<FileClient, ::uploadcare::gateway::v1::FileService> {
 public:
  using ListFilesRequest = ::uploadcare::gateway::v1::ListFilesRequest;
  using SearchFilesRequest = ::uploadcare::gateway::v1::SearchFilesRequest;
  using File = ::uploadcare::gateway::v1::File;
  using ServiceClient::ServiceClient;

  UCGATE_FILE_SERVICE_RPCS(UCGATE_CLIENT_RPC, UCGATE_NO_ROW)

  // Every file of ListFiles from request.page_token on (see ForEachInPages);
  // each page is its own call with its own deadline.
  absl::Status ForEachFile(ListFilesRequest request,
                           const std::function<bool(const File&)>& visit);
  // Every file SearchFiles finds, page after page, likewise.
  absl::Status ForEachFoundFile(SearchFilesRequest request,
                                const std::function<bool(const File&)>& visit);

  // The whole listing through one StreamFiles stream, batch by batch
  // (`on_batch` returning false stops it), resumed after UNAVAILABLE (see
  // ClientOptions::max_stream_resumes).
  absl::Status StreamFiles(
      ::uploadcare::gateway::v1::StreamFilesRequest request,
      const std::function<bool(
          const ::uploadcare::gateway::v1::StreamFilesResponse&)>& on_batch);
  // ForEachFile over StreamFiles (one call, pages fetched ahead by the
  // gateway): the same files, in the same order. A request with a
  // page_token (a ListFiles position) pages with ForEachFile instead.
  absl::Status ForEachStreamedFile(
      ListFilesRequest request, const std::function<bool(const File&)>& visit);
};

class GroupClient
    : public ServiceClient<GroupClient,
                           ::uploadcare::gateway::v1::GroupService> {
 public:
  using ListGroupsRequest = ::uploadcare::gateway::v1::ListGroupsRequest;
  using Group = ::uploadcare::gateway::v1::Group;
  using ServiceClient::ServiceClient;

  UCGATE_GROUP_SERVICE_RPCS(UCGATE_CLIENT_RPC, UCGATE_NO_ROW)

  // Every group of ListGroups from request.page_token on (see
  // ForEachInPages).
  absl::Status ForEachGroup(ListGroupsRequest request,
                            const std::function<bool(const Group&)>& visit);

  // The whole listing through StreamGroups, as FileClient::StreamFiles.
  absl::Status StreamGroups(
      ::uploadcare::gateway::v1::StreamGroupsRequest request,
      const std::function<bool(
          const ::uploadcare::gateway::v1::StreamGroupsResponse&)>& on_batch);
  // ForEachGroup over StreamGroups, as FileClient::ForEachStreamedFile.
  absl::Status ForEachStreamedGroup(
      ListGroupsRequest request,
      const std::function<bool(const Group&)>& visit);
};

class ProjectClient
    : public ServiceClient<ProjectClient,
                           ::uploadcare::gateway::v1::ProjectService> {
 public:
  using ServiceClient::ServiceClient;

  UCGATE_PROJECT_SERVICE_RPCS(UCGATE_CLIENT_RPC, UCGATE_NO_ROW)
};

// grpc.health.v1.Health: whether the gateway (service "") or one of its
// services is serving. Answered without a project.
class HealthClient
    : public ServiceClient<HealthClient, ::grpc::health::v1::Health> {
 public:
  using ServiceClient::ServiceClient;

  absl::StatusOr<::grpc::health::v1::HealthCheckResponse> Check(
      const ::grpc::health::v1::HealthCheckRequest& request) {
    return this->Call(&Stub::Check, request);
  }
};

class WebhookClient
    : public ServiceClient<WebhookClient,
                           ::uploadcare::gateway::v1::WebhookService> {
 public:
  using ServiceClient::ServiceClient;

  UCGATE_WEBHOOK_SERVICE_RPCS(UCGATE_CLIENT_RPC, UCGATE_NO_ROW)
};

class ConversionClient
    : public ServiceClient<ConversionClient,
                           ::uploadcare::gateway::v1::ConversionService> {
 public:
  using ServiceClient::ServiceClient;

  UCGATE_CONVERSION_SERVICE_RPCS(UCGATE_CLIENT_RPC, UCGATE_NO_ROW)

  // Each status of the job (the current one first) until a terminal one;
  // OK after it. `on_update` returning false stops watching.
  absl::Status WatchConversionJob(
      const ::uploadcare::gateway::v1::WatchConversionJobRequest& request,
      const std::function<
          bool(const ::uploadcare::gateway::v1::WatchConversionJobResponse&)>&
          on_update);
};

class AddonClient
    : public ServiceClient<AddonClient,
                           ::uploadcare::gateway::v1::AddonService> {
 public:
  using ServiceClient::ServiceClient;

  UCGATE_ADDON_SERVICE_RPCS(UCGATE_CLIENT_RPC, UCGATE_NO_ROW)

  // Each status of the run until done or error, as WatchConversionJob.
  absl::Status WatchAddonExecution(
      const ::uploadcare::gateway::v1::WatchAddonExecutionRequest& request,
      const std::function<
          bool(const ::uploadcare::gateway::v1::WatchAddonExecutionResponse&)>&
          on_update);
};

#undef UCGATE_CLIENT_RPC

}  // namespace ucgate::client
