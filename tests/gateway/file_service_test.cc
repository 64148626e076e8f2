#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "service/api/page_token.h"
#include "service/cache/lru_file_info_cache.h"
#include "service/common/blocking_executor.h"
#include "service/common/clock.h"
#include "service/common/status.h"
#include "service/gateway/gateway_server.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"

namespace ucgate::gateway {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::Return;
using ::ucgate::testing::MockFileOperations;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";

google::rpc::Status DetailsOf(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

// The detail of type `Detail` (whatever the order of the details), or an
// empty one with a test failure.
template <typename Detail>
Detail DetailOf(const grpc::Status& status) {
  Detail detail;
  const google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&detail)) return detail;
  }
  ADD_FAILURE() << "no " << Detail::descriptor()->full_name() << " in "
                << details.DebugString();
  return detail;
}

class FileServiceTest : public ::testing::Test {
 protected:
  void StartGateway(int projects = 1, int threads = 2, int queue = 16) {
    std::vector<Project> list;
    for (int i = 0; i < projects; ++i) {
      auto mock = std::make_shared<::testing::StrictMock<MockFileOperations>>();
      mocks_.push_back(mock);
      upstream::ProjectUpstream upstream;
      upstream.files = mock;
      upstream.file_info_cache = file_info_cache_;
      list.push_back(
          {i == 0 ? "main" : "other", ApiVersion::kV07, std::move(upstream)});
    }
    executor_ = std::make_shared<BlockingExecutor>(threads, queue);
    auto server = GatewayServer::Start(
        "127.0.0.1:0", std::make_shared<ProjectRegistry>(std::move(list)),
        executor_);
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::FileService::NewStub(channel_);
  }

  // GetFile stands in for a slow curl transfer: it waits up to a minute,
  // woken only by the call's cancellation (not by polling), and records
  // whether that came.
  void ExpectGetFileUntilCancelled(absl::Notification& entered,
                                   std::atomic<bool>& saw_cancel) {
    EXPECT_CALL(*mocks_[0], GetFile(_, _))
        .WillOnce(Invoke(
            [&](const upstream::CallContext& call, const v1::GetFileRequest&)
                -> absl::StatusOr<v1::GetFileResponse> {
              entered.Notify();
              saw_cancel = call.cancellation != nullptr &&
                           call.cancellation->WaitFor(absl::Seconds(60));
              return absl::CancelledError("cancelled");
            }));
  }

  std::vector<std::shared_ptr<::testing::StrictMock<MockFileOperations>>>
      mocks_;
  // Null unless a test sets it before StartGateway.
  std::shared_ptr<cache::FileInfoCache> file_info_cache_;
  std::shared_ptr<BlockingExecutor> executor_;
  std::unique_ptr<GatewayServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::FileService::Stub> stub_;
};

TEST_F(FileServiceTest, ForwardsToTheProjectAndReturnsTheAnswer) {
  StartGateway();
  v1::GetFileResponse answer;
  answer.mutable_file()->set_uuid(kUuid);
  answer.mutable_file()->set_size(1290);
  absl::Time seen_deadline;
  EXPECT_CALL(*mocks_[0], GetFile(_, _))
      .WillOnce(Invoke([&](const upstream::CallContext& call,
                           const v1::GetFileRequest& request) {
        EXPECT_EQ(request.uuid(), kUuid);
        seen_deadline = call.deadline;
        return answer;
      }));
  grpc::ClientContext context;
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(5);
  context.set_deadline(deadline);
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  v1::GetFileResponse response;
  grpc::Status status = stub_->GetFile(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.file().size(), 1290);
  // The caller's deadline reaches the upstream layer (within clock skew).
  EXPECT_LT(absl::AbsDuration(seen_deadline - absl::FromChrono(deadline)),
            absl::Milliseconds(50));
}

TEST_F(FileServiceTest, BadInputIsRefusedBeforeUpstreamWithTheFieldNamed) {
  StartGateway();  // StrictMock: any upstream call fails the test
  grpc::ClientContext context;
  v1::GetFileRequest request;
  request.set_uuid("not-a-uuid");
  v1::GetFileResponse response;
  grpc::Status status = stub_->GetFile(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("uuid:"));
  // A BadRequest and an ErrorInfo.
  ASSERT_EQ(DetailsOf(status).details_size(), 2);
  google::rpc::BadRequest bad_request =
      DetailOf<google::rpc::BadRequest>(status);
  ASSERT_GT(bad_request.field_violations_size(), 0);
  EXPECT_EQ(DetailOf<google::rpc::ErrorInfo>(status).reason(), "INVALID_FIELD");
  EXPECT_EQ(bad_request.field_violations(0).field(), "uuid");

  grpc::ClientContext list_context;
  v1::ListFilesRequest list;
  list.set_page_size(5000);
  v1::ListFilesResponse list_response;
  status = stub_->ListFiles(&list_context, list, &list_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_size"));
}

TEST_F(FileServiceTest, PageTokensAreCheckedBeforeAnythingIsScheduled) {
  StartGateway(/*projects=*/2);  // StrictMock: any upstream call fails the test
  v1::ListFilesRequest request;
  // A token this gateway issued to the other project.
  request.set_page_token(
      api::EncodePageToken({"2015-09-10T10:00:00Z", 100},
                           api::PagedRequestFingerprint("other", request)));
  grpc::ClientContext context;
  context.AddMetadata("x-ucgate-project", "main");
  v1::ListFilesResponse response;
  grpc::Status status = stub_->ListFiles(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::StartsWith("page_token: "));
  google::rpc::BadRequest bad_request =
      DetailOf<google::rpc::BadRequest>(status);
  ASSERT_GT(bad_request.field_violations_size(), 0);
  EXPECT_EQ(bad_request.field_violations(0).field(), "page_token");
}

TEST_F(FileServiceTest, ProjectIsChosenByMetadata) {
  StartGateway(/*projects=*/2);
  EXPECT_CALL(*mocks_[1], StoreFile(_, _))
      .WillOnce(Return(v1::StoreFileResponse()));
  v1::StoreFileRequest request;
  request.set_uuid(kUuid);
  v1::StoreFileResponse response;
  {
    grpc::ClientContext context;
    context.AddMetadata("x-ucgate-project", "other");
    EXPECT_TRUE(stub_->StoreFile(&context, request, &response).ok());
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("x-ucgate-project", "nope");
    grpc::Status status = stub_->StoreFile(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("x-ucgate-project"));
  }
  {
    grpc::ClientContext context;  // two projects: the key is required
    grpc::Status status = stub_->StoreFile(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("x-ucgate-project"));
  }
}

TEST_F(FileServiceTest, RetryAfterReachesTheCaller) {
  StartGateway();
  EXPECT_CALL(*mocks_[0], ListFiles(_, _))
      .WillOnce(Return(WithRetryAfter(
          absl::ResourceExhaustedError("upstream: Request was throttled."),
          absl::Seconds(10))));
  grpc::ClientContext context;
  v1::ListFilesResponse response;
  grpc::Status status =
      stub_->ListFiles(&context, v1::ListFilesRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("throttled"));
  auto trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("retry-after");
  ASSERT_NE(it, trailers.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "10");
  EXPECT_EQ(DetailOf<google::rpc::RetryInfo>(status).retry_delay().seconds(),
            10);
}

TEST_F(FileServiceTest, ShutdownPastItsGraceCancelsTheUpstreamCallInFlight) {
  StartGateway();
  absl::Notification entered;
  std::atomic<bool> saw_cancel{false};
  ExpectGetFileUntilCancelled(entered, saw_cancel);
  grpc::Status status;
  std::thread caller([&] {
    grpc::ClientContext context;
    v1::GetFileRequest request;
    request.set_uuid(kUuid);
    v1::GetFileResponse response;
    status = stub_->GetFile(&context, request, &response);
  });
  entered.WaitForNotification();
  const absl::Time start = absl::Now();
  // Returns once every call has ended: the upstream call was cancelled, not
  // waited for.
  server_->Shutdown(absl::Milliseconds(100));
  caller.join();
  EXPECT_TRUE(saw_cancel.load());
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_FALSE(status.ok());
}

TEST_F(FileServiceTest, CancellationIsVisibleToTheUpstreamLayer) {
  StartGateway();
  absl::Notification entered;
  std::atomic<bool> saw_cancel{false};
  ExpectGetFileUntilCancelled(entered, saw_cancel);
  grpc::ClientContext context;
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  v1::GetFileResponse response;
  std::thread canceller([&] {
    entered.WaitForNotification();
    context.TryCancel();
  });
  grpc::Status status = stub_->GetFile(&context, request, &response);
  canceller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  executor_.reset();
  server_.reset();  // waits for the handler to finish
  EXPECT_TRUE(saw_cancel.load());
}

TEST_F(FileServiceTest, OverloadIsResourceExhaustedNotAnEndlessQueue) {
  StartGateway(1, /*threads=*/1, /*queue=*/1);
  // Shared with the mock: call B's queued task may run after the test body
  // has returned, while the gateway shuts down.
  auto release = std::make_shared<absl::Notification>();
  auto entered = std::make_shared<absl::Notification>();
  EXPECT_CALL(*mocks_[0], GetFile(_, _))
      .WillRepeatedly(Invoke([release, entered](const upstream::CallContext&,
                                                const v1::GetFileRequest&) {
        if (!entered->HasBeenNotified())
          entered->Notify();  // one worker: no race
        release->WaitForNotification();
        return v1::GetFileResponse();
      }));
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  // Call A occupies the only worker; call B waits in the one queue slot (its
  // caller gives up after 200 ms, but the task stays queued); call C is
  // refused at once.
  std::thread call_a([&] {
    grpc::ClientContext context;
    v1::GetFileResponse response;
    EXPECT_TRUE(stub_->GetFile(&context, request, &response).ok());
  });
  entered->WaitForNotification();
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(200));
    v1::GetFileResponse response;
    EXPECT_EQ(stub_->GetFile(&context, request, &response).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  grpc::ClientContext context;
  v1::GetFileResponse response;
  grpc::Status status = stub_->GetFile(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("overloaded"));
  release->Notify();
  call_a.join();
}

TEST_F(FileServiceTest, CacheHitsAreAnsweredWithoutTheExecutor) {
  file_info_cache_ = cache::MakeLruFileInfoCache({}, MakeSystemClock());
  v1::File cached;
  cached.set_uuid(kUuid);
  cached.set_size(1290);
  cached.set_is_ready(true);
  ASSERT_THAT(
      file_info_cache_
          ->GetOrFetch({"main", kUuid}, {},
                       [&]() -> absl::StatusOr<v1::File> { return cached; })
          .status(),
      IsOk());
  // No queue, and the only worker is busy: anything scheduled is refused.
  StartGateway(1, /*threads=*/1, /*queue=*/0);
  // With no queue, a task needs the worker to be waiting already.
  while (executor_->idle_workers() < 1) std::this_thread::yield();
  auto release = std::make_shared<absl::Notification>();
  auto busy = std::make_shared<absl::Notification>();
  ASSERT_TRUE(executor_->TrySchedule([release, busy] {
    busy->Notify();
    release->WaitForNotification();
  }));
  busy->WaitForNotification();

  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  grpc::ClientContext context;
  v1::GetFileResponse response;
  ASSERT_TRUE(stub_->GetFile(&context, request, &response).ok());
  EXPECT_EQ(response.file().size(), 1290);
  // Other include options are another entry: scheduled, hence refused.
  request.set_include_appdata(true);
  grpc::ClientContext refused_context;
  EXPECT_EQ(stub_->GetFile(&refused_context, request, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  release->Notify();
}

// A unary call of `method` with `bytes` as its raw request; the answer's
// bytes go to `*answer` (may be null).
grpc::Status CallWithRawRequest(std::shared_ptr<grpc::Channel> channel,
                                const std::string& method,
                                const std::string& bytes,
                                std::string* answer = nullptr) {
  grpc::GenericStub generic(channel);
  grpc::ClientContext context;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  absl::Notification done;
  grpc::Status status;
  generic.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      status = std::move(s);
                      done.Notify();
                    });
  done.WaitForNotification();
  std::vector<grpc::Slice> slices;
  if (answer != nullptr && status.ok() && response.Dump(&slices).ok()) {
    for (auto& piece : slices) {
      answer->append(reinterpret_cast<const char*>(piece.begin()),
                     piece.size());
    }
  }
  return status;
}

TEST_F(FileServiceTest, HealthIsServing) {
  StartGateway();
  // A raw Check call: request {service: ""} is an empty message.
  std::string bytes;
  grpc::Status status =
      CallWithRawRequest(channel_, "/grpc.health.v1.Health/Check", "", &bytes);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(FileServiceTest, DrainReportsNotServingAndKeepsAnsweringForTheDelay) {
  StartGateway();
  absl::Notification draining;
  absl::Notification release;
  server_->set_drain_waiter([&](absl::Duration delay) {
    EXPECT_EQ(delay, absl::Seconds(3));
    draining.Notify();
    release.WaitForNotification();
  });
  std::thread stopper(
      [&] { server_->Shutdown(absl::Seconds(1), absl::Seconds(3)); });
  draining.WaitForNotification();

  // Health checks are answered, NOT_SERVING, for the whole server and for
  // each service...
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string& service :
       {std::string(""), std::string("uploadcare.gateway.v1.FileService")}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::NOT_SERVING)
        << service;
  }
  // ...and new calls are still served during the delay.
  EXPECT_CALL(*mocks_[0], GetFile(_, _))
      .WillOnce(Return(v1::GetFileResponse()));
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  v1::GetFileResponse response;
  {
    grpc::ClientContext context;
    EXPECT_TRUE(stub_->GetFile(&context, request, &response).ok());
  }
  release.Notify();
  stopper.join();
  // After the delay and the drain, new calls are refused.
  grpc::ClientContext late;
  late.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EXPECT_FALSE(stub_->GetFile(&late, request, &response).ok());
}

TEST_F(FileServiceTest, UndecodableRequestsAreInvalidArgumentNotUnimplemented) {
  StartGateway();
  for (const std::string& bytes :
       {std::string("\xff\xff\xff\xff", 4),     // not protobuf
        std::string("\x0a\x02\xc3\x28", 4)}) {  // uuid with invalid UTF-8
    grpc::Status status = CallWithRawRequest(
        channel_, "/uploadcare.gateway.v1.FileService/GetFile", bytes);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("could not be decoded"));
    ASSERT_EQ(DetailsOf(status).details_size(), 1);
    EXPECT_EQ(DetailOf<google::rpc::ErrorInfo>(status).reason(),
              "INVALID_REQUEST_ENCODING");
  }
  // An unknown method is still UNIMPLEMENTED.
  EXPECT_EQ(CallWithRawRequest(channel_,
                               "/uploadcare.gateway.v1.FileService/Nope", "")
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(FileServiceTest, EveryErrorCarriesAnErrorInfo) {
  StartGateway();
  // A validation error, and an unknown project.
  v1::GetFileRequest request;
  request.set_uuid(std::string(100, 'x'));
  v1::GetFileResponse response;
  {
    grpc::ClientContext context;
    grpc::Status status = stub_->GetFile(&context, request, &response);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("(100 bytes)"));
    google::rpc::ErrorInfo info = DetailOf<google::rpc::ErrorInfo>(status);
    EXPECT_EQ(info.reason(), "INVALID_FIELD");
    EXPECT_EQ(info.metadata().at("field"), "uuid");
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("x-ucgate-project", std::string(5000, 'p'));
    request.set_uuid(kUuid);
    grpc::Status status = stub_->GetFile(&context, request, &response);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_LT(status.error_message().size(), 200u);
    EXPECT_EQ(DetailOf<google::rpc::ErrorInfo>(status).reason(),
              "UNKNOWN_PROJECT");
  }
  // An error without a reason of its own gets its code's name.
  EXPECT_CALL(*mocks_[0], GetFile(_, _))
      .WillOnce(Return(absl::DeadlineExceededError("too slow")));
  {
    grpc::ClientContext context;
    grpc::Status status = stub_->GetFile(&context, request, &response);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    google::rpc::ErrorInfo info = DetailOf<google::rpc::ErrorInfo>(status);
    EXPECT_EQ(info.reason(), "DEADLINE_EXCEEDED");
    EXPECT_EQ(info.domain(), "ucgate.uploadcare.com");
  }
}

}  // namespace
}  // namespace ucgate::gateway
