// The file-info cache and batches of any size through the real gateway
// (libcurl transport) against the emulator, counting the emulator's
// requests to prove what went upstream.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/restapi/limits.h"
#include "tests/integration/gateway_fixture.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

class CacheBatchTest : public ::testing::Test {
 protected:
  // A gateway whose cache has `cache_bytes` (0: off) in front of an
  // emulator with `seed_files` files.
  void Start(int64_t cache_bytes, int seed_files = 300) {
    GatewaySetup setup;
    setup.cache_max_bytes = cache_bytes;
    setup.seed_files = seed_files;
    fixture_ = std::make_unique<GatewayFixture>(setup);
    fixture_->Start();
  }

  emulator::Emulator& emulator() { return fixture_->emulator(); }

  // Requests the emulator received with this method whose path starts so.
  int Upstream(absl::string_view method, absl::string_view path_prefix) {
    int count = 0;
    for (const auto& request : emulator().requests()) {
      if (request.method == method &&
          absl::StartsWith(request.path_and_query, path_prefix)) {
        ++count;
      }
    }
    return count;
  }

  absl::StatusOr<v1::GetFileResponse> GetFile(const std::string& uuid) {
    v1::GetFileRequest request;
    request.set_uuid(uuid);
    return fixture_->client().GetFile(request);
  }

  // The first `count` present files' UUIDs.
  std::vector<std::string> PresentUuids(size_t count) {
    std::vector<std::string> uuids;
    for (const auto& file : emulator().Files(kPublicKey)) {
      if (file.has_datetime_removed()) continue;
      uuids.push_back(file.uuid());
      if (uuids.size() == count) break;
    }
    return uuids;
  }

  std::unique_ptr<GatewayFixture> fixture_;
};

TEST_F(CacheBatchTest, SecondGetFileMakesNoUpstreamCall) {
  ASSERT_NO_FATAL_FAILURE(Start(64 << 20));
  const std::string uuid = fixture_->PresentFile(/*stored=*/true).uuid();
  auto first = GetFile(uuid);
  ASSERT_THAT(first.status(), IsOk());
  auto second = GetFile(uuid);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(second->file().SerializeAsString(),
            first->file().SerializeAsString());
  EXPECT_EQ(Upstream("GET", absl::StrCat("/files/", uuid)), 1);
  auto stats = gateway::FileInfoCacheStats(fixture_->projects());
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->hits, 1u);
  EXPECT_EQ(stats->misses, 1u);
  EXPECT_EQ(stats->entries, 1);
}

TEST_F(CacheBatchTest, StoreFileThenGetFileShowsItStored) {
  ASSERT_NO_FATAL_FAILURE(Start(64 << 20));
  const std::string uuid = fixture_->PresentFile(/*stored=*/false).uuid();
  auto before = GetFile(uuid);
  ASSERT_THAT(before.status(), IsOk());
  EXPECT_FALSE(before->file().has_datetime_stored());
  v1::StoreFileRequest store;
  store.set_uuid(uuid);
  ASSERT_THAT(fixture_->client().StoreFile(store).status(), IsOk());
  auto after = GetFile(uuid);
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_TRUE(after->file().has_datetime_stored());
}

TEST_F(CacheBatchTest, MetadataUpdateThenGetFileShowsIt) {
  ASSERT_NO_FATAL_FAILURE(Start(64 << 20));
  const std::string uuid = fixture_->PresentFile(/*stored=*/true).uuid();
  ASSERT_THAT(GetFile(uuid).status(), IsOk());
  v1::UpdateFileMetadataKeyRequest update;
  update.set_uuid(uuid);
  update.set_key("reviewed_by");
  update.set_value("cache-test");
  ASSERT_THAT(fixture_->client().UpdateFileMetadataKey(update).status(),
              IsOk());
  auto after = GetFile(uuid);
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_EQ(after->file().metadata().at("reviewed_by"), "cache-test");
  EXPECT_EQ(Upstream("GET", absl::StrCat("/files/", uuid, "/")), 2);
}

TEST_F(CacheBatchTest, WithTheCacheOffEveryGetFileGoesUpstream) {
  ASSERT_NO_FATAL_FAILURE(Start(/*cache_bytes=*/0));
  const std::string uuid = fixture_->PresentFile(/*stored=*/true).uuid();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(GetFile(uuid).status(), IsOk());
  EXPECT_EQ(Upstream("GET", absl::StrCat("/files/", uuid)), 3);
  EXPECT_FALSE(gateway::FileInfoCacheStats(fixture_->projects()).has_value());
}

TEST_F(CacheBatchTest, StoresTwoHundredFiftyFilesInThreeUpstreamBatches) {
  ASSERT_NO_FATAL_FAILURE(Start(64 << 20, /*seed_files=*/400));
  v1::BatchStoreFilesRequest request;
  std::vector<std::string> uuids = PresentUuids(250);
  ASSERT_THAT(uuids, SizeIs(250));
  for (const std::string& uuid : uuids) request.add_uuids(uuid);
  request.add_uuids(uuids[0]);  // a repeat is stored once
  request.add_uuids("not-a-uuid");
  request.add_uuids("0000");
  emulator().ClearRequests();
  auto stored = fixture_->client().BatchStoreFiles(request);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(Upstream("PUT", "/files/storage/"), 3);
  ASSERT_THAT(stored->files(), SizeIs(250));
  for (size_t i = 0; i < uuids.size(); ++i) {
    EXPECT_EQ(stored->files(i).uuid(), uuids[i]);
    EXPECT_TRUE(stored->files(i).has_datetime_stored());
  }
  EXPECT_THAT(
      stored->problems(),
      UnorderedElementsAre(Pair("not-a-uuid", restapi::kInvalidUuidProblem),
                           Pair("0000", restapi::kInvalidUuidProblem)));
  // The batch's answers are in the cache: reading one costs nothing.
  auto one = GetFile(uuids[123]);
  ASSERT_THAT(one.status(), IsOk());
  EXPECT_TRUE(one->file().has_datetime_stored());
  EXPECT_EQ(Upstream("GET", "/files/"), 0);
}

TEST_F(CacheBatchTest, AFailedUpstreamBatchIsReportedPerUuid) {
  ASSERT_NO_FATAL_FAILURE(Start(64 << 20, /*seed_files=*/400));
  std::vector<std::string> uuids = PresentUuids(250);
  ASSERT_THAT(uuids, SizeIs(250));
  v1::BatchDeleteFilesRequest request;
  for (const std::string& uuid : uuids) request.add_uuids(uuid);
  // One upstream batch gets a 400 (not retried); the other two succeed.
  emulator::Fault fault;
  fault.method = "DELETE";
  fault.path_prefix = "/files/storage/";
  fault.status = 400;
  fault.body = R"({"detail":"Bad request."})";
  fault.times = 1;
  emulator().AddFault(fault);
  auto deleted = fixture_->client().BatchDeleteFiles(request);
  ASSERT_THAT(deleted.status(), IsOk());
  EXPECT_EQ(Upstream("DELETE", "/files/storage/"), 3);
  const int failed = deleted->problems_size();
  EXPECT_THAT(failed, ::testing::AnyOf(100, 50));
  EXPECT_EQ(deleted->files_size() + failed, 250);
  for (const auto& [uuid, reason] : deleted->problems()) {
    EXPECT_THAT(reason, ::testing::StartsWith("INVALID_ARGUMENT: "));
  }
}

TEST_F(CacheBatchTest, StoreGroupThenGetFileShowsItsFilesStored) {
  ASSERT_NO_FATAL_FAILURE(Start(64 << 20));
  client::ClientOptions options;
  options.timeout = absl::Seconds(10);
  client::GroupClient groups(fixture_->channel(), options);
  std::string group_id, uuid;
  for (const auto& group : emulator().Groups(kPublicKey)) {
    v1::GetGroupRequest get;
    get.set_id(group.id());
    auto full = groups.GetGroup(get);
    ASSERT_THAT(full.status(), IsOk());
    for (const auto& entry : full->group().files()) {
      if (!entry.removed() && !entry.file().has_datetime_stored()) {
        group_id = group.id();
        uuid = entry.file().uuid();
        break;
      }
    }
    if (!uuid.empty()) break;
  }
  ASSERT_FALSE(uuid.empty()) << "the seed has no group with an unstored file";
  auto before = GetFile(uuid);
  ASSERT_THAT(before.status(), IsOk());
  EXPECT_FALSE(before->file().has_datetime_stored());
  v1::StoreGroupRequest store;
  store.set_id(group_id);
  ASSERT_THAT(groups.StoreGroup(store).status(), IsOk());
  auto after = GetFile(uuid);
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_TRUE(after->file().has_datetime_stored());
}

TEST_F(CacheBatchTest, AFinishedAddonRunShowsInAppdata) {
  auto clock = std::make_shared<ManualClock>(absl::Now());
  GatewaySetup setup;
  setup.emulator_clock = clock;
  fixture_ = std::make_unique<GatewayFixture>(setup);
  ASSERT_NO_FATAL_FAILURE(fixture_->Start());
  std::string uuid;
  for (const auto& file : emulator().Files(kPublicKey)) {
    if (!file.has_datetime_removed() &&
        !file.appdata().contains("uc_clamav_virus_scan")) {
      uuid = file.uuid();
      break;
    }
  }
  ASSERT_FALSE(uuid.empty()) << "every seeded file was scanned already";
  v1::GetFileRequest get;
  get.set_uuid(uuid);
  get.set_include_appdata(true);
  auto before = fixture_->client().GetFile(get);
  ASSERT_THAT(before.status(), IsOk());
  ASSERT_FALSE(before->file().appdata().contains("uc_clamav_virus_scan"));

  client::ClientOptions options;
  options.timeout = absl::Seconds(10);
  client::AddonClient addons(fixture_->channel(), options);
  v1::ExecuteAddonRequest execute;
  execute.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  execute.set_target(uuid);
  auto started = addons.ExecuteAddon(execute);
  ASSERT_THAT(started.status(), IsOk());
  // Read while the run is in progress: cached again, without the result.
  auto running = fixture_->client().GetFile(get);
  ASSERT_THAT(running.status(), IsOk());
  ASSERT_FALSE(running->file().appdata().contains("uc_clamav_virus_scan"));
  clock->Advance(absl::Minutes(1));
  v1::GetAddonExecutionStatusRequest status;
  status.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  status.set_request_id(started->request_id());
  auto done = addons.GetAddonExecutionStatus(status);
  ASSERT_THAT(done.status(), IsOk());
  ASSERT_EQ(done->status(), v1::ADDON_EXECUTION_STATUS_DONE);
  // The status call saw the run finish and dropped the entry.
  auto after = fixture_->client().GetFile(get);
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_TRUE(after->file().appdata().contains("uc_clamav_virus_scan"));
}

}  // namespace
}  // namespace ucgate::testing
