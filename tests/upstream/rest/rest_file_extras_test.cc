// The REST stub's metadata, tags and search operations against a fake
// transport: URLs, bare-string and JSON bodies, 201/204 handling, the search
// body and its page tokens, and errors.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/upstream/rest/rest_client.h"
#include "service/upstream/rest/rest_operations.h"
#include "tests/testing_util/fake_http_client.h"
#include "tests/testing_util/rest_stub_fixture.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using ucgate::testing::FakeHttpClient;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";
constexpr char kFileJson[] =
    R"({"datetime_removed":null,"datetime_stored":null,)"
    R"("datetime_uploaded":"2022-09-19T12:29:59.461061Z","is_image":true,)"
    R"("is_ready":true,"mime_type":"image/jpeg","original_file_url":null,)"
    R"("original_filename":"kitten.jpeg","size":1290,"url":null,)"
    R"("uuid":"2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6","variations":null,)"
    R"("content_info":null,"metadata":{"subsystem":"test"}})";

class RestFileExtrasTest : public testing::RestStubTest {
 protected:
  void MakeStubs(std::shared_ptr<const RestClient> rest) override {
    operations_ = MakeRestFileOperations(std::move(rest));
  }
  void SetUpAnswer(int status, std::string body, std::string project = "main") {
    SetUpAnswers({FakeHttpClient::Json(status, std::move(body))},
                 std::move(project));
  }

  std::unique_ptr<FileOperations> operations_;
};

TEST_F(RestFileExtrasTest, GetFileMetadataMapsTheObject) {
  SetUpAnswer(200, R"({"subsystem":"test","kind":"photo"})");
  v1::GetFileMetadataRequest request;
  request.set_uuid(kUuid);
  auto response = operations_->GetFileMetadata(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(
      response->metadata(),
      UnorderedElementsAre(Pair("subsystem", "test"), Pair("kind", "photo")));
  http::HttpRequest sent = LastRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kGet);
  EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, "/files/", kUuid, "/metadata/"));
}

TEST_F(RestFileExtrasTest, GetFileMetadataEmptyObjectIsNoEntries) {
  SetUpAnswer(200, "{}");
  v1::GetFileMetadataRequest request;
  request.set_uuid(kUuid);
  auto response = operations_->GetFileMetadata(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->metadata(), IsEmpty());
}

TEST_F(RestFileExtrasTest, GetFileMetadataKeyReadsTheBareString) {
  SetUpAnswer(200, R"("test")");
  v1::GetFileMetadataKeyRequest request;
  request.set_uuid(kUuid);
  request.set_key("sub:system.v-1");
  auto response = operations_->GetFileMetadataKey(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(response->value(), "test");
  EXPECT_EQ(LastRequest().url, absl::StrCat(kBaseUrl, "/files/", kUuid,
                                            "/metadata/sub:system.v-1/"));
}

TEST_F(RestFileExtrasTest, UnknownKeyIsNotFound) {
  SetUpAnswer(404, R"({"detail":"Not found."})");
  v1::GetFileMetadataKeyRequest request;
  request.set_uuid(kUuid);
  request.set_key("nonexistent");
  EXPECT_THAT(operations_->GetFileMetadataKey(context_, request).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));
}

TEST_F(RestFileExtrasTest, UpdateSendsABareStringAndAccepts200And201) {
  for (int status : {200, 201}) {
    SCOPED_TRACE(status);
    SetUpAnswer(status, R"("new \"test\" value")");
    v1::UpdateFileMetadataKeyRequest request;
    request.set_uuid(kUuid);
    request.set_key("subsystem");
    request.set_value("new \"test\" value");
    auto response = operations_->UpdateFileMetadataKey(context_, request);
    ASSERT_THAT(response.status(), IsOk());
    EXPECT_EQ(response->value(), "new \"test\" value");
    http::HttpRequest sent = LastRequest();
    EXPECT_EQ(sent.method, http::HttpMethod::kPut);
    EXPECT_EQ(sent.url,
              absl::StrCat(kBaseUrl, "/files/", kUuid, "/metadata/subsystem/"));
    EXPECT_EQ(sent.body, R"("new \"test\" value")");
  }
}

TEST_F(RestFileExtrasTest, UpdateWithAnObjectAnswerIsInternal) {
  SetUpAnswer(201, R"({"value":"x"})");
  v1::UpdateFileMetadataKeyRequest request;
  request.set_uuid(kUuid);
  request.set_key("k");
  request.set_value("x");
  EXPECT_THAT(operations_->UpdateFileMetadataKey(context_, request).status(),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("expected a JSON string at the root")));
}

TEST_F(RestFileExtrasTest, UpdateFieldErrorIsInvalidArgument) {
  SetUpAnswer(
      400,
      R"({"value":["Ensure this field has no more than 512 characters."]})");
  v1::UpdateFileMetadataKeyRequest request;
  request.set_uuid(kUuid);
  request.set_key("k");
  request.set_value("x");
  EXPECT_THAT(operations_->UpdateFileMetadataKey(context_, request).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("512")));
}

TEST_F(RestFileExtrasTest, DeleteAccepts204WithNoBody) {
  SetUpAnswer(204, "");
  v1::DeleteFileMetadataKeyRequest request;
  request.set_uuid(kUuid);
  request.set_key("subsystem");
  ASSERT_THAT(operations_->DeleteFileMetadataKey(context_, request).status(),
              IsOk());
  http::HttpRequest sent = LastRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kDelete);
  EXPECT_EQ(sent.url,
            absl::StrCat(kBaseUrl, "/files/", kUuid, "/metadata/subsystem/"));
  EXPECT_EQ(sent.body, "");
}

TEST_F(RestFileExtrasTest, TagsAreReadAndSorted) {
  SetUpAnswer(200, R"(["zebra","alpha"])");
  v1::GetFileTagsRequest request;
  request.set_uuid(kUuid);
  auto response = operations_->GetFileTags(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->tags(), ElementsAre("alpha", "zebra"));
  EXPECT_EQ(LastRequest().url,
            absl::StrCat(kBaseUrl, "/files/", kUuid, "/tags/"));
}

TEST_F(RestFileExtrasTest, ReplaceTagsPutsTheArray) {
  SetUpAnswer(200, R"(["a","b"])");
  v1::ReplaceFileTagsRequest request;
  request.set_uuid(kUuid);
  request.add_tags("b");
  request.add_tags("a");
  auto response = operations_->ReplaceFileTags(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->tags(), ElementsAre("a", "b"));
  http::HttpRequest sent = LastRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPut);
  EXPECT_EQ(sent.body, R"(["b","a"])");
}

TEST_F(RestFileExtrasTest, ReplaceWithNoTagsSendsAnEmptyArray) {
  SetUpAnswer(200, "[]");
  v1::ReplaceFileTagsRequest request;
  request.set_uuid(kUuid);
  auto response = operations_->ReplaceFileTags(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->tags(), IsEmpty());
  EXPECT_EQ(LastRequest().body, "[]");
}

TEST_F(RestFileExtrasTest, UpdateTagsPatchesAddAndRemove) {
  SetUpAnswer(200, R"(["keep","new"])");
  v1::UpdateFileTagsRequest request;
  request.set_uuid(kUuid);
  request.add_add("new");
  request.add_remove("old");
  request.add_remove("gone");
  auto response = operations_->UpdateFileTags(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->tags(), ElementsAre("keep", "new"));
  http::HttpRequest sent = LastRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPatch);
  EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, "/files/", kUuid, "/tags/"));
  EXPECT_EQ(sent.body, R"({"add":["new"],"remove":["old","gone"]})");
}

TEST_F(RestFileExtrasTest, TagsOfAnUnknownFileAreNotFound) {
  SetUpAnswer(404, R"({"detail":"Not found."})");
  v1::GetFileTagsRequest request;
  request.set_uuid(kUuid);
  EXPECT_THAT(operations_->GetFileTags(context_, request).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_F(RestFileExtrasTest, SearchSendsEveryFilterOnce) {
  SetUpAnswer(200, absl::StrCat(R"({"next_cursor":null,"total":1,"results":[)",
                                kFileJson, "]}"));
  v1::SearchFilesRequest request;
  request.set_filename_contains("kit\"ten");
  request.set_mime_type("image/*");
  (*request.mutable_metadata())["subsystem"] = "test";
  request.add_tags("pets");
  request.set_stored(true);
  request.set_include_removed(true);
  request.set_page_size(20);
  auto response = operations_->SearchFiles(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(response->total_size(), 1);
  ASSERT_EQ(response->files_size(), 1);
  EXPECT_EQ(response->files(0).uuid(), kUuid);
  EXPECT_EQ(response->next_page_token(), "");
  http::HttpRequest sent = LastRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPost);
  EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, "/files/search/"));
  EXPECT_EQ(sent.body,
            R"({"filename_contains":"kit\"ten","mime_type":"image/*",)"
            R"("metadata":{"subsystem":"test"},"tags":["pets"],"stored":true,)"
            R"("include_removed":true,"limit":20})");
}

TEST_F(RestFileExtrasTest, SearchOmitsUnsetStoredAndUsesTheDefaultLimit) {
  SetUpAnswer(200, R"({"next_cursor":null,"total":0,"results":[]})");
  v1::SearchFilesRequest request;
  ASSERT_THAT(operations_->SearchFiles(context_, request).status(), IsOk());
  EXPECT_EQ(LastRequest().body,
            R"({"filename_contains":"","mime_type":"","metadata":{},"tags":[],)"
            R"("include_removed":false,"limit":100})");
}

TEST_F(RestFileExtrasTest, SearchPagesThroughAnOpaqueToken) {
  SetUpAnswers(
      {FakeHttpClient::Json(200, absl::StrCat(R"({"next_cursor":"upstream-c2",)"
                                              R"("total":2,"results":[)",
                                              kFileJson, "]}")),
       FakeHttpClient::Json(200, absl::StrCat(R"({"next_cursor":null,)"
                                              R"("total":2,"results":[)",
                                              kFileJson, "]}"))});
  v1::SearchFilesRequest request;
  request.add_tags("pets");
  request.set_page_size(1);
  auto first = operations_->SearchFiles(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(first->next_page_token().empty());
  EXPECT_THAT(first->next_page_token(), ::testing::Not(HasSubstr("upstream")));

  request.set_page_token(first->next_page_token());
  request.set_page_size(5);  // page_size may change between pages
  auto second = operations_->SearchFiles(context_, request);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(second->next_page_token(), "");
  EXPECT_EQ(LastRequest().body,
            R"({"filename_contains":"","mime_type":"","metadata":{},)"
            R"("tags":["pets"],"include_removed":false,"limit":5,)"
            R"("cursor":"upstream-c2"})");
}

TEST_F(RestFileExtrasTest, SearchTokenIsRefusedWithOtherFilters) {
  SetUpAnswer(200, absl::StrCat(R"({"next_cursor":"c2","total":2,"results":[)",
                                kFileJson, "]}"));
  v1::SearchFilesRequest request;
  request.add_tags("pets");
  auto first = operations_->SearchFiles(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  request.set_page_token(first->next_page_token());
  request.add_tags("more");
  EXPECT_THAT(
      operations_->SearchFiles(context_, request).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_EQ(http_->requests().size(), 1u);  // refused before going upstream
}

TEST_F(RestFileExtrasTest, ListingTokenDoesNotPageASearch) {
  SetUpAnswer(
      200,
      R"({"next":"https://api.example.test/files/?from=2022-01-01T00%3A00%3A00Z&offset=0&limit=1","previous":null,"total":2,"per_page":1,"results":[]})");
  v1::ListFilesRequest list;
  auto listed = operations_->ListFiles(context_, list);
  ASSERT_THAT(listed.status(), IsOk());
  ASSERT_FALSE(listed->next_page_token().empty());
  v1::SearchFilesRequest search;
  search.set_page_token(listed->next_page_token());
  EXPECT_THAT(
      operations_->SearchFiles(context_, search).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST_F(RestFileExtrasTest, SearchAnswerWithoutResultsIsInternal) {
  SetUpAnswer(200, R"({"next_cursor":null,"total":0})");
  EXPECT_THAT(
      operations_->SearchFiles(context_, v1::SearchFilesRequest()).status(),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("results")));
}

}  // namespace
}  // namespace ucgate::upstream
