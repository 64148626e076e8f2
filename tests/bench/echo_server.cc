#include "tests/bench/echo_server.h"

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
    const std::string& listen) {
  std::unique_ptr<EchoServer> server(new EchoServer());
  server->service_ = std::make_unique<EchoServiceImpl>();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError("echo server: cannot listen on " + listen);
  }
  return server;
}

EchoServer::~EchoServer() {
  if (server_ != nullptr) server_->Shutdown();
}

}  // namespace ucgate::bench
