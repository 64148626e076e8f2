// A bare gRPC unary echo server (callback API) on loopback: the limit for
// any gRPC hop in the benchmarks.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "tests/bench/echo.grpc.pb.h"

namespace ucgate::bench {

class EchoServer {
 public:
  // Listens on `listen` ("HOST:PORT"; port 0 picks a free one).
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(
      const std::string& listen);
  ~EchoServer();

  int port() const { return port_; }

 private:
  EchoServer() = default;

  std::unique_ptr<EchoService::CallbackService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace ucgate::bench
