#include "tests/observability/observed_test_server.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"

namespace ucgate::testing {

absl::Time TickingClock::Now() const {
  return absl::UnixEpoch() + absl::Milliseconds(ticks_.fetch_add(1) + 1);
}

class ObservedTestServer::FakeFileService final
    : public v1::FileService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetFile(grpc::CallbackServerContext* context,
                                    const v1::GetFileRequest* request,
                                    v1::GetFileResponse* response) override {
    NoteCall(context);
    if (request->uuid() == "hang") {
      // Answers only once the caller has gone away.
      class FinishOnCancel final : public grpc::ServerUnaryReactor {
        void OnCancel() override {
          Finish(grpc::Status(grpc::StatusCode::CANCELLED, "caller gone"));
        }
        void OnDone() override { delete this; }
      };
      return new FinishOnCancel();
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->uuid().empty()) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "uuid: required"));
    } else if (request->uuid() == "fail") {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INTERNAL, "upstream: broken"));
    } else {
      response->mutable_file()->set_uuid(request->uuid());
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

  grpc::ServerWriteReactor<v1::StreamFilesResponse>* StreamFiles(
      grpc::CallbackServerContext* context,
      const v1::StreamFilesRequest*) override {
    NoteCall(context);
    class ThreeMessages final
        : public grpc::ServerWriteReactor<v1::StreamFilesResponse> {
     public:
      ThreeMessages() { WriteNext(); }

     private:
      void OnWriteDone(bool ok) override {
        if (ok) {
          WriteNext();
        } else {
          Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
        }
      }
      void OnDone() override { delete this; }
      void WriteNext() {
        if (written_ == 3) {
          Finish(grpc::Status::OK);
          return;
        }
        message_.Clear();
        message_.add_files()->set_uuid(absl::StrCat("file-", written_));
        ++written_;
        StartWrite(&message_);
      }
      v1::StreamFilesResponse message_;
      int written_ = 0;
    };
    return new ThreeMessages();
  }

  std::vector<std::string> seen() const {
    absl::MutexLock lock(&mutex_);
    return seen_;
  }

 private:
  void NoteCall(grpc::CallbackServerContext* context) {
    std::shared_ptr<observability::CallObservation> call =
        observability::FindCallObservation(context);
    absl::MutexLock lock(&mutex_);
    if (call == nullptr) {
      seen_.push_back("<no observation>");
      return;
    }
    seen_.push_back(call->request_id());
    // A caller name claimed in metadata stands for a wiring bug that lets a
    // caller's string reach SetCaller: its label must still be bounded.
    auto claimed = context->client_metadata().find(kClaimedCallerHeader);
    call->SetCaller(claimed == context->client_metadata().end()
                        ? absl::string_view(kConfiguredCaller)
                        : absl::string_view(claimed->second.data(),
                                            claimed->second.size()));
    call->SetProject(kConfiguredProject);
    call->AddUpstreamAttempt();
    call->AddUpstreamAttempt();
  }

  mutable absl::Mutex mutex_;
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mutex_);
};

ObservedTestServer::ObservedTestServer()
    : service_(std::make_unique<FakeFileService>()) {
  observability::GatewayMetricsOptions gateway_options;
  gateway_options.projects = {kConfiguredProject};
  gateway_options.callers = {kConfiguredCaller};
  gateway_options.operations = {"GetFile"};
  gateway_options.build = {"0.1.0", ""};
  gateway_metrics_ = std::make_shared<observability::GatewayMetrics>(
      registry_, gateway_options);
  // The health service's descriptor is linked in by naming its message.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  observability::ServerObservabilityOptions options;
  options.grpc_metrics = *observability::GrpcServerMetrics::Create(
      registry_,
      {v1::FileService::service_full_name(), "grpc.health.v1.Health"});
  options.gateway_metrics = gateway_metrics_;
  options.clock = std::make_shared<TickingClock>();

  grpc::ServerBuilder builder;
  builder.RegisterService(service_.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      std::make_unique<observability::ServerObservabilityFactory>(
          std::move(options)));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  stub_ = v1::FileService::NewStub(channel_);
}

ObservedTestServer::~ObservedTestServer() { Shutdown(); }

void ObservedTestServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  server_->Shutdown();
  server_->Wait();
}

std::vector<std::string> ObservedTestServer::seen_request_ids() const {
  return service_->seen();
}

}  // namespace ucgate::testing
