// The fault matrix: classes of RPC x upstream faults (through the emulator's
// fault injection), each asserting the code, the details and how many
// requests reached the upstream.
#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "tests/integration/gateway_fixture.h"
#include "tests/testing_util/eventually.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"
#include "uploadcare/gateway/v1/webhook_service.grpc.pb.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::HasSubstr;

struct FaultRow;

// A request to convert one document to PDF.
v1::ConvertDocumentRequest PdfOf(const std::string& uuid) {
  v1::ConvertDocumentRequest request;
  auto* conversion = request.add_conversions();
  conversion->set_uuid(uuid);
  conversion->set_format(v1::DOCUMENT_FORMAT_PDF);
  return request;
}

// The gateway's upstream.max_response_bytes here; the oversized fault pads
// an answer past it.
constexpr int64_t kMaxResponseBytes = 2 << 20;

class FaultMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GatewaySetup setup;
    setup.cache_max_bytes = 0;  // every read reaches the upstream
    setup.max_response_bytes = kMaxResponseBytes;
    fixture_ = std::make_unique<GatewayFixture>(setup);
    fixture_->Start();
    file_ = fixture_->PresentFile(/*stored=*/true);
  }

  // Requests of `method` to paths starting with `prefix` that reached the
  // emulator.
  int UpstreamRequests(const std::string& method, const std::string& prefix) {
    int count = 0;
    for (const auto& request : fixture_->emulator().requests()) {
      if (request.method == method &&
          absl::StartsWith(request.path_and_query, prefix)) {
        ++count;
      }
    }
    return count;
  }

  void Inject(const std::string& method, const std::string& prefix,
              emulator::Fault fault) {
    fault.method = method;
    fault.path_prefix = prefix;
    fixture_->emulator().AddFault(std::move(fault));
  }

  // A read first, so a keep-alive connection waits in the transport's pool:
  // the one a re-sent request would have used.
  void WarmConnection() {
    v1::GetFileRequest get;
    get.set_uuid(file_.uuid());
    ASSERT_THAT(fixture_->client().GetFile(get).status(), IsOk());
  }

  void RunMatrix(const std::string& method, const std::string& path,
                 const std::vector<FaultRow>& rows,
                 const std::function<grpc::Status(grpc::ClientContext&)>& call);

  std::unique_ptr<GatewayFixture> fixture_;
  v1::File file_;
};

emulator::Fault ResetAfterProcessing() {
  emulator::Fault fault;
  fault.reset_after_processing = true;
  fault.times = 1;
  return fault;
}

TEST_F(FaultMatrixTest, ConvertDocumentResetAfterProcessingIsSentOnce) {
  WarmConnection();
  Inject("POST", "/convert/document/", ResetAfterProcessing());
  auto stub = v1::ConversionService::NewStub(fixture_->channel());
  grpc::ClientContext context;
  const v1::ConvertDocumentRequest request = PdfOf(file_.uuid());
  v1::ConvertDocumentResponse response;
  grpc::Status status = stub->ConvertDocument(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(UpstreamRequests("POST", "/convert/document/"), 1);
  EXPECT_TRUE(fixture_->sleeps().empty());  // never retried
}

TEST_F(FaultMatrixTest, CreateWebhookResetAfterProcessingIsSentOnce) {
  WarmConnection();
  Inject("POST", "/webhooks/", ResetAfterProcessing());
  auto stub = v1::WebhookService::NewStub(fixture_->channel());
  grpc::ClientContext context;
  v1::CreateWebhookRequest request;
  request.set_target_url("https://example.com/hook");
  request.set_event(v1::WEBHOOK_EVENT_FILE_UPLOADED);
  v1::CreateWebhookResponse response;
  grpc::Status status = stub->CreateWebhook(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(UpstreamRequests("POST", "/webhooks/"), 1);
}

TEST_F(FaultMatrixTest, CopyFileResetAfterProcessingIsSentOnce) {
  WarmConnection();
  Inject("POST", "/files/local_copy/", ResetAfterProcessing());
  auto stub = v1::FileService::NewStub(fixture_->channel());
  grpc::ClientContext context;
  v1::CopyFileToLocalStorageRequest request;
  request.set_source(file_.uuid());
  v1::CopyFileToLocalStorageResponse response;
  grpc::Status status =
      stub->CopyFileToLocalStorage(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(UpstreamRequests("POST", "/files/local_copy/"), 1);
}

TEST_F(FaultMatrixTest, IdempotentWriteResetAfterProcessingIsRetried) {
  WarmConnection();
  Inject("PUT", absl::StrCat("/files/", file_.uuid(), "/storage/"),
         ResetAfterProcessing());
  auto stub = v1::FileService::NewStub(fixture_->channel());
  grpc::ClientContext context;
  v1::StoreFileRequest request;
  request.set_uuid(file_.uuid());
  v1::StoreFileResponse response;
  grpc::Status status = stub->StoreFile(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  // Once reset, once answered (libcurl may re-send on a reused connection
  // too: the request is idempotent).
  EXPECT_GE(UpstreamRequests("PUT", "/files/"), 2);
  EXPECT_LE(UpstreamRequests("PUT", "/files/"), 3);
}

// What a caller can read of an error's details.
struct Details {
  std::string reason;                         // ErrorInfo
  std::optional<absl::Duration> retry_after;  // RetryInfo
};

Details DetailsOf(const grpc::Status& status) {
  Details details;
  google::rpc::Status rpc_status;
  EXPECT_TRUE(rpc_status.ParseFromString(status.error_details()))
      << "no details: " << status.error_message();
  for (const auto& any : rpc_status.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&info)) details.reason = info.reason();
    if (any.UnpackTo(&retry)) {
      details.retry_after = absl::Seconds(retry.retry_delay().seconds()) +
                            absl::Nanoseconds(retry.retry_delay().nanos());
    }
  }
  return details;
}

// One row of the matrix.
struct FaultRow {
  std::string name;
  emulator::Fault fault;
  grpc::StatusCode code;
  std::string reason;
  std::optional<absl::Duration> retry_after;
  // Requests that reached the upstream: exactly, or up to max_requests
  // where libcurl may itself re-send a read on a reused connection.
  int upstream_requests;
  int max_requests = 0;
};

emulator::Fault StatusFault(int status, std::optional<int> retry_after = {}) {
  emulator::Fault fault;
  fault.status = status;
  fault.retry_after_seconds = retry_after;
  return fault;
}

// A fault set up by `set`.
template <typename Set>
emulator::Fault FaultWith(Set set) {
  emulator::Fault fault;
  set(fault);
  return fault;
}

emulator::Fault ResetBeforeProcessing() {
  return FaultWith([](auto& fault) { fault.reset_connection = true; });
}

emulator::Fault Malformed() {
  return FaultWith([](auto& fault) { fault.malformed_body = true; });
}

emulator::Fault Slow(absl::Duration latency) {
  return FaultWith([&](auto& fault) { fault.latency = latency; });
}

// The body of a normal answer: half of it, then the connection closed...
emulator::Fault Truncated() {
  return FaultWith([](auto& fault) { fault.truncated_body = true; });
}

// ...trickling in over longer than the caller's deadline...
emulator::Fault SlowBody() {
  return FaultWith([](auto& fault) { fault.slow_body = absl::Seconds(2); });
}

// ...or past the gateway's size limit.
emulator::Fault Oversized() {
  return FaultWith(
      [](auto& fault) { fault.oversized_body_bytes = 2 * kMaxResponseBytes; });
}

FaultRow Row(std::string name, emulator::Fault fault, grpc::StatusCode code,
             std::string reason, int upstream_requests,
             std::optional<absl::Duration> retry_after = std::nullopt,
             int max_requests = 0) {
  return {std::move(name), std::move(fault),  code,        std::move(reason),
          retry_after,     upstream_requests, max_requests};
}

using Code = grpc::StatusCode;

// A read's rows for faults in the answer's body: a truncated one is retried
// like a reset, a slow one ends at the caller's deadline, an oversized one is
// refused past upstream.max_response_bytes without a retry.
std::vector<FaultRow> ReadBodyFaultRows() {
  return {Row("truncated body", Truncated(), Code::UNAVAILABLE,
              "UPSTREAM_CONNECTION_FAILED", 3, {}, 4),
          Row("slow body past the deadline", SlowBody(),
              Code::DEADLINE_EXCEEDED, "", 1),
          Row("oversized body", Oversized(), Code::INTERNAL,
              "UPSTREAM_ANSWER_TOO_LARGE", 1)};
}

std::vector<FaultRow> operator+(std::vector<FaultRow> rows,
                                const std::vector<FaultRow>& more) {
  rows.insert(rows.end(), more.begin(), more.end());
  return rows;
}

// Runs `call` once per row with the row's fault on requests of `method` to
// `path`, after a read that leaves a warm keep-alive connection.
void FaultMatrixTest::RunMatrix(
    const std::string& method, const std::string& path,
    const std::vector<FaultRow>& rows,
    const std::function<grpc::Status(grpc::ClientContext&)>& call) {
  for (const FaultRow& row : rows) {
    SCOPED_TRACE(row.name);
    WarmConnection();
    fixture_->emulator().ClearFaults();
    fixture_->emulator().ClearRequests();
    Inject(method, path, row.fault);
    grpc::ClientContext context;
    // Short only where the fault is latency: retries must fit in the rest.
    const bool slow = row.fault.latency > absl::ZeroDuration() ||
                      row.fault.slow_body > absl::ZeroDuration();
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(slow ? 1000 : 10000));
    grpc::Status status = call(context);
    EXPECT_EQ(status.error_code(), row.code) << status.error_message();
    if (!status.ok() && !row.reason.empty()) {
      Details details = DetailsOf(status);
      EXPECT_EQ(details.reason, row.reason);
      EXPECT_EQ(details.retry_after, row.retry_after);
    }
    // Requests held by a latency fault are recorded when answered, which may
    // be after the caller gave up.
    fixture_->emulator().ClearFaults();
    EXPECT_TRUE(Eventually([&] {
      return fixture_->emulator().requests_held() == 0 &&
             UpstreamRequests(method, path) >= row.upstream_requests;
    }));
    const int requests = UpstreamRequests(method, path);
    EXPECT_GE(requests, row.upstream_requests);
    EXPECT_LE(requests, std::max(row.upstream_requests, row.max_requests));
  }
}

// Idempotent read (GetFile): retried on UNAVAILABLE up to max_attempts (3),
// never past a Retry-After over max_retry_after (2 s). A reset read may also
// be re-sent once by libcurl on a reused connection (harmless for a read).
TEST_F(FaultMatrixTest, IdempotentReadUnderEveryFault) {
  auto stub = v1::FileService::NewStub(fixture_->channel());
  RunMatrix(
      "GET", absl::StrCat("/files/", file_.uuid(), "/"),
      std::vector<FaultRow>{
          Row("reset before processing", ResetBeforeProcessing(),
              Code::UNAVAILABLE, "UPSTREAM_CONNECTION_FAILED", 3, {}, 4),
          Row("reset after processing", ResetAfterProcessing(), Code::OK, "",
              2),
          Row("429 with Retry-After", StatusFault(429, 7),
              Code::RESOURCE_EXHAUSTED, "UPSTREAM_THROTTLED", 1,
              absl::Seconds(7)),
          Row("429 without Retry-After", StatusFault(429),
              Code::RESOURCE_EXHAUSTED, "UPSTREAM_THROTTLED", 1),
          Row("503 with a long Retry-After", StatusFault(503, 30),
              Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE", 1, absl::Seconds(30)),
          Row("503 with a short Retry-After", StatusFault(503, 1),
              Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE", 3, absl::Seconds(1)),
          Row("502", StatusFault(502), Code::UNAVAILABLE,
              "UPSTREAM_UNAVAILABLE", 3),
          Row("malformed body", Malformed(), Code::INTERNAL,
              "UPSTREAM_MALFORMED_ANSWER", 1),
          Row("latency past the deadline", Slow(absl::Seconds(2)),
              Code::DEADLINE_EXCEEDED, "", 1)} +
          ReadBodyFaultRows(),
      [&](grpc::ClientContext& context) {
        v1::GetFileRequest request;
        request.set_uuid(file_.uuid());
        v1::GetFileResponse response;
        grpc::Status status = stub->GetFile(&context, request, &response);
        if (status.ok()) EXPECT_EQ(response.file().uuid(), file_.uuid());
        return status;
      });
}

// Idempotent write (StoreFile): retried like a read.
TEST_F(FaultMatrixTest, IdempotentWriteUnderEveryFault) {
  auto stub = v1::FileService::NewStub(fixture_->channel());
  RunMatrix(
      "PUT", absl::StrCat("/files/", file_.uuid(), "/storage/"),
      {Row("reset after processing", ResetAfterProcessing(), Code::OK, "", 2),
       Row("503", StatusFault(503), Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE",
           3),
       Row("429 with Retry-After", StatusFault(429, 3),
           Code::RESOURCE_EXHAUSTED, "UPSTREAM_THROTTLED", 1, absl::Seconds(3)),
       Row("malformed body", Malformed(), Code::INTERNAL,
           "UPSTREAM_MALFORMED_ANSWER", 1)},
      [&](grpc::ClientContext& context) {
        v1::StoreFileRequest request;
        request.set_uuid(file_.uuid());
        v1::StoreFileResponse response;
        return stub->StoreFile(&context, request, &response);
      });
}

// Non-idempotent POST (ConvertDocument): whatever the fault, one request
// reaches the upstream and nothing is retried.
TEST_F(FaultMatrixTest, NonIdempotentPostUnderEveryFault) {
  auto stub = v1::ConversionService::NewStub(fixture_->channel());
  RunMatrix(
      "POST", "/convert/document/",
      {Row("reset before processing", ResetBeforeProcessing(),
           Code::UNAVAILABLE, "UPSTREAM_CONNECTION_FAILED", 1),
       Row("reset after processing", ResetAfterProcessing(), Code::UNAVAILABLE,
           "UPSTREAM_CONNECTION_FAILED", 1),
       Row("429 with Retry-After", StatusFault(429, 7),
           Code::RESOURCE_EXHAUSTED, "UPSTREAM_THROTTLED", 1, absl::Seconds(7)),
       Row("503", StatusFault(503), Code::UNAVAILABLE, "UPSTREAM_UNAVAILABLE",
           1),
       Row("malformed body", Malformed(), Code::INTERNAL,
           "UPSTREAM_MALFORMED_ANSWER", 1),
       Row("latency past the deadline", Slow(absl::Seconds(2)),
           Code::DEADLINE_EXCEEDED, "", 1),
       Row("truncated body", Truncated(), Code::UNAVAILABLE,
           "UPSTREAM_CONNECTION_FAILED", 1),
       Row("slow body past the deadline", SlowBody(), Code::DEADLINE_EXCEEDED,
           "", 1),
       Row("oversized body", Oversized(), Code::INTERNAL,
           "UPSTREAM_ANSWER_TOO_LARGE", 1)},
      [&](grpc::ClientContext& context) {
        const v1::ConvertDocumentRequest request = PdfOf(file_.uuid());
        v1::ConvertDocumentResponse response;
        return stub->ConvertDocument(&context, request, &response);
      });
  EXPECT_TRUE(fixture_->sleeps().empty());
}

// The rows of a stream's upstream reads (listing pages, job polls): each
// retried within its own call; an error that survives ends the stream with
// the upstream's code and details.
std::vector<FaultRow> StreamedReadRows() {
  return std::vector<FaultRow>{
             Row("503", StatusFault(503), Code::UNAVAILABLE,
                 "UPSTREAM_UNAVAILABLE", 3),
             Row("429 with Retry-After", StatusFault(429, 5),
                 Code::RESOURCE_EXHAUSTED, "UPSTREAM_THROTTLED", 1,
                 absl::Seconds(5)),
             Row("reset before processing", ResetBeforeProcessing(),
                 Code::UNAVAILABLE, "UPSTREAM_CONNECTION_FAILED", 3, {}, 4),
             Row("malformed body", Malformed(), Code::INTERNAL,
                 "UPSTREAM_MALFORMED_ANSWER", 1),
             Row("latency past the deadline", Slow(absl::Seconds(2)),
                 Code::DEADLINE_EXCEEDED, "", 1)} +
         ReadBodyFaultRows();
}

// A listing stream (StreamFiles): its page requests are reads.
TEST_F(FaultMatrixTest, StreamUnderEveryFault) {
  auto stub = v1::FileService::NewStub(fixture_->channel());
  RunMatrix("GET", "/files/", StreamedReadRows(),
            [&](grpc::ClientContext& context) {
              v1::StreamFilesRequest request;
              auto reader = stub->StreamFiles(&context, request);
              v1::StreamFilesResponse message;
              while (reader->Read(&message)) {
              }
              return reader->Finish();
            });
}

// A job watch (WatchConversionJob): its status polls are streamed reads.
TEST_F(FaultMatrixTest, WatchUnderEveryFault) {
  auto stub = v1::ConversionService::NewStub(fixture_->channel());
  int64_t token = 0;
  {
    grpc::ClientContext context;
    const v1::ConvertDocumentRequest request = PdfOf(file_.uuid());
    v1::ConvertDocumentResponse response;
    grpc::Status status = stub->ConvertDocument(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.jobs_size(), 1);
    token = response.jobs(0).token();
  }
  RunMatrix("GET", absl::StrCat("/convert/document/status/", token, "/"),
            StreamedReadRows(), [&](grpc::ClientContext& context) {
              v1::WatchConversionJobRequest request;
              request.set_kind(v1::CONVERSION_KIND_DOCUMENT);
              request.set_token(token);
              auto reader = stub->WatchConversionJob(&context, request);
              v1::WatchConversionJobResponse update;
              while (reader->Read(&update)) {
              }
              return reader->Finish();
            });
}

}  // namespace
}  // namespace ucgate::testing
