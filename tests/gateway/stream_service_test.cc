// StreamFiles/StreamGroups/WatchConversionJob/WatchAddonExecution through a
// real gateway (loopback gRPC) over gMock upstreams.
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/api/page_token.h"
#include "service/common/blocking_executor.h"
#include "service/common/status.h"
#include "service/gateway/gateway_server.h"
#include "service/gateway/scheduler.h"
#include "tests/testing_util/eventually.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/addon_service.grpc.pb.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"
#include "uploadcare/gateway/v1/group_service.grpc.pb.h"

namespace ucgate::gateway {
namespace {

using ::testing::_;
using ::testing::AnyNumber;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::StrictMock;
using ::ucgate::testing::Eventually;
using ::ucgate::testing::MockAddonOperations;
using ::ucgate::testing::MockConversionOperations;
using ::ucgate::testing::MockFileOperations;
using ::ucgate::testing::MockGroupOperations;

// A listing of `pages` pages of `page_size` files "f<i>"; page k comes with
// a page token of project "main" whose cursor is k, as the REST stub would
// issue it. `fail_page` answers UNAVAILABLE with a retry delay.
struct FakeListing {
  int pages = 3;
  int page_size = 250;
  int fail_page = -1;
  int payload_bytes = 0;  // per file, to make pages heavy
  std::atomic<int> fetches{0};
  // Fetches of the first page: one per stream that reached the upstream.
  std::atomic<int> first_page_fetches{0};
  std::vector<int32_t> page_sizes_asked;

  absl::StatusOr<v1::ListFilesResponse> Fetch(
      const v1::ListFilesRequest& request) {
    ++fetches;
    if (request.page_token().empty()) ++first_page_fetches;
    page_sizes_asked.push_back(request.page_size());
    const uint64_t fingerprint = api::PagedRequestFingerprint("main", request);
    int index = 0;
    if (!request.page_token().empty()) {
      absl::StatusOr<api::ListCursor> cursor =
          api::DecodePageToken(request.page_token(), fingerprint);
      if (!cursor.ok()) return cursor.status();
      index = std::stoi(cursor->from);
    }
    if (index == fail_page) {
      return WithRetryAfter(absl::UnavailableError("upstream: 503"),
                            absl::Seconds(3));
    }
    v1::ListFilesResponse page;
    for (int i = 0; i < page_size; ++i) {
      v1::File* file = page.add_files();
      file->set_uuid(absl::StrCat("f", index * page_size + i));
      if (payload_bytes > 0) {
        file->set_original_filename(std::string(payload_bytes, 'x'));
      }
    }
    page.set_total_size(static_cast<int64_t>(pages) * page_size);
    if (index + 1 < pages) {
      page.set_next_page_token(
          api::EncodePageToken({absl::StrCat(index + 1), 0}, fingerprint));
    }
    return page;
  }
};

std::vector<std::string> Names(int begin, int end) {
  std::vector<std::string> names;
  for (int i = begin; i < end; ++i) names.push_back(absl::StrCat("f", i));
  return names;
}

class StreamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(StreamOptions()); }

  void Start(StreamOptions options) {
    server_.reset();
    files_ = std::make_shared<StrictMock<MockFileOperations>>();
    groups_ = std::make_shared<StrictMock<MockGroupOperations>>();
    conversions_ = std::make_shared<StrictMock<MockConversionOperations>>();
    addons_ = std::make_shared<StrictMock<MockAddonOperations>>();
    std::vector<Project> list;
    upstream::ProjectUpstream upstream;
    upstream.files = files_;
    upstream.groups = groups_;
    upstream.conversions = conversions_;
    upstream.addons = addons_;
    list.push_back({"main", ApiVersion::kV07, std::move(upstream)});
    executor_ = std::make_shared<BlockingExecutor>(4, 64);
    scheduler_ = std::make_shared<ManualScheduler>();
    auto server = GatewayServer::Start(
        "127.0.0.1:0", std::make_shared<ProjectRegistry>(std::move(list)),
        executor_, options, scheduler_);
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    files_stub_ = v1::FileService::NewStub(channel_);
    groups_stub_ = v1::GroupService::NewStub(channel_);
    conversions_stub_ = v1::ConversionService::NewStub(channel_);
    addons_stub_ = v1::AddonService::NewStub(channel_);
  }

  void ServeListing(FakeListing& listing) {
    EXPECT_CALL(*files_, ListFiles(_, _))
        .WillRepeatedly(Invoke([&listing](auto&, const auto& request) {
          return listing.Fetch(request);
        }));
  }

  // Reads a whole StreamFiles call: the files, the last resume token, the
  // status.
  grpc::Status ReadAll(const v1::StreamFilesRequest& request,
                       std::vector<std::string>* uuids,
                       std::string* last_token = nullptr,
                       int* messages = nullptr) {
    grpc::ClientContext context;
    auto reader = files_stub_->StreamFiles(&context, request);
    v1::StreamFilesResponse message;
    while (reader->Read(&message)) {
      for (const auto& file : message.files()) uuids->push_back(file.uuid());
      if (last_token) *last_token = message.resume_token();
      if (messages) ++*messages;
    }
    grpc::Status status = reader->Finish();
    trailers_.clear();
    for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
      trailers_.emplace(std::string(key.data(), key.size()),
                        std::string(value.data(), value.size()));
    }
    return status;
  }

  std::shared_ptr<StrictMock<MockFileOperations>> files_;
  std::shared_ptr<StrictMock<MockGroupOperations>> groups_;
  std::shared_ptr<StrictMock<MockConversionOperations>> conversions_;
  std::shared_ptr<StrictMock<MockAddonOperations>> addons_;
  std::shared_ptr<BlockingExecutor> executor_;
  std::shared_ptr<ManualScheduler> scheduler_;
  std::unique_ptr<GatewayServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::FileService::Stub> files_stub_;
  std::unique_ptr<v1::GroupService::Stub> groups_stub_;
  std::unique_ptr<v1::ConversionService::Stub> conversions_stub_;
  std::unique_ptr<v1::AddonService::Stub> addons_stub_;
  std::multimap<std::string, std::string> trailers_;
};

TEST_F(StreamServiceTest, StreamFilesSendsEveryFileInOrderWithFilters) {
  FakeListing listing;
  v1::ListFilesRequest seen;
  EXPECT_CALL(*files_, ListFiles(_, _))
      .WillRepeatedly(Invoke([&](auto&, const v1::ListFilesRequest& request) {
        seen = request;
        return listing.Fetch(request);
      }));
  v1::StreamFilesRequest request;
  request.set_stored(true);
  request.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  request.set_include_appdata(true);
  std::vector<std::string> uuids;
  int messages = 0;
  grpc::Status status = ReadAll(request, &uuids, nullptr, &messages);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(uuids, Names(0, 750));
  EXPECT_EQ(messages, 9);  // 100 + 100 + 50 per 250-file page.
  EXPECT_EQ(listing.fetches, 3);
  // Whole upstream pages by default (fewest calls), filters passed on.
  EXPECT_THAT(listing.page_sizes_asked, ::testing::Each(1000));
  EXPECT_TRUE(seen.stored());
  EXPECT_EQ(seen.ordering(), v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  EXPECT_TRUE(seen.include_appdata());
}

TEST_F(StreamServiceTest, BadRequestsAreRefusedBeforeUpstreamNamingTheField) {
  std::vector<std::string> uuids;
  v1::StreamFilesRequest request;
  request.set_page_size(5000);
  grpc::Status status = ReadAll(request, &uuids);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_size"));

  request.set_page_size(0);
  request.set_resume_token("not-a-token");
  status = ReadAll(request, &uuids);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("resume_token"));

  // A token of other filters is refused too.
  v1::StreamFilesRequest other = request;
  other.clear_resume_token();
  other.set_stored(false);
  FakeListing listing;
  ServeListing(listing);
  std::string token;
  listing.pages = 2;
  ASSERT_TRUE(ReadAll(other, &uuids, &token).ok());
  request.set_resume_token(token);
  status = ReadAll(request, &uuids);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("resume_token"));
}

TEST_F(StreamServiceTest, MidStreamFailureEndsAfterTheItemsSentWithRetryAfter) {
  FakeListing listing;
  listing.fail_page = 1;
  ServeListing(listing);
  std::vector<std::string> uuids;
  std::string token;
  grpc::Status status = ReadAll(v1::StreamFilesRequest(), &uuids, &token);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(uuids, Names(0, 250));
  auto retry_after = trailers_.find("retry-after");
  ASSERT_NE(retry_after, trailers_.end());
  EXPECT_EQ(retry_after->second, "3");

  // The upstream recovers: the resume token continues exactly after f249.
  listing.fail_page = -1;
  v1::StreamFilesRequest resume;
  resume.set_resume_token(token);
  std::vector<std::string> rest;
  ASSERT_TRUE(ReadAll(resume, &rest).ok());
  EXPECT_EQ(rest, Names(250, 750));
}

TEST_F(StreamServiceTest, ResumeFromTheMiddleOfAPageContinuesAfterTheLastItem) {
  FakeListing listing;
  ServeListing(listing);
  std::vector<std::string> received;
  std::string token;
  {
    grpc::ClientContext context;
    auto reader = files_stub_->StreamFiles(&context, v1::StreamFilesRequest());
    v1::StreamFilesResponse message;
    for (int i = 0; i < 4 && reader->Read(&message); ++i) {  // 350 files
      for (const auto& file : message.files()) received.push_back(file.uuid());
      token = message.resume_token();
    }
    context.TryCancel();
    reader->Finish();
  }
  ASSERT_EQ(received.size(), 350u);
  v1::StreamFilesRequest resume;
  resume.set_resume_token(token);
  std::vector<std::string> rest;
  ASSERT_TRUE(ReadAll(resume, &rest).ok());
  received.insert(received.end(), rest.begin(), rest.end());
  EXPECT_EQ(received, Names(0, 750));
}

TEST_F(StreamServiceTest, ASlowReaderHoldsBackUpstreamFetching) {
  FakeListing listing;
  listing.pages = 1000;
  listing.page_size = 4;
  listing.payload_bytes = 256 * 1024;  // 1 MiB pages: flow control bites
  ServeListing(listing);
  // A reader whose HTTP/2 window stays small (no BDP growth), so that what
  // the transport buffers is about one page.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  arguments.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 * 1024);
  auto stub = v1::FileService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                grpc::InsecureChannelCredentials(), arguments));
  grpc::ClientContext context;
  auto reader = stub->StreamFiles(&context, v1::StreamFilesRequest());
  v1::StreamFilesResponse message;
  ASSERT_TRUE(reader->Read(&message));
  // The first page and one ahead are fetched at once...
  ASSERT_TRUE(Eventually([&] { return listing.fetches >= 2; }));
  // ...then, once the small transport window is full, nothing more while
  // the reader does not read (a bounded look: without backpressure pages
  // would keep coming).
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_LE(listing.fetches, 5);
  context.TryCancel();
  reader->Finish();
}

// streams.max_concurrent: a stream beyond it is refused with RetryInfo
// before anything goes upstream; once a stream ends its slot is free again.
TEST_F(StreamServiceTest, StreamsBeyondTheCapAreRefusedWithRetryInfo) {
  StreamOptions options;
  options.max_concurrent = 1;
  Start(options);
  FakeListing listing;
  listing.pages = 1000;
  listing.page_size = 4;
  listing.payload_bytes = 256 * 1024;  // the open stream stays open
  ServeListing(listing);
  grpc::ClientContext open_context;
  auto open = files_stub_->StreamFiles(&open_context, v1::StreamFilesRequest());
  v1::StreamFilesResponse message;
  ASSERT_TRUE(open->Read(&message));

  std::vector<std::string> none;
  const grpc::Status refused = ReadAll(v1::StreamFilesRequest(), &none);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("streams.max_concurrent"));
  EXPECT_THAT(refused.error_details(), HasSubstr("STREAMS_EXHAUSTED"));
  auto retry_after = trailers_.find("retry-after");
  ASSERT_NE(retry_after, trailers_.end());
  EXPECT_EQ(retry_after->second, "1");
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(listing.first_page_fetches, 1);  // only the open stream's

  open_context.TryCancel();
  open->Finish();
  std::vector<std::string> uuids;
  listing.pages = 2;
  EXPECT_TRUE(Eventually([&] {
    uuids.clear();
    return ReadAll(v1::StreamFilesRequest(), &uuids).ok();
  }));
}

// streams.memory_budget_bytes: a stream is admitted with whole upstream
// pages when they fit, with small ones when only those fit, and refused with
// RetryInfo before anything goes upstream when neither does; what it held
// comes back when it ends.
TEST_F(StreamServiceTest, StreamMemoryDecidesPageSizesAndAdmission) {
  StreamOptions options;
  auto memory = StreamMemoryBudget::Create(/*budget_bytes=*/16 << 20);
  options.memory = memory;
  Start(options);
  FakeListing listing;
  listing.pages = 2;
  listing.page_size = 10;
  ServeListing(listing);
  std::vector<std::string> uuids;

  // Room for everything: whole pages (1,000 files).
  grpc::Status status = ReadAll(v1::StreamFilesRequest(), &uuids);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(uuids, Names(0, 20));
  ASSERT_FALSE(listing.page_sizes_asked.empty());
  EXPECT_EQ(listing.page_sizes_asked.front(), 1000);
  ASSERT_TRUE(Eventually([&] { return memory->stats().held_bytes == 0; }));

  // Other streams hold 4 MiB: a whole page (5 MB estimated) would leave
  // less than half of the budget free; 100 files fit.
  {
    auto elsewhere = memory->TryReserve(4 << 20);
    listing.page_sizes_asked.clear();
    uuids.clear();
    status = ReadAll(v1::StreamFilesRequest(), &uuids);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(uuids, Names(0, 20));
    ASSERT_FALSE(listing.page_sizes_asked.empty());
    EXPECT_EQ(listing.page_sizes_asked.front(), 100);
    ASSERT_TRUE(
        Eventually([&] { return memory->stats().held_bytes == (4 << 20); }));
  }

  // 15.5 MiB held elsewhere: not even small pages fit.
  auto elsewhere = memory->TryReserve(15872 << 10);
  const int fetches_before = listing.fetches;
  uuids.clear();
  const grpc::Status refused = ReadAll(v1::StreamFilesRequest(), &uuids);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("streams.memory_budget_bytes"));
  EXPECT_THAT(refused.error_details(), HasSubstr("STREAM_MEMORY_EXHAUSTED"));
  auto retry_after = trailers_.find("retry-after");
  ASSERT_NE(retry_after, trailers_.end());
  EXPECT_EQ(retry_after->second, "1");
  EXPECT_TRUE(uuids.empty());
  EXPECT_EQ(listing.fetches, fetches_before);
  EXPECT_EQ(memory->stats().refused, 1);
  EXPECT_EQ(memory->stats().held_bytes, 15872 << 10);
}

TEST_F(StreamServiceTest, CancellingStopsAnUpstreamCallInFlightAndAllFetching) {
  absl::Notification in_flight;
  std::atomic<bool> saw_cancel{false};
  std::atomic<int> calls{0};
  EXPECT_CALL(*files_, ListFiles(_, _))
      .WillRepeatedly(Invoke(
          [&](const upstream::CallContext& call, const v1::ListFilesRequest&)
              -> absl::StatusOr<v1::ListFilesResponse> {
            ++calls;
            in_flight.Notify();
            // Woken by the stream's cancellation, as a transfer is.
            saw_cancel = call.cancellation != nullptr &&
                         call.cancellation->WaitFor(absl::Seconds(10));
            return absl::CancelledError("aborted");
          }));
  grpc::ClientContext context;
  auto reader = files_stub_->StreamFiles(&context, v1::StreamFilesRequest());
  ASSERT_TRUE(in_flight.WaitForNotificationWithTimeout(absl::Seconds(10)));
  context.TryCancel();
  v1::StreamFilesResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(Eventually([&] { return saw_cancel.load(); }));
  EXPECT_EQ(calls, 1);
}

TEST_F(StreamServiceTest, TheCallersDeadlineBoundsEveryUpstreamCall) {
  FakeListing listing;
  std::vector<absl::Time> deadlines;
  EXPECT_CALL(*files_, ListFiles(_, _))
      .WillRepeatedly(Invoke([&](const upstream::CallContext& call,
                                 const v1::ListFilesRequest& request) {
        deadlines.push_back(call.deadline);
        return listing.Fetch(request);
      }));
  grpc::ClientContext context;
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(20);
  context.set_deadline(deadline);
  auto reader = files_stub_->StreamFiles(&context, v1::StreamFilesRequest());
  v1::StreamFilesResponse message;
  while (reader->Read(&message)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(deadlines.size(), 3u);
  // Within the skew of gRPC's relative timeout header on a loaded machine.
  for (absl::Time seen : deadlines) {
    EXPECT_LT(absl::AbsDuration(seen - absl::FromChrono(deadline)),
              absl::Seconds(1));
  }
}

TEST_F(StreamServiceTest, StreamGroupsSendsEveryGroup) {
  EXPECT_CALL(*groups_, ListGroups(_, _))
      .WillRepeatedly(Invoke([](auto&, const v1::ListGroupsRequest& request) {
        v1::ListGroupsResponse page;
        const bool first = request.page_token().empty();
        for (int i = 0; i < 3; ++i) {
          page.add_groups()->set_id(absl::StrCat(first ? "a" : "b", i, "~1"));
        }
        if (first) page.set_next_page_token("second");
        page.set_total_size(6);
        return page;
      }));
  grpc::ClientContext context;
  auto reader = groups_stub_->StreamGroups(&context, v1::StreamGroupsRequest());
  std::vector<std::string> ids;
  v1::StreamGroupsResponse message;
  while (reader->Read(&message)) {
    for (const auto& group : message.groups()) ids.push_back(group.id());
    EXPECT_EQ(message.total_size(), 6);
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_THAT(ids, ::testing::ElementsAre("a0~1", "a1~1", "a2~1", "b0~1",
                                          "b1~1", "b2~1"));
}

v1::GetDocumentConversionStatusResponse DocumentStatus(
    v1::ConversionStatus status) {
  v1::GetDocumentConversionStatusResponse response;
  response.set_status(status);
  if (status == v1::CONVERSION_STATUS_FINISHED) {
    response.set_result_uuid("2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6");
  }
  return response;
}

TEST_F(StreamServiceTest, TwoWatchersOfOneJobShareEachPoll) {
  std::atomic<int> polls{0};
  EXPECT_CALL(*conversions_, GetDocumentConversionStatus(_, _))
      .WillRepeatedly(Invoke(
          [&](auto&, const v1::GetDocumentConversionStatusRequest& request) {
            EXPECT_EQ(request.token(), 77);
            return DocumentStatus(++polls == 1
                                      ? v1::CONVERSION_STATUS_PROCESSING
                                      : v1::CONVERSION_STATUS_FINISHED);
          }));
  v1::WatchConversionJobRequest request;
  request.set_kind(v1::CONVERSION_KIND_DOCUMENT);
  request.set_token(77);
  grpc::ClientContext first_context, second_context;
  auto first = conversions_stub_->WatchConversionJob(&first_context, request);
  v1::WatchConversionJobResponse update;
  ASSERT_TRUE(first->Read(&update));
  EXPECT_EQ(update.status(), v1::CONVERSION_STATUS_PROCESSING);
  auto second = conversions_stub_->WatchConversionJob(&second_context, request);
  ASSERT_TRUE(second->Read(&update));  // The known status, no new poll.
  EXPECT_EQ(update.status(), v1::CONVERSION_STATUS_PROCESSING);
  EXPECT_EQ(polls, 1);
  // The next poll is due after the initial interval.
  ASSERT_TRUE(Eventually([&] { return scheduler_->pending() == 1; }));
  scheduler_->AdvanceBy(absl::Milliseconds(500));
  for (auto* reader : {first.get(), second.get()}) {
    ASSERT_TRUE(reader->Read(&update));
    EXPECT_EQ(update.status(), v1::CONVERSION_STATUS_FINISHED);
    EXPECT_FALSE(update.result_uuid().empty());
    EXPECT_FALSE(reader->Read(&update));
    EXPECT_TRUE(reader->Finish().ok());
  }
  EXPECT_EQ(polls, 2);
}

TEST_F(StreamServiceTest, LastWatcherCancellingStopsThePolling) {
  EXPECT_CALL(*addons_, GetAddonExecutionStatus(_, _))
      .WillRepeatedly(Invoke([](auto&, auto&) {
        v1::GetAddonExecutionStatusResponse response;
        response.set_status(v1::ADDON_EXECUTION_STATUS_IN_PROGRESS);
        return response;
      }));
  v1::WatchAddonExecutionRequest request;
  request.set_addon(v1::ADDON_REMOVE_BG);
  request.set_request_id("2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6");
  grpc::ClientContext context;
  auto reader = addons_stub_->WatchAddonExecution(&context, request);
  v1::WatchAddonExecutionResponse update;
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), v1::ADDON_EXECUTION_STATUS_IN_PROGRESS);
  context.TryCancel();
  EXPECT_FALSE(reader->Read(&update));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(Eventually([&] { return scheduler_->pending() == 1; }));
  ASSERT_TRUE(Eventually([&] { return server_->watched_jobs() == 0; }));
  // The timer still fires, but the job has no watcher: no poll.
  ::testing::Mock::VerifyAndClearExpectations(addons_.get());
  EXPECT_CALL(*addons_, GetAddonExecutionStatus(_, _)).Times(0);
  scheduler_->AdvanceBy(absl::Minutes(1));
}

TEST_F(StreamServiceTest, ShutdownEndsWatchesAtOnceWithUnavailable) {
  EXPECT_CALL(*conversions_, GetDocumentConversionStatus(_, _))
      .WillRepeatedly(Return(DocumentStatus(v1::CONVERSION_STATUS_PROCESSING)));
  v1::WatchConversionJobRequest request;
  request.set_kind(v1::CONVERSION_KIND_DOCUMENT);
  request.set_token(3);
  grpc::ClientContext context;
  auto reader = conversions_stub_->WatchConversionJob(&context, request);
  v1::WatchConversionJobResponse update;
  ASSERT_TRUE(reader->Read(&update));
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(30));
  // Not held up for the grace period by a watch that could last forever.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_FALSE(reader->Read(&update));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(StreamServiceTest, UpstreamErrorEndsTheWatchWithTheMappedStatus) {
  EXPECT_CALL(*conversions_, GetVideoConversionStatus(_, _))
      .WillOnce(Return(absl::NotFoundError("no such job")));
  v1::WatchConversionJobRequest request;
  request.set_kind(v1::CONVERSION_KIND_VIDEO);
  request.set_token(5);
  grpc::ClientContext context;
  auto reader = conversions_stub_->WatchConversionJob(&context, request);
  v1::WatchConversionJobResponse update;
  EXPECT_FALSE(reader->Read(&update));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(StreamServiceTest, BadWatchRequestsAreRefusedNamingTheField) {
  v1::WatchConversionJobRequest no_kind;
  no_kind.set_token(5);
  grpc::ClientContext context;
  auto reader = conversions_stub_->WatchConversionJob(&context, no_kind);
  v1::WatchConversionJobResponse update;
  EXPECT_FALSE(reader->Read(&update));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("kind"));

  v1::WatchAddonExecutionRequest bad_id;
  bad_id.set_addon(v1::ADDON_REMOVE_BG);
  bad_id.set_request_id("nope");
  grpc::ClientContext addon_context;
  auto addon_reader = addons_stub_->WatchAddonExecution(&addon_context, bad_id);
  v1::WatchAddonExecutionResponse addon_update;
  EXPECT_FALSE(addon_reader->Read(&addon_update));
  status = addon_reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));
}

// Not a test: the figures behind StreamOptions::max_items_per_message. Run
// with --gtest_also_run_disabled_tests --gtest_filter=*MeasureBatchSizes*.
TEST_F(StreamServiceTest, DISABLED_MeasureBatchSizes) {
  for (int batch : {1, 10, 100, 1000}) {
    StreamOptions options;
    options.max_items_per_message = batch;
    Start(options);
    FakeListing listing;
    listing.pages = 20;
    listing.page_size = 1000;
    listing.payload_bytes = 1000;  // ~1 KB files
    ServeListing(listing);
    // Pages are served from memory: what is measured is the gRPC path.
    const absl::Time start = absl::Now();
    std::vector<std::string> uuids;
    ASSERT_TRUE(ReadAll(v1::StreamFilesRequest(), &uuids).ok());
    const absl::Duration took = absl::Now() - start;
    ASSERT_EQ(uuids.size(), 20000u);
    std::printf("batch %4d: %8.2f ms per 1000-file page, %7.0f files/s\n",
                batch, absl::ToDoubleMilliseconds(took) / listing.pages,
                uuids.size() / absl::ToDoubleSeconds(took));
  }
}

}  // namespace
}  // namespace ucgate::gateway
