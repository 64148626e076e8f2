// CallRecorder driven directly, as the interceptor (or another server)
// drives it: the edges a real gRPC call rarely shows on demand.
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/support/string_ref.h"
#include "gtest/gtest.h"
#include "service/common/log.h"
#include "service/observability/server_interceptor.h"
#include "tests/observability/exposition_checks.h"
#include "tests/observability/observed_test_server.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::observability {
namespace {

using ::testing::Optional;
using ::ucgate::testing::Exposition;
using ::ucgate::testing::ParseExposition;
using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;
using Trailers = std::multimap<std::string, std::string>;

constexpr char kGetFile[] = "/uploadcare.gateway.v1.FileService/GetFile";

class CallRecorderTest : public ::testing::Test {
 protected:
  CallRecorderTest() {
    (void)::uploadcare::gateway::v1::GetFileRequest::descriptor();
    options_.grpc_metrics = *GrpcServerMetrics::Create(
        registry_, {"uploadcare.gateway.v1.FileService"});
    options_.clock = std::make_shared<testing::TickingClock>();
    options_.log_calls = false;
    method_ = options_.grpc_metrics->Find(kGetFile);
  }

  std::optional<double> Handled(const char* code) {
    absl::StatusOr<Exposition> exposition =
        ParseExposition(registry_.TextExposition());
    EXPECT_THAT(exposition.status(), IsOk());
    return exposition->Value(
        "grpc_server_handled_total",
        {{"grpc_type", "unary"},
         {"grpc_service", "uploadcare.gateway.v1.FileService"},
         {"grpc_method", "GetFile"},
         {"grpc_code", code}});
  }

  // Distinct addresses stand for server contexts (they only key lookups).
  const grpc::ServerContextBase* Context(int i) {
    return reinterpret_cast<const grpc::ServerContextBase*>(&contexts_[i]);
  }

  MetricsRegistry registry_;
  ServerObservabilityOptions options_;
  GrpcServerMetrics::Method* method_ = nullptr;
  char contexts_[4] = {};
};

TEST_F(CallRecorderTest, ACallThatEndsWithoutAStatusIsHandledAsCanceled) {
  { CallRecorder recorder(&options_, Context(0), method_); }
  EXPECT_THAT(Handled("Canceled"), Optional(1.0));
}

TEST_F(CallRecorderTest, AStatusIsCountedOnce) {
  CallRecorder recorder(&options_, Context(0), method_);
  recorder.OnInitialMetadata({});
  Trailers trailers;
  recorder.OnStatus(grpc::Status::OK, &trailers);
  recorder.OnStatus(grpc::Status(grpc::StatusCode::INTERNAL, "again"),
                    &trailers);
  EXPECT_THAT(Handled("OK"), Optional(1.0));
  EXPECT_EQ(Handled("Internal"), std::nullopt);
  EXPECT_EQ(trailers.count("x-request-id"), 1u);
}

TEST_F(CallRecorderTest, ObservationsAreFoundByContextWhileTheCallLives) {
  const std::string header =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  Metadata metadata = {{"traceparent", header}};
  {
    CallRecorder first(&options_, Context(0), method_);
    CallRecorder second(&options_, Context(1), method_);
    EXPECT_EQ(FindCallObservation(Context(0)), nullptr);  // no metadata yet
    first.OnInitialMetadata(metadata);
    second.OnInitialMetadata({});
    ASSERT_NE(FindCallObservation(Context(0)), nullptr);
    ASSERT_NE(FindCallObservation(Context(1)), nullptr);
    EXPECT_EQ(FindCallObservation(Context(0))->request_id(),
              "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_NE(FindCallObservation(Context(1))->request_id(),
              "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(FindCallObservation(Context(2)), nullptr);
  }
  EXPECT_EQ(FindCallObservation(Context(0)), nullptr);
  EXPECT_EQ(FindCallObservation(Context(1)), nullptr);
}

TEST_F(CallRecorderTest, ARepeatedTraceparentStartsANewTrace) {
  const std::string header =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  Metadata metadata = {{"traceparent", header}, {"traceparent", header}};
  CallRecorder recorder(&options_, Context(0), method_);
  recorder.OnInitialMetadata(metadata);
  auto observation = FindCallObservation(Context(0));
  ASSERT_NE(observation, nullptr);
  EXPECT_FALSE(observation->trace().from_caller);
  EXPECT_NE(observation->request_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_F(CallRecorderTest, AnObservationOutlivesItsCallForLateNotes) {
  std::shared_ptr<CallObservation> kept;
  {
    CallRecorder recorder(&options_, Context(0), method_);
    recorder.OnInitialMetadata({});
    kept = FindCallObservation(Context(0));
  }
  // An upstream attempt finishing after the call ended is harmless.
  kept->AddUpstreamAttempt();
  EXPECT_EQ(kept->upstream_attempts(), 1);
}

}  // namespace
}  // namespace ucgate::observability
