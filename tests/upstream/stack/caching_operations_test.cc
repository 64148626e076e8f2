#include "service/upstream/stack/caching_operations.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/cache/lru_file_info_cache.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::_;
using ::testing::Return;
using ::ucgate::testing::MockAddonOperations;
using ::ucgate::testing::MockFileOperations;
using ::ucgate::testing::MockGroupOperations;

constexpr char kUuid[] = "3c269810-c17b-4e2c-92b6-25622464d866";
constexpr char kOtherUuid[] = "0e8f5d3a-1b2c-4d5e-8f90-123456789abc";

v1::File MakeFile(absl::string_view uuid, bool stored = false) {
  v1::File file;
  file.set_uuid(std::string(uuid));
  file.set_is_ready(true);
  if (stored) file.mutable_datetime_stored()->set_seconds(1700000000);
  return file;
}

v1::GetFileResponse Answer(const v1::File& file) {
  v1::GetFileResponse response;
  *response.mutable_file() = file;
  return response;
}

v1::GetFileRequest Get(absl::string_view uuid, bool appdata = false) {
  v1::GetFileRequest request;
  request.set_uuid(std::string(uuid));
  request.set_include_appdata(appdata);
  return request;
}

class CachingOperationsTest : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1700000000));
  std::shared_ptr<cache::FileInfoCache> cache_ =
      cache::MakeLruFileInfoCache({}, clock_);
  std::shared_ptr<MockFileOperations> mock_ =
      std::make_shared<::testing::StrictMock<MockFileOperations>>();
  std::unique_ptr<FileOperations> files_ =
      MakeCaching<FileOperations>(mock_, cache_, "main");
  CallContext context_;
};

TEST_F(CachingOperationsTest, SecondGetFileIsServedFromTheCache) {
  EXPECT_CALL(*mock_, GetFile(_, _)).WillOnce(Return(Answer(MakeFile(kUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  auto again = files_->GetFile(context_, Get(kUuid));
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->file().uuid(), kUuid);
  EXPECT_EQ(cache_->Stats().hits, 1u);
}

TEST_F(CachingOperationsTest, IncludeOptionsAreSeparateEntries) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(2)
      .WillRepeatedly(Return(Answer(MakeFile(kUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
}

TEST_F(CachingOperationsTest, ErrorsGoThroughAndAreNotCached) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .WillOnce(Return(absl::NotFoundError("Not found.")))
      .WillOnce(Return(Answer(MakeFile(kUuid))));
  EXPECT_THAT(files_->GetFile(context_, Get(kUuid)),
              StatusIs(absl::StatusCode::kNotFound, "Not found."));
  EXPECT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
}

TEST_F(CachingOperationsTest, StoreFileReplacesEveryVariant) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(3)
      .WillRepeatedly(Return(Answer(MakeFile(kUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
  v1::StoreFileResponse stored;
  *stored.mutable_file() = MakeFile(kUuid, /*stored=*/true);
  EXPECT_CALL(*mock_, StoreFile(_, _)).WillOnce(Return(stored));
  v1::StoreFileRequest store;
  store.set_uuid(kUuid);
  ASSERT_THAT(files_->StoreFile(context_, store).status(), IsOk());
  // The plain variant is the store's answer, no upstream call.
  auto plain = files_->GetFile(context_, Get(kUuid));
  ASSERT_THAT(plain.status(), IsOk());
  EXPECT_TRUE(plain->file().has_datetime_stored());
  // The appdata variant was dropped and is read again (third GetFile).
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
}

TEST_F(CachingOperationsTest, FailedMutationStillInvalidates) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(2)
      .WillRepeatedly(Return(Answer(MakeFile(kUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  EXPECT_CALL(*mock_, DeleteFile(_, _))
      .WillOnce(Return(absl::DeadlineExceededError("timed out")));
  v1::DeleteFileRequest del;
  del.set_uuid(kUuid);
  EXPECT_THAT(files_->DeleteFile(context_, del),
              StatusIs(absl::StatusCode::kDeadlineExceeded, _));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
}

TEST_F(CachingOperationsTest, MetadataAndTagChangesInvalidate) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(5)
      .WillRepeatedly(Return(Answer(MakeFile(kUuid))));
  EXPECT_CALL(*mock_, UpdateFileMetadataKey(_, _))
      .WillOnce(Return(v1::UpdateFileMetadataKeyResponse()));
  EXPECT_CALL(*mock_, DeleteFileMetadataKey(_, _))
      .WillOnce(Return(v1::DeleteFileMetadataKeyResponse()));
  EXPECT_CALL(*mock_, ReplaceFileTags(_, _))
      .WillOnce(Return(v1::ReplaceFileTagsResponse()));
  EXPECT_CALL(*mock_, UpdateFileTags(_, _))
      .WillOnce(Return(v1::UpdateFileTagsResponse()));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  v1::UpdateFileMetadataKeyRequest update;
  update.set_uuid(kUuid);
  ASSERT_THAT(files_->UpdateFileMetadataKey(context_, update).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  v1::DeleteFileMetadataKeyRequest del;
  del.set_uuid(kUuid);
  ASSERT_THAT(files_->DeleteFileMetadataKey(context_, del).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  v1::ReplaceFileTagsRequest replace;
  replace.set_uuid(kUuid);
  ASSERT_THAT(files_->ReplaceFileTags(context_, replace).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  v1::UpdateFileTagsRequest tags;
  tags.set_uuid(kUuid);
  ASSERT_THAT(files_->UpdateFileTags(context_, tags).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  EXPECT_EQ(cache_->Stats().invalidations, 4u);
}

TEST_F(CachingOperationsTest, ListPagesRefreshCachedEntries) {
  v1::File before = MakeFile(kUuid);
  before.set_original_filename("before.png");
  EXPECT_CALL(*mock_, GetFile(_, _))
      .WillOnce(Return(Answer(before)))
      .WillOnce(Return(Answer(MakeFile(kOtherUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
  v1::ListFilesResponse page;
  *page.add_files() = MakeFile(kUuid);
  page.mutable_files(0)->set_original_filename("listed.png");
  *page.add_files() = MakeFile(kOtherUuid);
  EXPECT_CALL(*mock_, ListFiles(_, _)).WillOnce(Return(page));
  v1::ListFilesRequest list;
  list.set_include_appdata(true);
  ASSERT_THAT(files_->ListFiles(context_, list).status(), IsOk());
  auto refreshed = files_->GetFile(context_, Get(kUuid, true));
  ASSERT_THAT(refreshed.status(), IsOk());
  EXPECT_EQ(refreshed->file().original_filename(), "listed.png");
  // A listed file that was not cached is not added.
  ASSERT_THAT(files_->GetFile(context_, Get(kOtherUuid, true)).status(),
              IsOk());
}

TEST_F(CachingOperationsTest, BatchResultsReplaceAndProblemsInvalidate) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(2)
      .WillRepeatedly(Return(Answer(MakeFile(kOtherUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kOtherUuid)).status(), IsOk());
  v1::BatchStoreFilesResponse stored;
  *stored.add_files() = MakeFile(kUuid, /*stored=*/true);
  (*stored.mutable_problems())[kOtherUuid] = "Missing in the project";
  EXPECT_CALL(*mock_, BatchStoreFiles(_, _)).WillOnce(Return(stored));
  v1::BatchStoreFilesRequest batch;
  batch.add_uuids(kUuid);
  batch.add_uuids(kOtherUuid);
  ASSERT_THAT(files_->BatchStoreFiles(context_, batch).status(), IsOk());
  auto from_batch = files_->GetFile(context_, Get(kUuid));
  ASSERT_THAT(from_batch.status(), IsOk());
  EXPECT_TRUE(from_batch->file().has_datetime_stored());
  ASSERT_THAT(files_->GetFile(context_, Get(kOtherUuid)).status(), IsOk());
}

TEST_F(CachingOperationsTest, UntouchedOperationsAreForwarded) {
  v1::GetFileMetadataResponse metadata;
  (*metadata.mutable_metadata())["k"] = "v";
  EXPECT_CALL(*mock_, GetFileMetadata(_, _)).WillOnce(Return(metadata));
  auto answer = files_->GetFileMetadata(context_, v1::GetFileMetadataRequest());
  ASSERT_THAT(answer.status(), IsOk());
  EXPECT_EQ(answer->metadata().at("k"), "v");
}

TEST_F(CachingOperationsTest, StoreGroupInvalidatesTheGroupsFiles) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(2)
      .WillRepeatedly(Return(Answer(MakeFile(kUuid))));
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
  auto groups_mock =
      std::make_shared<::testing::StrictMock<MockGroupOperations>>();
  auto groups = MakeCaching<GroupOperations>(groups_mock, cache_, "main");
  v1::StoreGroupResponse stored;
  *stored.mutable_group()->add_files()->mutable_file() =
      MakeFile(kUuid, /*stored=*/true);
  EXPECT_CALL(*groups_mock, StoreGroup(_, _)).WillOnce(Return(stored));
  ASSERT_THAT(groups->StoreGroup(context_, v1::StoreGroupRequest()).status(),
              IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid)).status(), IsOk());
}

TEST_F(CachingOperationsTest, AddonRunsInvalidateTheirTarget) {
  EXPECT_CALL(*mock_, GetFile(_, _))
      .Times(3)
      .WillRepeatedly(Return(Answer(MakeFile(kUuid))));
  auto addons_mock =
      std::make_shared<::testing::StrictMock<MockAddonOperations>>();
  auto addons = MakeCaching<AddonOperations>(addons_mock, cache_, "main");
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
  v1::ExecuteAddonResponse started;
  started.set_request_id("run-1");
  EXPECT_CALL(*addons_mock, ExecuteAddon(_, _)).WillOnce(Return(started));
  v1::ExecuteAddonRequest execute;
  execute.set_target(kUuid);
  ASSERT_THAT(addons->ExecuteAddon(context_, execute).status(), IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
  // Still running: the entry read meanwhile stays.
  v1::GetAddonExecutionStatusResponse running;
  running.set_status(v1::ADDON_EXECUTION_STATUS_IN_PROGRESS);
  v1::GetAddonExecutionStatusResponse done;
  done.set_status(v1::ADDON_EXECUTION_STATUS_DONE);
  EXPECT_CALL(*addons_mock, GetAddonExecutionStatus(_, _))
      .WillOnce(Return(running))
      .WillOnce(Return(done));
  v1::GetAddonExecutionStatusRequest status;
  status.set_request_id("run-1");
  ASSERT_THAT(addons->GetAddonExecutionStatus(context_, status).status(),
              IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
  // Done: the appdata changed, the next read goes upstream.
  ASSERT_THAT(addons->GetAddonExecutionStatus(context_, status).status(),
              IsOk());
  ASSERT_THAT(files_->GetFile(context_, Get(kUuid, true)).status(), IsOk());
}

}  // namespace
}  // namespace ucgate::upstream
