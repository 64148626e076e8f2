#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/limits.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";

template <typename Request>
void ExpectFieldError(const Request& request, ApiVersion version,
                      const std::string& field) {
  absl::Status status = ValidateRequest(request, version);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith(field)));
  ASSERT_FALSE(FieldViolations(status).empty());
  EXPECT_EQ(FieldViolations(status)[0].first, field);
}

TEST(ValidationTest, Uuids) {
  v1::GetFileRequest get;
  ExpectFieldError(get, ApiVersion::kV07, "uuid");
  get.set_uuid("../../project/");
  ExpectFieldError(get, ApiVersion::kV07, "uuid");
  get.set_uuid(kUuid);
  EXPECT_THAT(ValidateRequest(get, ApiVersion::kV07), IsOk());
  v1::StoreFileRequest store;
  store.set_uuid("nope");
  ExpectFieldError(store, ApiVersion::kV07, "uuid");
  v1::DeleteFileRequest del;
  ExpectFieldError(del, ApiVersion::kV06, "uuid");
}

TEST(ValidationTest, PageSizeRange) {
  v1::ListFilesRequest list;
  for (int size : {0, 1, 1000}) {
    list.set_page_size(size);
    EXPECT_THAT(ValidateRequest(list, ApiVersion::kV07), IsOk()) << size;
  }
  for (int size : {-1, 1001}) {
    list.set_page_size(size);
    ExpectFieldError(list, ApiVersion::kV07, "page_size");
  }
}

TEST(ValidationTest, VersionSpecificListOptions) {
  v1::ListFilesRequest list;
  list.set_ordering(v1::FILE_ORDERING_SIZE_DESC);
  ExpectFieldError(list, ApiVersion::kV07, "ordering");
  EXPECT_THAT(ValidateRequest(list, ApiVersion::kV06), IsOk());
  list.set_from("abc");
  ExpectFieldError(list, ApiVersion::kV06, "from");
  list.set_from("1024");
  EXPECT_THAT(ValidateRequest(list, ApiVersion::kV06), IsOk());
  list.Clear();
  list.set_from("yesterday");
  ExpectFieldError(list, ApiVersion::kV07, "from");
  for (const char* from : {"2015-09-10T10:00:00Z",
                           "2022-09-28T15:53:36.082137+00:00", "2015-09-10"}) {
    list.set_from(from);
    EXPECT_THAT(ValidateRequest(list, ApiVersion::kV07), IsOk()) << from;
  }
  list.Clear();
  list.set_include_appdata(true);
  ExpectFieldError(list, ApiVersion::kV06, "include_appdata");
  list.Clear();
  list.set_include_rekognition_info(true);
  ExpectFieldError(list, ApiVersion::kV07, "include_rekognition_info");
}

TEST(ValidationTest, BatchSizes) {
  v1::BatchStoreFilesRequest batch;
  ExpectFieldError(batch, ApiVersion::kV07, "uuids");
  // Any size up to kMaxBatchUuids: the gateway splits it into batches of 100.
  for (int i = 0; i < kMaxBatchUuids; ++i) batch.add_uuids(kUuid);
  EXPECT_THAT(ValidateRequest(batch, ApiVersion::kV07), IsOk());
  batch.add_uuids(kUuid);
  ExpectFieldError(batch, ApiVersion::kV07, "uuids");
  v1::BatchDeleteFilesRequest del;
  del.add_uuids("malformed ones are the upstream's per-UUID problems");
  EXPECT_THAT(ValidateRequest(del, ApiVersion::kV07), IsOk());
}

TEST(ValidationTest, Copies) {
  v1::CopyFileToLocalStorageRequest local;
  ExpectFieldError(local, ApiVersion::kV07, "source");
  local.set_source("not a uuid");
  ExpectFieldError(local, ApiVersion::kV07, "source");
  for (std::string source :
       {std::string(kUuid), absl::StrCat(kUuid, "/-/resize/10x10/"),
        absl::StrCat("https://ucarecdn.com/", kUuid, "/")}) {
    local.set_source(source);
    EXPECT_THAT(ValidateRequest(local, ApiVersion::kV07), IsOk()) << source;
  }
  (*local.mutable_metadata())["bad key!"] = "v";
  ExpectFieldError(local, ApiVersion::kV07, "metadata[bad key!]");
  local.mutable_metadata()->clear();
  (*local.mutable_metadata())["key"] = std::string(513, 'x');
  ExpectFieldError(local, ApiVersion::kV07, "metadata[key]");
  local.mutable_metadata()->clear();
  (*local.mutable_metadata())["key"] = "value";
  ExpectFieldError(local, ApiVersion::kV06, "metadata");

  v1::CopyFileToRemoteStorageRequest remote;
  remote.set_source(kUuid);
  ExpectFieldError(remote, ApiVersion::kV07, "target");
  remote.set_target("emulated-storage");
  EXPECT_THAT(ValidateRequest(remote, ApiVersion::kV07), IsOk());
}

// Metadata, tags and search.
TEST(FileExtrasValidationTest, MetadataIsRefusedForV06BeforeGoingUpstream) {
  v1::GetFileMetadataRequest request;
  request.set_uuid(kUuid);
  EXPECT_THAT(
      ValidateCall(request, "main", ApiVersion::kV06),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("v0.7")));
  EXPECT_THAT(ValidateCall(request, "main", ApiVersion::kV07), IsOk());
}

TEST(FileExtrasValidationTest, KeysValuesAndUuids) {
  v1::UpdateFileMetadataKeyRequest request;
  request.set_uuid(kUuid);
  request.set_key("ok_key-1.2:3");
  request.set_value("v");
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
  request.set_key("bad key");
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key")));
  request.set_key(std::string(65, 'k'));
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  request.set_key("k");
  request.set_value(std::string(513, 'v'));
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("512")));
  request.set_value("");
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  request.set_value("v");
  request.set_uuid("nope");
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UUID")));
}

TEST(FileExtrasValidationTest, Tags) {
  v1::ReplaceFileTagsRequest replace;
  replace.set_uuid(kUuid);
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV06),
              IsOk());  // may be empty
  replace.add_tags("bad/tag");
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tags")));
  replace.clear_tags();
  for (int i = 0; i < 51; ++i) replace.add_tags(absl::StrCat("t", i));
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("50")));

  v1::UpdateFileTagsRequest update;
  update.set_uuid(kUuid);
  EXPECT_THAT(ValidateRequest(update, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  update.add_remove("");
  EXPECT_THAT(
      ValidateRequest(update, ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("remove")));
}

TEST(FileExtrasValidationTest, SearchMimeTypePatternPageSizeAndMetadata) {
  v1::SearchFilesRequest request;
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
  for (const char* good :
       {"image/*", "image/png", "application/vnd.ms-excel", "image/svg+xml"}) {
    request.set_mime_type(good);
    EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk()) << good;
  }
  for (const char* bad :
       {"image", "*/*", "image/", "/png", "image/p ng", "image/png/x"}) {
    request.set_mime_type(bad);
    EXPECT_THAT(
        ValidateRequest(request, ApiVersion::kV07),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mime_type")))
        << bad;
  }
  request.clear_mime_type();
  request.set_page_size(1001);
  EXPECT_THAT(
      ValidateRequest(request, ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  request.set_page_size(0);
  (*request.mutable_metadata())["k"] = "v";
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
  EXPECT_THAT(
      ValidateRequest(request, ApiVersion::kV06),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metadata")));
  (*request.mutable_metadata())["bad key"] = "v";
  EXPECT_THAT(
      ValidateRequest(request, ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metadata")));
}

}  // namespace
}  // namespace ucgate::api
