// ucctl health against a real gRPC server with gRPC's own health service:
// the exit code follows the serving status, for `helm test` and scripts.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/ucctl.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kFileService[] = "uploadcare.gateway.v1.FileService";

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

class UcctlHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    // gRPC serves no service, health included, without a registered one.
    builder.RegisterCallbackGenericService(&unimplemented_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    health()->SetServingStatus(true);
    health()->SetServingStatus(kFileService, true);
  }
  void TearDown() override { server_->Shutdown(); }

  grpc::HealthCheckServiceInterface* health() {
    return server_->GetHealthCheckService();
  }

  Result Health(std::vector<std::string> args) {
    args.insert(args.begin(), {"--target", absl::StrCat("127.0.0.1:", port_),
                               "--timeout", "5", "health"});
    std::ostringstream out, err;
    int exit_code = RunUcctl(args, out, err);
    return {exit_code, out.str(), err.str()};
  }

  int port_ = 0;
  grpc::CallbackGenericService unimplemented_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(UcctlHealthTest, ServingGatewayExitsZeroWithTheStatus) {
  Result json = Health({});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"status\": \"SERVING\""));
  EXPECT_THAT(json.err, IsEmpty());

  Result text = Health({"--output", "text"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "SERVING\n");
}

TEST_F(UcctlHealthTest, AsksAboutOneServiceWhenNamed) {
  Result serving = Health({kFileService, "--output", "text"});
  EXPECT_EQ(serving.exit_code, 0) << serving.err;
  EXPECT_EQ(serving.out, "SERVING\n");

  // gRPC's health service answers NOT_FOUND for a service it does not know.
  Result unknown = Health({"no.such.Service"});
  EXPECT_EQ(unknown.exit_code, kRpcErrorExitCode);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
}

TEST_F(UcctlHealthTest, NotServingExitsOneNamingTheStatus) {
  // What the gateway sets while it drains on SIGTERM.
  health()->SetServingStatus(false);
  Result result = Health({"--output", "text"});
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode);
  EXPECT_EQ(result.out, "NOT_SERVING\n");
  EXPECT_EQ(result.err, "ucctl: health: the gateway is NOT_SERVING\n");

  Result service = Health({kFileService});
  EXPECT_EQ(service.exit_code, kRpcErrorExitCode);
  EXPECT_THAT(service.err,
              HasSubstr(absl::StrCat(kFileService, " is NOT_SERVING")));
}

TEST_F(UcctlHealthTest, UnreachableGatewayIsAFailedCall) {
  const int port = port_;
  server_->Shutdown();
  std::ostringstream out, err;
  int exit_code = RunUcctl({"--target", absl::StrCat("127.0.0.1:", port),
                            "--timeout", "2", "health"},
                           out, err);
  EXPECT_EQ(exit_code, kRpcErrorExitCode);
  EXPECT_THAT(err.str(), HasSubstr("UNAVAILABLE"));
}

TEST_F(UcctlHealthTest, UsageErrorsExitTwo) {
  Result extra = Health({"a.Service", "another.Service"});
  EXPECT_EQ(extra.exit_code, kUsageExitCode);
  EXPECT_THAT(extra.err, HasSubstr("unexpected argument 'another.Service'"));

  std::ostringstream out, err;
  EXPECT_EQ(RunUcctl({"health", "--help"}, out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("Usage: ucctl [connection options] health "
                                   "[SERVICE] [options]"));
  EXPECT_THAT(out.str(), HasSubstr("NOT_SERVING while it drains"));

  std::ostringstream top_out, top_err;
  EXPECT_EQ(RunUcctl({"--help"}, top_out, top_err), 0);
  EXPECT_THAT(top_out.str(), HasSubstr("health [SERVICE]"));
}

}  // namespace
}  // namespace ucgate::client
