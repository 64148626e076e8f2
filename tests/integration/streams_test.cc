// StreamFiles and WatchConversionJob end to end: client library -> gateway ->
// libcurl -> emulator, with faults injected mid-stream.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/common/blocking_executor.h"
#include "service/gateway/scheduler.h"
#include "tests/integration/gateway_fixture.h"
#include "tests/testing_util/eventually.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

int CountRequests(emulator::Emulator& emulator, absl::string_view prefix) {
  int count = 0;
  for (const auto& request : emulator.requests()) {
    if (absl::StartsWith(request.path_and_query, prefix)) ++count;
  }
  return count;
}

class StreamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(absl::Now());
    GatewaySetup setup;
    setup.seed_files = 2500;
    setup.emulator_clock = clock_;
    fixture_ = std::make_unique<GatewayFixture>(setup);
    fixture_->Start();
  }

  // Every present file through paged ListFiles calls.
  std::vector<std::string> ListFilesWalk() {
    std::vector<std::string> uuids;
    v1::ListFilesRequest request;
    request.set_page_size(1000);
    EXPECT_THAT(fixture_->client().ForEachFile(request,
                                               [&](const v1::File& file) {
                                                 uuids.push_back(file.uuid());
                                                 return true;
                                               }),
                IsOk());
    return uuids;
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<GatewayFixture> fixture_;
};

TEST_F(StreamsTest, StreamFilesSendsTheWholeListingInListFilesOrder) {
  const std::vector<std::string> walked = ListFilesWalk();
  ASSERT_GT(walked.size(), 2000u);
  fixture_->emulator().ClearRequests();
  std::vector<std::string> streamed;
  int messages = 0;
  ASSERT_THAT(fixture_->client().StreamFiles(
                  v1::StreamFilesRequest(),
                  [&](const v1::StreamFilesResponse& batch) {
                    ++messages;
                    EXPECT_LE(batch.files_size(), 100);
                    EXPECT_EQ(batch.total_size(),
                              static_cast<int64_t>(walked.size()));
                    for (const auto& file : batch.files()) {
                      streamed.push_back(file.uuid());
                    }
                    return true;
                  }),
              IsOk());
  EXPECT_EQ(streamed, walked);
  // Whole 1000-file upstream pages: the fewest upstream calls.
  EXPECT_EQ(CountRequests(fixture_->emulator(), "/files/"),
            static_cast<int>((walked.size() + 999) / 1000));
  EXPECT_GE(messages, static_cast<int>(walked.size() / 100));
}

TEST_F(StreamsTest, AFailureMidStreamEndsItAndTheResumeTokenCompletesIt) {
  const std::vector<std::string> walked = ListFilesWalk();
  auto stub = v1::FileService::NewStub(fixture_->channel());
  v1::StreamFilesRequest request;
  request.set_page_size(500);
  std::vector<std::string> received;
  std::string token;
  grpc::Status status;
  {
    grpc::ClientContext context;
    auto reader = stub->StreamFiles(&context, request);
    v1::StreamFilesResponse batch;
    bool faulted = false;
    while (reader->Read(&batch)) {
      for (const auto& file : batch.files()) received.push_back(file.uuid());
      token = batch.resume_token();
      if (!faulted) {
        // Every upstream call from now on answers 503 (retries included).
        emulator::Fault fault;
        fault.path_prefix = "/files/";
        fault.status = 503;
        fixture_->emulator().AddFault(fault);
        faulted = true;
      }
    }
    status = reader->Finish();
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_LT(received.size(), walked.size());
  ASSERT_GE(received.size(), 100u);
  fixture_->emulator().ClearFaults();

  request.set_resume_token(token);
  grpc::ClientContext context;
  auto reader = stub->StreamFiles(&context, request);
  v1::StreamFilesResponse batch;
  while (reader->Read(&batch)) {
    for (const auto& file : batch.files()) received.push_back(file.uuid());
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(received, walked);  // Complete, in order, no duplicates.
}

// streams.memory_budget_bytes (its default, 512 MiB) with a thousand slow
// readers at once: what the
// streams hold never passes the budget, each stream either completes (all
// files, in order) or is refused cleanly with RetryInfo before anything is
// sent, and everything held comes back once they end.
TEST_F(StreamsTest, AThousandSlowStreamsStayWithinTheMemoryBudget) {
  GatewaySetup setup;
  setup.seed_files = 150;  // two messages per stream
  GatewayFixture gateway(setup);
  gateway.Start();
  std::vector<std::string> walked;
  ASSERT_THAT(gateway.client().ForEachFile(v1::ListFilesRequest(),
                                           [&](const v1::File& file) {
                                             walked.push_back(file.uuid());
                                             return true;
                                           }),
              IsOk());
  ASSERT_GT(walked.size(), 100u);

  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::StreamFilesResponse>> reader;
    std::vector<std::string> uuids;
  };
  constexpr int kStreams = 1000;
  auto stub = v1::FileService::NewStub(gateway.channel());
  std::vector<std::unique_ptr<Stream>> streams;
  v1::StreamFilesRequest request;
  v1::StreamFilesResponse batch;
  // All open at once, each read a little, then left waiting.
  for (int i = 0; i < kStreams; ++i) {
    auto stream = std::make_unique<Stream>();
    stream->context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::minutes(5));
    stream->reader = stub->StreamFiles(&stream->context, request);
    if (stream->reader->Read(&batch)) {
      for (const auto& file : batch.files()) {
        stream->uuids.push_back(file.uuid());
      }
    }
    streams.push_back(std::move(stream));
  }
  const gateway::StreamMemoryBudget& memory = gateway.stream_memory();
  EXPECT_GT(memory.stats().held_bytes, 0);
  int completed = 0;
  int refused = 0;
  for (auto& stream : streams) {
    while (stream->reader->Read(&batch)) {
      for (const auto& file : batch.files()) {
        stream->uuids.push_back(file.uuid());
      }
    }
    const grpc::Status status = stream->reader->Finish();
    if (status.ok()) {
      EXPECT_EQ(stream->uuids, walked);
      ++completed;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
          << status.error_message();
      EXPECT_THAT(status.error_details(),
                  ::testing::HasSubstr("STREAM_MEMORY_EXHAUSTED"));
      EXPECT_TRUE(stream->uuids.empty());
      const auto& trailers = stream->context.GetServerTrailingMetadata();
      EXPECT_EQ(trailers.count("retry-after"), 1u);
      ++refused;
    }
  }
  const gateway::StreamMemoryBudget::Stats stats = memory.stats();
  std::printf("%d completed, %d refused; peak %lld of %lld bytes\n", completed,
              refused, static_cast<long long>(stats.peak_bytes),
              static_cast<long long>(stats.budget_bytes));
  EXPECT_EQ(completed + refused, kStreams);
  EXPECT_GE(completed, kStreams / 2);
  EXPECT_EQ(refused, stats.refused);
  EXPECT_LE(stats.peak_bytes, stats.budget_bytes);
  EXPECT_TRUE(Eventually([&] { return memory.stats().held_bytes == 0; }));
}

TEST_F(StreamsTest, TheClientResumesABrokenStreamByItself) {
  const std::vector<std::string> walked = ListFilesWalk();
  v1::StreamFilesRequest request;
  request.set_page_size(300);
  std::vector<std::string> received;
  bool faulted = false;
  ASSERT_THAT(
      fixture_->client().StreamFiles(request,
                                     [&](const v1::StreamFilesResponse& batch) {
                                       for (const auto& file : batch.files()) {
                                         received.push_back(file.uuid());
                                       }
                                       if (!faulted) {
                                         // One upstream call's attempts (3)
                                         // fail: the stream breaks with
                                         // UNAVAILABLE and the client resumes.
                                         emulator::Fault fault;
                                         fault.path_prefix = "/files/";
                                         fault.status = 503;
                                         fault.times = 3;
                                         fixture_->emulator().AddFault(fault);
                                         faulted = true;
                                       }
                                       return true;
                                     }),
      IsOk());
  EXPECT_EQ(received, walked);
  // The fault was really hit.
  int answered_503 = 0;
  for (const auto& recorded : fixture_->emulator().requests()) {
    if (recorded.status == 503) ++answered_503;
  }
  EXPECT_EQ(answered_503, 3);
}

TEST_F(StreamsTest, TwoWatchersFollowADocumentConversionOnOnePollPerTick) {
  // A second gateway on the same emulator whose watch timers the test
  // drives.
  gateway::GatewayConfig config;
  gateway::ProjectConfig project;
  project.name = "main";
  project.public_key = kPublicKey;
  project.secret_key = Secret(kSecretKey);
  project.base_url = fixture_->emulator().base_url();
  config.projects.push_back(project);
  auto projects = gateway::MakeProjectRegistry(
      config, http::MakeCurlHttpClient({}), MakeSystemClock(),
      [](absl::Duration, const Cancellation*) {});
  ASSERT_THAT(projects.status(), IsOk());
  auto scheduler = std::make_shared<gateway::ManualScheduler>();
  auto server = gateway::GatewayServer::Start(
      "127.0.0.1:0", *projects, std::make_shared<BlockingExecutor>(2, 16), {},
      scheduler);
  ASSERT_THAT(server.status(), IsOk());
  client::ConversionClient conversions((*server)->InProcessChannel(), {});

  v1::File document;
  for (const auto& file : fixture_->emulator().Files(kPublicKey)) {
    if (!file.has_datetime_removed() &&
        absl::StartsWith(file.mime_type(), "application/pdf")) {
      document = file;
      break;
    }
  }
  ASSERT_FALSE(document.uuid().empty());
  v1::ConvertDocumentRequest convert;
  convert.add_conversions()->set_uuid(document.uuid());
  convert.mutable_conversions(0)->set_format(v1::DOCUMENT_FORMAT_PDF);
  auto jobs = conversions.ConvertDocument(convert);
  ASSERT_THAT(jobs.status(), IsOk());
  ASSERT_EQ(jobs->jobs_size(), 1);
  fixture_->emulator().ClearRequests();

  v1::WatchConversionJobRequest watch;
  watch.set_kind(v1::CONVERSION_KIND_DOCUMENT);
  watch.set_token(jobs->jobs(0).token());
  auto stub = v1::ConversionService::NewStub((*server)->InProcessChannel());
  grpc::ClientContext first_context, second_context;
  auto first = stub->WatchConversionJob(&first_context, watch);
  auto second = stub->WatchConversionJob(&second_context, watch);
  v1::WatchConversionJobResponse update;
  for (auto* reader : {first.get(), second.get()}) {
    ASSERT_TRUE(reader->Read(&update));
    EXPECT_NE(update.status(), v1::CONVERSION_STATUS_FINISHED);
  }
  const std::string status_path =
      absl::StrCat("/convert/document/status/", jobs->jobs(0).token());
  EXPECT_EQ(CountRequests(fixture_->emulator(), status_path), 1);

  clock_->Advance(absl::Minutes(1));  // The emulator finishes the job.
  ASSERT_TRUE(Eventually([&] { return scheduler->pending() == 1; }));
  scheduler->AdvanceBy(absl::Milliseconds(500));  // One tick.
  for (auto* reader : {first.get(), second.get()}) {
    ASSERT_TRUE(reader->Read(&update));
    EXPECT_EQ(update.status(), v1::CONVERSION_STATUS_FINISHED);
    EXPECT_FALSE(reader->Read(&update));
    EXPECT_TRUE(reader->Finish().ok());
  }
  EXPECT_EQ(CountRequests(fixture_->emulator(), status_path), 2);
  (*server)->Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace ucgate::testing
