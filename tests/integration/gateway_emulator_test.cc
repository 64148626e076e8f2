// Every FileService RPC through the gateway to the emulator, success and
// failure, for both upstream API versions and both auth schemes.
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/limits.h"
#include "service/common/status.h"
#include "tests/integration/gateway_fixture.h"
#include "tests/testing_util/eventually.h"
#include "tests/testing_util/log_capture.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr char kUnknownUuid[] = "00000000-0000-4000-8000-000000000000";

struct Variant {
  const char* name;
  ApiVersion version;
  auth::AuthScheme scheme;
  bool https;
};

class GatewayEmulatorTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    GatewaySetup setup;
    setup.api_version = GetParam().version;
    setup.auth_scheme = GetParam().scheme;
    setup.https = GetParam().https;
    fixture_ = std::make_unique<GatewayFixture>(setup);
    fixture_->Start();
  }

  bool v07() const { return GetParam().version == ApiVersion::kV07; }

  std::unique_ptr<GatewayFixture> fixture_;
};

TEST_P(GatewayEmulatorTest, ListFilesWalksEveryPageOnce) {
  size_t present = 0;
  for (const auto& file : fixture_->emulator().Files(kPublicKey)) {
    if (!file.has_datetime_removed()) ++present;
  }
  std::set<std::string> seen;
  v1::ListFilesRequest request;
  request.set_page_size(37);  // pages that do not divide the listing evenly
  int pages = 0;
  do {
    auto page = fixture_->client().ListFiles(request);
    ASSERT_THAT(page.status(), IsOk());
    EXPECT_EQ(page->total_size(), static_cast<int64_t>(present));
    for (const auto& file : page->files()) {
      EXPECT_TRUE(seen.insert(file.uuid()).second)
          << "duplicate " << file.uuid();
      EXPECT_FALSE(file.has_datetime_removed());
    }
    request.set_page_token(page->next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 100);
  EXPECT_EQ(seen.size(), present);
  EXPECT_EQ(pages, static_cast<int>((present + 36) / 37));
}

// Page tokens are checked with the rest of the call, before anything is
// scheduled: a token of other filters, or none of ours, is INVALID_ARGUMENT
// naming page_token, nothing reaches the emulator, and no upstream failure is
// logged.
TEST_P(GatewayEmulatorTest, BadPageTokensAreRefusedBeforeGoingUpstream) {
  v1::ListFilesRequest request;
  request.set_page_size(10);
  auto first = fixture_->client().ListFiles(request);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(first->next_page_token().empty());
  fixture_->emulator().ClearRequests();
  LogCapture logs;
  request.set_stored(true);  // other filters than the token's
  request.set_page_token(first->next_page_token());
  EXPECT_THAT(
      fixture_->client().ListFiles(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("page_token: ")));
  request.set_page_token("garbage!");
  EXPECT_THAT(
      fixture_->client().ListFiles(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("page_token: ")));
  EXPECT_TRUE(fixture_->emulator().requests().empty());
  for (const std::string& line : logs.lines()) {
    EXPECT_THAT(line, Not(HasSubstr("upstream op="))) << line;
  }
}

TEST_P(GatewayEmulatorTest, ListFilesFiltersAndOrders) {
  v1::ListFilesRequest request;
  request.set_page_size(50);
  request.set_stored(true);
  request.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  auto stored = fixture_->client().ListFiles(request);
  ASSERT_THAT(stored.status(), IsOk());
  ASSERT_THAT(stored->files(), SizeIs(50));
  for (const auto& file : stored->files())
    EXPECT_TRUE(file.has_datetime_stored());
  for (int i = 1; i < stored->files_size(); ++i) {
    EXPECT_GE(stored->files(i - 1).datetime_uploaded().seconds(),
              stored->files(i).datetime_uploaded().seconds());
  }
  request.Clear();
  request.set_removed(true);
  auto removed = fixture_->client().ListFiles(request);
  ASSERT_THAT(removed.status(), IsOk());
  ASSERT_FALSE(removed->files().empty());
  for (const auto& file : removed->files())
    EXPECT_TRUE(file.has_datetime_removed());
}

TEST_P(GatewayEmulatorTest, GetFileMapsTheVersionsShape) {
  v1::File expected = fixture_->PresentFile(/*stored=*/true);
  v1::GetFileRequest request;
  request.set_uuid(expected.uuid());
  auto got = fixture_->client().GetFile(request);
  ASSERT_THAT(got.status(), IsOk());
  EXPECT_EQ(got->file().uuid(), expected.uuid());
  EXPECT_EQ(got->file().size(), expected.size());
  EXPECT_EQ(got->file().original_filename(), expected.original_filename());
  EXPECT_EQ(got->file().mime_type(), expected.mime_type());
  EXPECT_EQ(got->file().datetime_uploaded().seconds(),
            expected.datetime_uploaded().seconds());
  EXPECT_EQ(got->file().content_info().mime().mime(), expected.mime_type());
  if (expected.content_info().has_image()) {
    EXPECT_EQ(got->file().content_info().image().width(),
              expected.content_info().image().width());
  }
  if (v07()) {
    // appdata only comes when asked for.
    for (const auto& file : fixture_->emulator().Files(kPublicKey)) {
      if (file.appdata().empty()) continue;
      request.set_uuid(file.uuid());
      auto plain = fixture_->client().GetFile(request);
      ASSERT_THAT(plain.status(), IsOk());
      EXPECT_TRUE(plain->file().appdata().empty());
      request.set_include_appdata(true);
      auto with_appdata = fixture_->client().GetFile(request);
      ASSERT_THAT(with_appdata.status(), IsOk());
      EXPECT_EQ(with_appdata->file().appdata().size(), file.appdata().size());
      break;
    }
  }
}

TEST_P(GatewayEmulatorTest, GetFileErrors) {
  v1::GetFileRequest request;
  request.set_uuid(kUnknownUuid);
  EXPECT_THAT(fixture_->client().GetFile(request),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));
  request.set_uuid("nonexistent");
  EXPECT_THAT(
      fixture_->client().GetFile(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("uuid: ")));
  // Version-specific options are refused before going upstream.
  request.set_uuid(kUnknownUuid);
  if (v07()) {
    request.set_include_rekognition_info(true);
  } else {
    request.set_include_appdata(true);
  }
  fixture_->emulator().ClearRequests();
  EXPECT_THAT(
      fixture_->client().GetFile(request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("include_")));
  EXPECT_TRUE(fixture_->emulator().requests().empty());
}

TEST_P(GatewayEmulatorTest, StoreThenDelete) {
  v1::File file = fixture_->PresentFile(/*stored=*/false);
  v1::StoreFileRequest store;
  store.set_uuid(file.uuid());
  auto stored = fixture_->client().StoreFile(store);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_TRUE(stored->file().has_datetime_stored());

  v1::DeleteFileRequest del;
  del.set_uuid(file.uuid());
  auto deleted = fixture_->client().DeleteFile(del);
  ASSERT_THAT(deleted.status(), IsOk());
  EXPECT_TRUE(deleted->file().has_datetime_removed());
  v1::GetFileRequest get;
  get.set_uuid(file.uuid());
  auto after = fixture_->client().GetFile(get);
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_TRUE(after->file().has_datetime_removed());

  store.set_uuid(kUnknownUuid);
  EXPECT_THAT(fixture_->client().StoreFile(store),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));
  del.set_uuid(kUnknownUuid);
  EXPECT_THAT(fixture_->client().DeleteFile(del),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));
}

TEST_P(GatewayEmulatorTest, BatchesKeepPerUuidProblems) {
  std::vector<std::string> unstored;
  for (const auto& file : fixture_->emulator().Files(kPublicKey)) {
    if (!file.has_datetime_removed() && !file.has_datetime_stored()) {
      unstored.push_back(file.uuid());
    }
    if (unstored.size() == 2) break;
  }
  ASSERT_THAT(unstored, SizeIs(2));
  v1::BatchStoreFilesRequest store;
  for (const auto& uuid : unstored) store.add_uuids(uuid);
  store.add_uuids("not-a-uuid");
  store.add_uuids(kUnknownUuid);
  auto stored = fixture_->client().BatchStoreFiles(store);
  ASSERT_THAT(stored.status(), IsOk());
  ASSERT_THAT(stored->files(), SizeIs(2));
  for (const auto& file : stored->files())
    EXPECT_TRUE(file.has_datetime_stored());
  EXPECT_THAT(stored->problems(),
              UnorderedElementsAre(Pair("not-a-uuid", "Invalid"),
                                   Pair(kUnknownUuid, HasSubstr("Missing"))));

  v1::BatchDeleteFilesRequest del;
  for (const auto& uuid : unstored) del.add_uuids(uuid);
  del.add_uuids(kUnknownUuid);
  auto deleted = fixture_->client().BatchDeleteFiles(del);
  ASSERT_THAT(deleted.status(), IsOk());
  ASSERT_THAT(deleted->files(), SizeIs(2));
  for (const auto& file : deleted->files())
    EXPECT_TRUE(file.has_datetime_removed());
  EXPECT_THAT(deleted->problems(),
              UnorderedElementsAre(Pair(kUnknownUuid, HasSubstr("Missing"))));

  v1::BatchDeleteFilesRequest too_many;
  for (int i = 0; i <= api::kMaxBatchUuids; ++i)
    too_many.add_uuids(kUnknownUuid);
  EXPECT_THAT(
      fixture_->client().BatchDeleteFiles(too_many),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("uuids: ")));
}

TEST_P(GatewayEmulatorTest, CopyToLocalStorage) {
  v1::File source = fixture_->PresentFile(/*stored=*/true);
  v1::CopyFileToLocalStorageRequest request;
  request.set_source(source.uuid());
  request.set_store(true);
  if (v07()) (*request.mutable_metadata())["copied_by"] = "integration";
  auto copy = fixture_->client().CopyFileToLocalStorage(request);
  ASSERT_THAT(copy.status(), IsOk());
  EXPECT_NE(copy->file().uuid(), source.uuid());
  EXPECT_EQ(copy->file().original_filename(), source.original_filename());
  if (v07()) {
    EXPECT_THAT(copy->file().metadata(),
                UnorderedElementsAre(Pair("copied_by", "integration")));
  }
  v1::GetFileRequest get;
  get.set_uuid(copy->file().uuid());
  EXPECT_THAT(fixture_->client().GetFile(get).status(), IsOk());

  request.set_source(absl::StrCat("https://ucarecdn.com/", kUnknownUuid, "/"));
  request.clear_metadata();
  EXPECT_THAT(
      fixture_->client().CopyFileToLocalStorage(request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("source")));
}

TEST_P(GatewayEmulatorTest, CopyToRemoteStorage) {
  v1::File source = fixture_->PresentFile(/*stored=*/true);
  v1::CopyFileToRemoteStorageRequest request;
  request.set_source(source.uuid());
  request.set_target("emulated-storage");
  auto first = fixture_->client().CopyFileToRemoteStorage(request);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_THAT(first->url(), AllOf(StartsWith("s3://emulated-storage/"),
                                  HasSubstr(source.uuid())));
  EXPECT_FALSE(first->already_existed());
  auto again = fixture_->client().CopyFileToRemoteStorage(request);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_TRUE(again->already_existed());

  request.set_target("no-such-storage");
  EXPECT_THAT(
      fixture_->client().CopyFileToRemoteStorage(request),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("Project has no storage with provided name.")));
}

TEST_P(GatewayEmulatorTest, EveryUpstreamRequestIsAuthenticatedAsConfigured) {
  fixture_->emulator().ClearRequests();
  v1::ListFilesRequest request;
  request.set_page_size(1);
  ASSERT_THAT(fixture_->client().ListFiles(request).status(), IsOk());
  auto requests = fixture_->emulator().requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].status, 200);
  EXPECT_EQ(requests[0].accept, AcceptHeaderFor(GetParam().version));
  if (GetParam().scheme == auth::AuthScheme::kSigned) {
    EXPECT_THAT(requests[0].authorization,
                StartsWith(absl::StrCat("Uploadcare ", kPublicKey, ":")));
    EXPECT_THAT(requests[0].authorization,
                ::testing::Not(HasSubstr(kSecretKey)));
  } else {
    EXPECT_THAT(requests[0].authorization, StartsWith("Uploadcare.Simple "));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Upstreams, GatewayEmulatorTest,
    ::testing::Values(Variant{"v07_signed_http", ApiVersion::kV07,
                              auth::AuthScheme::kSigned, false},
                      Variant{"v06_signed_http", ApiVersion::kV06,
                              auth::AuthScheme::kSigned, false},
                      Variant{"v07_simple_https", ApiVersion::kV07,
                              auth::AuthScheme::kSimple, true},
                      Variant{"v06_simple_https", ApiVersion::kV06,
                              auth::AuthScheme::kSimple, true},
                      Variant{"v07_signed_https", ApiVersion::kV07,
                              auth::AuthScheme::kSigned, true}),
    [](const ::testing::TestParamInfo<Variant>& info) {
      return info.param.name;
    });

// Fault injection: what the upstream does wrong reaches the caller as the
// right gRPC code, and transient failures are retried.
class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_ = std::make_unique<GatewayFixture>(GatewaySetup{});
    fixture_->Start();
    file_ = fixture_->PresentFile(/*stored=*/true);
    request_.set_uuid(file_.uuid());
  }

  void Inject(emulator::Fault fault) {
    fault.method = "GET";
    fault.path_prefix = "/files/";
    fixture_->emulator().AddFault(std::move(fault));
  }

  std::unique_ptr<GatewayFixture> fixture_;
  v1::File file_;
  v1::GetFileRequest request_;
};

TEST_F(FaultTest, TransientUnavailabilityIsRetried) {
  emulator::Fault fault;
  fault.status = 503;
  fault.times = 2;
  Inject(fault);
  auto got = fixture_->client().GetFile(request_);
  ASSERT_THAT(got.status(), IsOk());
  EXPECT_EQ(got->file().uuid(), file_.uuid());
  EXPECT_THAT(fixture_->sleeps(), SizeIs(2));
}

TEST_F(FaultTest, PersistentUnavailabilityEndsAsUnavailable) {
  emulator::Fault fault;
  fault.status = 502;
  Inject(fault);
  EXPECT_THAT(fixture_->client().GetFile(request_),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("502")));
  EXPECT_THAT(fixture_->sleeps(), SizeIs(2));  // 3 attempts
}

TEST_F(FaultTest, ThrottlingCarriesRetryAfter) {
  emulator::Fault fault;
  fault.status = 429;
  fault.retry_after_seconds = 7;
  fault.body =
      R"({"detail":"Request was throttled. Expected available in 7 seconds."})";
  Inject(fault);
  auto got = fixture_->client().GetFile(request_);
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kResourceExhausted,
                            HasSubstr("Request was throttled.")));
  EXPECT_EQ(RetryAfter(got.status()), absl::Seconds(7));
  EXPECT_TRUE(fixture_->sleeps().empty());  // the caller decides, not us
}

TEST_F(FaultTest, ConnectionResetIsUnavailable) {
  emulator::Fault fault;
  fault.reset_connection = true;
  Inject(fault);
  EXPECT_THAT(fixture_->client().GetFile(request_),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

TEST_F(FaultTest, MalformedBodyIsInternalNotACrash) {
  emulator::Fault fault;
  fault.malformed_body = true;
  Inject(fault);
  EXPECT_THAT(fixture_->client().GetFile(request_),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("upstream")));
  v1::ListFilesRequest list;
  EXPECT_THAT(fixture_->client().ListFiles(list),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("upstream")));
}

TEST(CancellationTest, ACallerGoingAwayFreesTheGatewaysCallSlotAtOnce) {
  GatewaySetup setup;
  setup.max_calls = 1;  // held by the slow call until it is aborted
  setup.cache_max_bytes = 0;
  GatewayFixture fixture(setup);
  fixture.Start();
  const v1::File slow = fixture.PresentFile(/*stored=*/true);
  const v1::File quick = fixture.PresentFile(/*stored=*/false);
  emulator::Fault fault;
  fault.method = "GET";
  fault.path_prefix = absl::StrCat("/files/", slow.uuid());
  fault.latency = absl::Seconds(3);
  fixture.emulator().AddFault(fault);

  auto stub = v1::FileService::NewStub(fixture.channel());
  grpc::ClientContext slow_context;
  grpc::Status slow_status;
  std::thread slow_caller([&] {
    v1::GetFileRequest request;
    request.set_uuid(slow.uuid());
    v1::GetFileResponse response;
    slow_status = stub->GetFile(&slow_context, request, &response);
  });
  // The upstream holds the request: the gateway's only worker waits on it.
  ASSERT_TRUE(Eventually([&] { return fixture.emulator().requests_held(); }));
  slow_context.TryCancel();
  slow_caller.join();
  EXPECT_EQ(slow_status.error_code(), grpc::StatusCode::CANCELLED);

  // The transfer was aborted through the cancellation (reactor OnCancel ->
  // curl_multi_remove_handle), so the gateway's only call slot is free again
  // well within the 3 s the upstream would have taken (at once once the
  // call's fiber has ended, which may be just after the caller saw
  // CANCELLED).
  client::ClientOptions options;
  options.timeout = absl::Milliseconds(500);
  client::FileClient hurried(fixture.channel(), options);
  v1::GetFileRequest request;
  request.set_uuid(quick.uuid());
  const absl::Time cancelled_at = absl::Now();
  EXPECT_TRUE(Eventually([&] { return hurried.GetFile(request).ok(); },
                         absl::Seconds(1)));
  EXPECT_LT(absl::Now() - cancelled_at, absl::Seconds(1));
}

TEST_F(FaultTest, CallerDeadlineBoundsASlowUpstream) {
  emulator::Fault fault;
  fault.latency = absl::Seconds(3);
  Inject(fault);
  client::ClientOptions options;
  options.timeout = absl::Milliseconds(300);
  client::FileClient hurried(fixture_->server().InProcessChannel(), options);
  const absl::Time start = absl::Now();
  EXPECT_THAT(hurried.GetFile(request_),
              StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::_));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

}  // namespace
}  // namespace ucgate::testing
