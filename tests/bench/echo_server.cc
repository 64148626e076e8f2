#include "tests/bench/echo_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace ucgate::bench {
namespace {

class EchoServiceImpl final : public EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const EchoRequest* request,
                                 EchoResponse* response) override {
    if (request->response_bytes() > 0) {
      response->mutable_payload()->assign(request->response_bytes(), 'x');
    } else {
      *response->mutable_payload() = request->payload();
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(
    const std::string& listen, Interceptors interceptors) {
  std::unique_ptr<EchoServer> server(new EchoServer());
  server->service_ = std::make_unique<EchoServiceImpl>();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
  if (!interceptors.empty()) {
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError("echo server: cannot listen on " + listen);
  }
  return server;
}

EchoServer::~EchoServer() {
  if (server_ != nullptr) server_->Shutdown();
}

EchoCalls::EchoCalls(int port, int channels, size_t request_bytes,
                     size_t response_bytes) {
  auto shared = std::make_shared<Shared>();
  for (auto& channel :
       MakeChannels(absl::StrCat("127.0.0.1:", port), channels)) {
    shared->stubs.push_back(EchoService::NewStub(channel));
  }
  shared->request.set_payload(std::string(request_bytes, 'u'));
  shared->request.set_response_bytes(static_cast<uint32_t>(response_bytes));
  shared_ = std::move(shared);
}

StartCall EchoCalls::Starter() const {
  return UnaryStarter<EchoResponse>(
      [shared = shared_](int slot, grpc::ClientContext* context,
                         EchoResponse* response, auto on_done) {
        shared->stubs[slot % shared->stubs.size()]->async()->Echo(
            context, &shared->request, response, std::move(on_done));
      });
}

}  // namespace ucgate::bench
