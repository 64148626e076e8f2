// A bare gRPC unary echo server (callback API) on loopback: the limit for
// any gRPC hop in the benchmarks; and the calls that load it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_interceptor.h"
#include "tests/bench/echo.grpc.pb.h"
#include "tests/bench/load_generator.h"

namespace ucgate::bench {

class EchoServer {
 public:
  using Interceptors = std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>;

  // Listens on `listen` ("HOST:PORT"; port 0 picks a free one), with
  // `interceptors` (none by default) on every call.
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(
      const std::string& listen, Interceptors interceptors = {});
  ~EchoServer();

  int port() const { return port_; }

 private:
  EchoServer() = default;

  std::unique_ptr<EchoService::CallbackService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Echo calls to one server over `channels` connections, for the load
// generator: requests of `request_bytes`, answers of `response_bytes`.
class EchoCalls {
 public:
  EchoCalls() = default;
  EchoCalls(int port, int channels, size_t request_bytes,
            size_t response_bytes);

  // A StartCall for RunLoad (slot i uses channel i % channels); it keeps
  // what it needs alive, so this object may move.
  StartCall Starter() const;

 private:
  struct Shared {
    std::vector<std::unique_ptr<EchoService::Stub>> stubs;
    EchoRequest request;
  };
  std::shared_ptr<const Shared> shared_;
};

}  // namespace ucgate::bench
