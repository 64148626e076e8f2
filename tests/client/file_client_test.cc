#include <string>
#include <vector>

#include "client/ucgate_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "tests/client/fake_gateway.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::ElementsAre;
using testing::FakeServer;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Pair;
using testing::RecordedCall;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";

class FileClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileClient> Connect(
      std::string project = "demo",
      absl::Duration timeout = absl::Seconds(30)) {
    ClientOptions options;
    options.target = server_.target();
    options.project = std::move(project);
    options.timeout = timeout;
    absl::StatusOr<std::unique_ptr<FileClient>> client =
        FileClient::Create(options);
    EXPECT_THAT(client, IsOk());
    return client.ok() ? *std::move(client) : nullptr;
  }

  RecordedCall OnlyCall() {
    std::vector<RecordedCall> calls = server_.service().calls();
    EXPECT_THAT(calls, SizeIs(1));
    return calls.empty() ? RecordedCall() : calls[0];
  }

  static v1::ListFilesResponse Page(std::vector<std::string> uuids,
                                    std::string next_page_token) {
    v1::ListFilesResponse page;
    for (const std::string& uuid : uuids) page.add_files()->set_uuid(uuid);
    page.set_next_page_token(std::move(next_page_token));
    page.set_total_size(6);
    return page;
  }

  // Runs ForEachFile, collecting the UUIDs it visits (at most `limit`).
  static absl::Status CollectUuids(FileClient& client,
                                   const v1::ListFilesRequest& request,
                                   std::vector<std::string>* seen,
                                   size_t limit = SIZE_MAX) {
    return client.ForEachFile(request, [&](const v1::File& file) {
      seen->push_back(file.uuid());
      return seen->size() < limit;
    });
  }

  FakeServer server_;
};

TEST_F(FileClientTest, SendsProjectMetadataAndDeadline) {
  auto client = Connect("demo", absl::Seconds(7));
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  ASSERT_THAT(client->GetFile(request), IsOk());
  RecordedCall call = OnlyCall();
  EXPECT_EQ(call.method, "GetFile");
  EXPECT_THAT(call.project, Optional(std::string("demo")));
  ASSERT_TRUE(call.time_left.has_value());
  // The grpc-timeout header rounds the timeout up a little.
  EXPECT_LE(*call.time_left, absl::Milliseconds(7100));
  EXPECT_GT(*call.time_left, absl::Seconds(5));
}

TEST_F(FileClientTest, SendsNoProjectWhenUnsetAndNoDeadlineWhenInfinite) {
  auto client = Connect("", absl::InfiniteDuration());
  ASSERT_THAT(client->ListFiles(v1::ListFilesRequest()), IsOk());
  RecordedCall call = OnlyCall();
  EXPECT_EQ(call.project, std::nullopt);
  EXPECT_EQ(call.time_left, std::nullopt);
}

TEST_F(FileClientTest, WorksOverAnExistingChannel) {
  ClientOptions options;
  options.project = "other";
  FileClient client(server_.InProcessChannel(), options);
  v1::StoreFileRequest request;
  request.set_uuid(kUuid);
  absl::StatusOr<v1::StoreFileResponse> response = client.StoreFile(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->file().uuid(), kUuid);
  EXPECT_THAT(OnlyCall().project, Optional(std::string("other")));
}

TEST_F(FileClientTest, ListFilesMapsRequestAndResponse) {
  auto client = Connect();
  v1::ListFilesRequest request;
  request.set_page_size(25);
  request.set_page_token("");
  request.set_stored(false);
  request.set_removed(true);
  request.set_ordering(v1::FILE_ORDERING_SIZE_DESC);
  request.set_from("1000");
  request.set_include_appdata(true);
  request.set_include_rekognition_info(true);
  absl::StatusOr<v1::ListFilesResponse> response = client->ListFiles(request);
  ASSERT_THAT(response, IsOk());
  ASSERT_THAT(response->files(), SizeIs(1));
  EXPECT_EQ(response->files(0).uuid(), testing::kListedUuid);
  EXPECT_EQ(response->total_size(), 1);
  const auto& sent = OnlyCall().As<v1::ListFilesRequest>();
  EXPECT_EQ(sent.SerializeAsString(), request.SerializeAsString());
  EXPECT_TRUE(sent.has_stored());
  EXPECT_FALSE(sent.stored());
}

TEST_F(FileClientTest, GetFileMapsRequestAndResponse) {
  auto client = Connect();
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  request.set_include_appdata(true);
  absl::StatusOr<v1::GetFileResponse> response = client->GetFile(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->file().uuid(), kUuid);
  EXPECT_EQ(response->file().original_filename(), "photo.jpg");
  EXPECT_TRUE(response->file().appdata().contains("uc_clamav_virus_scan"));
  EXPECT_TRUE(OnlyCall().As<v1::GetFileRequest>().include_appdata());
}

TEST_F(FileClientTest, StoreAndDeleteMapRequestAndResponse) {
  auto client = Connect();
  v1::StoreFileRequest store;
  store.set_uuid(kUuid);
  absl::StatusOr<v1::StoreFileResponse> stored = client->StoreFile(store);
  ASSERT_THAT(stored, IsOk());
  EXPECT_TRUE(stored->file().has_datetime_stored());

  v1::DeleteFileRequest remove;
  remove.set_uuid(kUuid);
  absl::StatusOr<v1::DeleteFileResponse> removed = client->DeleteFile(remove);
  ASSERT_THAT(removed, IsOk());
  EXPECT_TRUE(removed->file().has_datetime_removed());

  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_EQ(calls[0].As<v1::StoreFileRequest>().uuid(), kUuid);
  EXPECT_EQ(calls[1].method, "DeleteFile");
  EXPECT_EQ(calls[1].As<v1::DeleteFileRequest>().uuid(), kUuid);
}

TEST_F(FileClientTest, BatchesKeepProblems) {
  auto client = Connect();
  v1::BatchStoreFilesRequest store;
  store.add_uuids(kUuid);
  store.add_uuids("bad-uuid");
  absl::StatusOr<v1::BatchStoreFilesResponse> stored =
      client->BatchStoreFiles(store);
  ASSERT_THAT(stored, IsOk());
  ASSERT_THAT(stored->files(), SizeIs(1));
  EXPECT_EQ(stored->files(0).uuid(), kUuid);
  EXPECT_THAT(stored->problems(),
              UnorderedElementsAre(Pair("bad-uuid", "Invalid")));

  v1::BatchDeleteFilesRequest remove;
  remove.add_uuids("bad-1");
  remove.add_uuids(kUuid);
  absl::StatusOr<v1::BatchDeleteFilesResponse> removed =
      client->BatchDeleteFiles(remove);
  ASSERT_THAT(removed, IsOk());
  ASSERT_THAT(removed->files(), SizeIs(1));
  EXPECT_TRUE(removed->files(0).has_datetime_removed());
  EXPECT_THAT(removed->problems(),
              UnorderedElementsAre(Pair("bad-1", "Invalid")));

  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_THAT(calls[0].As<v1::BatchStoreFilesRequest>().uuids(),
              ElementsAre(kUuid, "bad-uuid"));
  EXPECT_THAT(calls[1].As<v1::BatchDeleteFilesRequest>().uuids(),
              ElementsAre("bad-1", kUuid));
}

TEST_F(FileClientTest, CopiesMapRequestAndResponse) {
  auto client = Connect();
  v1::CopyFileToLocalStorageRequest local;
  local.set_source(kUuid);
  local.set_store(true);
  (*local.mutable_metadata())["owner"] = "docs";
  absl::StatusOr<v1::CopyFileToLocalStorageResponse> copy =
      client->CopyFileToLocalStorage(local);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(copy->file().uuid(), testing::kCopyUuid);
  EXPECT_EQ(copy->file().source(), absl::StrCat("/", kUuid, "/"));
  EXPECT_THAT(copy->file().metadata(),
              UnorderedElementsAre(Pair("owner", "docs")));
  EXPECT_TRUE(copy->file().has_datetime_stored());

  v1::CopyFileToRemoteStorageRequest remote;
  remote.set_source(kUuid);
  remote.set_target("backup");
  remote.set_make_public(false);
  remote.set_pattern("${uuid}/${filename}");
  absl::StatusOr<v1::CopyFileToRemoteStorageResponse> remote_copy =
      client->CopyFileToRemoteStorage(remote);
  ASSERT_THAT(remote_copy, IsOk());
  EXPECT_EQ(remote_copy->url(), absl::StrCat("s3://backup/", kUuid));
  EXPECT_TRUE(remote_copy->already_existed());

  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_EQ(
      calls[0].As<v1::CopyFileToLocalStorageRequest>().SerializeAsString(),
      local.SerializeAsString());
  const auto& sent = calls[1].As<v1::CopyFileToRemoteStorageRequest>();
  EXPECT_TRUE(sent.has_make_public());
  EXPECT_FALSE(sent.make_public());
  EXPECT_EQ(sent.pattern(), "${uuid}/${filename}");
  EXPECT_EQ(sent.target(), "backup");
}

TEST_F(FileClientTest, ErrorsKeepCodeMessageAndDetails) {
  server_.service().FailWith(testing::InvalidUuidErrorWithEveryDetail());
  auto client = Connect();
  v1::GetFileRequest request;
  request.set_uuid("nope");
  absl::StatusOr<v1::GetFileResponse> response = client->GetFile(request);
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kInvalidArgument,
                                 "uuid: must be a UUID"));
  EXPECT_THAT(FieldViolations(response.status()),
              ElementsAre(Pair("uuid", "must be a UUID")));
  EXPECT_EQ(RetryAfter(response.status()), absl::Milliseconds(3500));
  EXPECT_EQ(ErrorReason(response.status()), "INVALID_UUID");
}

TEST_F(FileClientTest, ErrorsWithoutDetailsCarryNoPayloads) {
  server_.service().FailWith(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "file not found"));
  auto client = Connect();
  absl::StatusOr<v1::DeleteFileResponse> response =
      client->DeleteFile(v1::DeleteFileRequest());
  EXPECT_THAT(response,
              StatusIs(absl::StatusCode::kNotFound, "file not found"));
  int payloads = 0;
  response.status().ForEachPayload(
      [&](absl::string_view, const absl::Cord&) { ++payloads; });
  EXPECT_EQ(payloads, 0);
}

TEST(FromGrpcStatusTest, KeepsCodeAndMessageWhenDetailsAreGarbage) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
  absl::Status status = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "down", "\xff\xff\xff"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, "down"));
  EXPECT_TRUE(FieldViolations(status).empty());
}

TEST_F(FileClientTest, ForEachFileWalksEveryPage) {
  server_.service().SetPages({Page({"a1", "a2"}, "page-2"),
                              Page({"b1", "b2"}, "page-3"),
                              Page({"c1", "c2"}, "")});
  auto client = Connect();
  v1::ListFilesRequest request;
  request.set_page_size(2);
  request.set_stored(true);
  std::vector<std::string> seen;
  ASSERT_THAT(CollectUuids(*client, request, &seen), IsOk());
  EXPECT_THAT(seen, ElementsAre("a1", "a2", "b1", "b2", "c1", "c2"));
  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(3));
  std::vector<std::string> tokens;
  for (const RecordedCall& call : calls) {
    const auto& sent = call.As<v1::ListFilesRequest>();
    tokens.push_back(sent.page_token());
    // The other fields stay the same from page to page.
    EXPECT_EQ(sent.page_size(), 2);
    EXPECT_TRUE(sent.stored());
    EXPECT_THAT(call.project, Optional(std::string("demo")));
    EXPECT_TRUE(call.time_left.has_value());
  }
  EXPECT_THAT(tokens, ElementsAre("", "page-2", "page-3"));
}

TEST_F(FileClientTest, ForEachFileStopsWhenTheCallbackSaysSo) {
  server_.service().SetPages({Page({"a1", "a2"}, "page-2"),
                              Page({"b1", "b2"}, "page-3"),
                              Page({"c1", "c2"}, "")});
  auto client = Connect();
  std::vector<std::string> seen;
  ASSERT_THAT(CollectUuids(*client, v1::ListFilesRequest(), &seen, /*limit=*/3),
              IsOk());
  EXPECT_THAT(seen, ElementsAre("a1", "a2", "b1"));
  EXPECT_THAT(server_.service().calls(), SizeIs(2));
}

TEST_F(FileClientTest, ForEachFileStartsAtTheGivenToken) {
  server_.service().SetPages(
      {Page({"a1"}, "page-2"), Page({"b1"}, "page-3"), Page({"c1"}, "")});
  auto client = Connect();
  v1::ListFilesRequest request;
  request.set_page_token("page-2");
  std::vector<std::string> seen;
  ASSERT_THAT(CollectUuids(*client, request, &seen), IsOk());
  EXPECT_THAT(seen, ElementsAre("b1", "c1"));
}

TEST_F(FileClientTest, ForEachFileFailsWithTheFailingPage) {
  // The first page points at a page the server does not know.
  server_.service().SetPages({Page({"a1"}, "page-2")});
  auto client = Connect();
  std::vector<std::string> seen;
  EXPECT_THAT(
      CollectUuids(*client, v1::ListFilesRequest(), &seen),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_THAT(seen, ElementsAre("a1"));
  EXPECT_THAT(server_.service().calls(), SizeIs(2));
}

TEST_F(FileClientTest, ForEachFileRefusesAServerThatRepeatsItsToken) {
  // The second page names itself as the next one.
  server_.service().SetPages({Page({"a1"}, "page-2"), Page({"b1"}, "page-2")});
  auto client = Connect();
  std::vector<std::string> seen;
  EXPECT_THAT(CollectUuids(*client, v1::ListFilesRequest(), &seen),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("page token")));
  EXPECT_THAT(seen, ElementsAre("a1", "b1"));
}

TEST(FileClientCreateTest, RefusesAnUnreadableCaFileAndAnEmptyTarget) {
  ClientOptions options;
  options.target = "127.0.0.1:1";
  options.use_tls = true;
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(FileClient::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("/nonexistent/ca.pem")));
  EXPECT_THAT(
      FileClient::Create(ClientOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target")));
}

}  // namespace
}  // namespace ucgate::client
