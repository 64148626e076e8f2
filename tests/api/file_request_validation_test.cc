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

// Tags are checked as the service checks them once normalized: what it
// would accept passes as written.
TEST(FileExtrasValidationTest, Tags) {
  v1::ReplaceFileTagsRequest replace;
  replace.set_uuid(kUuid);
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV07), IsOk());  // clears
  for (const char* good : {" Cat ", "a.b-c_d", "", "UPPER"})
    replace.add_tags(good);
  replace.add_tags(std::string(100, 'x'));
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV07), IsOk());
  for (const std::string& bad :
       {std::string("bad/tag"), std::string("colon:tag"), std::string("ünï"),
        std::string(101, 'x')}) {
    v1::ReplaceFileTagsRequest one;
    one.set_uuid(kUuid);
    one.add_tags(bad);
    EXPECT_THAT(ValidateRequest(one, ApiVersion::kV07),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tags")))
        << bad;
  }
  replace.clear_tags();
  for (int i = 0; i < 51; ++i) replace.add_tags(absl::StrCat("t", i));
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("50")));
  // Repeats count once, as the service drops them.
  replace.clear_tags();
  for (int i = 0; i < 60; ++i) replace.add_tags(i % 2 ? "Same" : "same ");
  EXPECT_THAT(ValidateRequest(replace, ApiVersion::kV07), IsOk());

  v1::UpdateFileTagsRequest update;
  update.set_uuid(kUuid);
  EXPECT_THAT(ValidateRequest(update, ApiVersion::kV07), IsOk());  // a no-op
  update.add_remove("no/slash");
  EXPECT_THAT(
      ValidateRequest(update, ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("remove")));
}

TEST(FileExtrasValidationTest, SearchNeedsAConditionAndTheServicesRules) {
  v1::SearchFilesRequest request;
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("give a condition")));
  request.set_is_image(false);
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());

  auto refused = [](const v1::SearchFilesRequest& bad, const char* field) {
    EXPECT_THAT(ValidateRequest(bad, ApiVersion::kV07),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)))
        << bad.ShortDebugString();
  };
  v1::SearchFilesRequest bad = request;
  bad.set_page_size(101);
  refused(bad, "page_size");
  bad = request;
  bad.set_query("abc");
  refused(bad, "query");
  bad = request;
  bad.mutable_phrase()->set_metadata("abc");
  refused(bad, "phrase.metadata");
  bad = request;
  bad.mutable_phrase()->set_original_filename("sunset");
  bad.mutable_exact()->add_original_filenames("sunset.png");
  refused(bad, "exact.original_filenames");
  bad = request;
  bad.mutable_exact()->add_uuids("nope");
  refused(bad, "exact.uuids");
  bad = request;
  bad.mutable_exact()->add_metadata()->set_key("camera");
  refused(bad, "exact.metadata.values");
  bad = request;
  bad.mutable_size();
  refused(bad, "size");
  bad = request;
  bad.mutable_datetime_uploaded();
  refused(bad, "datetime_uploaded");
  bad = request;
  bad.mutable_tags()->add_none("no/slash");
  refused(bad, "tags.none");
  bad = request;
  bad.add_sort();
  refused(bad, "sort.field");
  bad = request;
  for (int i = 0; i < 2; ++i) {
    bad.add_sort()->set_field(v1::SEARCH_SORT_FIELD_SIZE);
  }
  refused(bad, "sort.field");
  bad = request;
  for (int i = 1; i <= 4; ++i) {
    bad.add_sort()->set_field(static_cast<v1::SearchSortField>(i));
  }
  EXPECT_THAT(ValidateRequest(bad, ApiVersion::kV07), IsOk());
  bad.add_sort()->set_field(v1::SEARCH_SORT_FIELD_SCORE);
  refused(bad, "sort");

  v1::SearchFilesRequest full;
  full.set_query("beach");
  full.mutable_exact()->add_uuids(kUuid);
  v1::SearchMetadataValues* camera = full.mutable_exact()->add_metadata();
  camera->set_key("camera");
  camera->add_values("Canon");
  full.mutable_size()->set_gte(0);
  full.mutable_datetime_uploaded()->mutable_lt()->set_seconds(1714521600);
  full.mutable_tags()->add_any("Pets");
  full.set_page_size(100);
  EXPECT_THAT(ValidateRequest(full, ApiVersion::kV07), IsOk());
}

}  // namespace
}  // namespace ucgate::api
