// The gateway serves every RPC the protos declare: each method of each
// service, called by name with an empty request, is answered by the gateway
// (with its validation or its upstream's answer), never UNIMPLEMENTED, the
// answer gRPC gives for a method without a handler.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/common/blocking_executor.h"
#include "service/gateway/gateway_server.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"

#ifndef UCGATE_SERVICE_PROTOS
#error "UCGATE_SERVICE_PROTOS must list the proto files that declare services"
#endif

namespace ucgate::gateway {
namespace {

using ::google::protobuf::DescriptorPool;
using ::google::protobuf::FileDescriptor;
using ::google::protobuf::MethodDescriptor;
using ::testing::NiceMock;

class EveryRpcServedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Nice mocks: every upstream call answers an empty error.
    upstream::ProjectUpstream upstream;
    upstream.files = std::make_shared<NiceMock<testing::MockFileOperations>>();
    upstream.groups =
        std::make_shared<NiceMock<testing::MockGroupOperations>>();
    upstream.project =
        std::make_shared<NiceMock<testing::MockProjectOperations>>();
    upstream.webhooks =
        std::make_shared<NiceMock<testing::MockWebhookOperations>>();
    upstream.conversions =
        std::make_shared<NiceMock<testing::MockConversionOperations>>();
    upstream.addons =
        std::make_shared<NiceMock<testing::MockAddonOperations>>();
    std::vector<Project> projects;
    projects.push_back({"main", ApiVersion::kV07, std::move(upstream)});
    auto server = GatewayServer::Start(
        "127.0.0.1:0", std::make_shared<ProjectRegistry>(std::move(projects)),
        std::make_shared<BlockingExecutor>(2, 16));
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    generic_ = std::make_unique<grpc::GenericStub>(server_->InProcessChannel());
  }

  // The status of one call of `method` with an empty request (its first
  // message, for a stream).
  grpc::Status Call(const MethodDescriptor& method) {
    const std::string name =
        absl::StrCat("/", method.service()->full_name(), "/", method.name());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    if (!method.server_streaming()) {
      grpc::ByteBuffer response;
      absl::Notification done;
      grpc::Status status;
      generic_->UnaryCall(&context, name, grpc::StubOptions(), &request,
                          &response, [&](grpc::Status finished) {
                            status = std::move(finished);
                            done.Notify();
                          });
      done.WaitForNotification();
      return status;
    }
    grpc::CompletionQueue queue;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
        generic_->PrepareCall(&context, name, &queue);
    auto step = [&queue] {
      void* tag;
      bool ok;
      queue.Next(&tag, &ok);
    };
    call->StartCall(nullptr);
    step();
    call->Write(request, nullptr);
    step();
    call->WritesDone(nullptr);
    step();
    grpc::ByteBuffer message;
    call->Read(&message, nullptr);  // A first message, or the end.
    step();
    grpc::Status status;
    call->Finish(&status, nullptr);
    step();
    return status;
  }

  std::unique_ptr<GatewayServer> server_;
  std::unique_ptr<grpc::GenericStub> generic_;
};

TEST_F(EveryRpcServedTest, NoRpcOfTheProtosIsUnimplemented) {
  int methods = 0;
  for (absl::string_view file :
       absl::StrSplit(UCGATE_SERVICE_PROTOS, ',', absl::SkipEmpty())) {
    const FileDescriptor* descriptor =
        DescriptorPool::generated_pool()->FindFileByName(std::string(file));
    ASSERT_NE(descriptor, nullptr) << file;
    for (int s = 0; s < descriptor->service_count(); ++s) {
      for (int m = 0; m < descriptor->service(s)->method_count(); ++m) {
        const MethodDescriptor& method = *descriptor->service(s)->method(m);
        EXPECT_NE(Call(method).error_code(), grpc::StatusCode::UNIMPLEMENTED)
            << method.full_name() << " has no handler";
        ++methods;
      }
    }
  }
  EXPECT_GE(methods, 36);
}

}  // namespace
}  // namespace ucgate::gateway
