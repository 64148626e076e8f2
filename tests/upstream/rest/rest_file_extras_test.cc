// The REST stub's metadata, tags and search operations against a fake
// transport: URLs, bare-string and JSON bodies, 201/204 handling, the search
// body and its page tokens, and errors.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/page_token.h"
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

// The bodies are checked against the official JS client's in
// rest_js_client_requests_test.cc; these check the answers.
TEST_F(RestFileExtrasTest, TagsComeBackInTheServicesOrder) {
  SetUpAnswer(200, R"({"tags":["zebra","alpha"]})");
  v1::GetFileTagsRequest request;
  request.set_uuid(kUuid);
  auto response = operations_->GetFileTags(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->tags(), ElementsAre("zebra", "alpha"));
  EXPECT_EQ(LastRequest().url,
            absl::StrCat(kBaseUrl, "/files/", kUuid, "/tags/"));
}

TEST_F(RestFileExtrasTest, TagChangesReportWhatWasAddedAndDeleted) {
  SetUpAnswer(200,
              R"({"tags":["keep","new"],"added":["new"],"deleted":["gone"]})");
  v1::UpdateFileTagsRequest update;
  update.set_uuid(kUuid);
  update.add_add("new");
  update.add_remove("gone");
  auto updated = operations_->UpdateFileTags(context_, update);
  ASSERT_THAT(updated.status(), IsOk());
  EXPECT_THAT(updated->tags(), ElementsAre("keep", "new"));
  EXPECT_THAT(updated->added(), ElementsAre("new"));
  EXPECT_THAT(updated->deleted(), ElementsAre("gone"));

  SetUpAnswer(200, R"({"tags":[],"added":[],"deleted":["keep","new"]})");
  v1::ReplaceFileTagsRequest replace;
  replace.set_uuid(kUuid);
  auto replaced = operations_->ReplaceFileTags(context_, replace);
  ASSERT_THAT(replaced.status(), IsOk());
  EXPECT_THAT(replaced->tags(), IsEmpty());
  EXPECT_THAT(replaced->deleted(), ElementsAre("keep", "new"));

  // The old bare-list answer is not the service's.
  SetUpAnswer(200, R"(["a"])");
  EXPECT_THAT(operations_->ReplaceFileTags(context_, replace).status(),
              StatusIs(absl::StatusCode::kInternal, ::testing::_));
}

TEST_F(RestFileExtrasTest, TagsOfAnUnknownFileAreNotFound) {
  SetUpAnswer(404, R"({"detail":"Not found."})");
  v1::GetFileTagsRequest request;
  request.set_uuid(kUuid);
  EXPECT_THAT(operations_->GetFileTags(context_, request).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_F(RestFileExtrasTest, SearchResultsCarryTheirHighlight) {
  std::string result = kFileJson;
  result.pop_back();
  absl::StrAppend(
      &result, R"(,"highlight":{"original_filename":["<em>kitten</em>.jpeg"],)"
               R"("metadata":{"subsystem":"<em>test</em>"}}})");
  SetUpAnswer(200, absl::StrCat(R"({"next":null,"previous":null,"total":1,)"
                                R"("per_page":20,"results":[)",
                                result, "]}"));
  v1::SearchFilesRequest request;
  request.set_query("kitten");
  auto response = operations_->SearchFiles(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(response->total_size(), 1);
  ASSERT_EQ(response->files_size(), 1);
  EXPECT_EQ(response->files(0).uuid(), kUuid);
  ASSERT_EQ(response->highlights_size(), 1);
  EXPECT_THAT(response->highlights(0).original_filename(),
              ElementsAre("<em>kitten</em>.jpeg"));
  EXPECT_THAT(response->highlights(0).metadata(),
              UnorderedElementsAre(Pair("subsystem", "<em>test</em>")));
  EXPECT_EQ(response->next_page_token(), "");
}

TEST_F(RestFileExtrasTest, SearchPagesByOffsetUnderAnOpaqueToken) {
  const std::string page_answer = absl::StrCat(
      R"({"next":"https://api.example.test/files/search/?limit=5&offset=5",)"
      R"("previous":null,"total":12,"per_page":5,"results":[)",
      kFileJson, "]}");
  SetUpAnswers({FakeHttpClient::Json(200, page_answer),
                FakeHttpClient::Json(200, page_answer)});
  v1::SearchFilesRequest request;
  request.mutable_tags()->add_any("pets");
  request.set_page_size(5);
  auto first = operations_->SearchFiles(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(first->next_page_token().empty());
  EXPECT_EQ(LastRequest().url,
            absl::StrCat(kBaseUrl, "/files/search/?limit=5"));

  request.set_page_token(first->next_page_token());
  auto second = operations_->SearchFiles(context_, request);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(LastRequest().url,
            absl::StrCat(kBaseUrl, "/files/search/?limit=5&offset=5"));
  EXPECT_EQ(LastRequest().body, R"({"tags":{"any":["pets"]}})");
}

// offset + limit must stay under 1,000: the last reachable page is cut short
// and has no next token, however many results the service counts.
TEST_F(RestFileExtrasTest, SearchStopsAtTheServicesCeiling) {
  const std::string answer = absl::StrCat(
      R"({"next":"https://api.example.test/files/search/?limit=100&offset=999",)"
      R"("previous":null,"total":5000,"per_page":100,"results":[]})");
  SetUpAnswer(200, answer);
  v1::SearchFilesRequest request;
  request.set_is_image(true);
  request.set_page_size(100);
  request.set_page_token(api::EncodePageToken(
      api::ListCursor{"", 900}, api::PagedRequestFingerprint("main", request)));
  auto last = operations_->SearchFiles(context_, request);
  ASSERT_THAT(last.status(), IsOk());
  EXPECT_EQ(LastRequest().url,
            absl::StrCat(kBaseUrl, "/files/search/?limit=99&offset=900"));
  EXPECT_EQ(last->next_page_token(), "");
}

TEST_F(RestFileExtrasTest, SearchTokenIsRefusedWithOtherFilters) {
  SetUpAnswer(200,
              R"({"next":"https://api.example.test/files/search/?offset=20",)"
              R"("previous":null,"total":40,"per_page":20,"results":[]})");
  v1::SearchFilesRequest request;
  request.mutable_tags()->add_any("pets");
  auto first = operations_->SearchFiles(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  request.set_page_token(first->next_page_token());
  request.mutable_tags()->add_any("more");
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
  SetUpAnswer(200, R"({"next":null,"total":0})");
  EXPECT_THAT(
      operations_->SearchFiles(context_, v1::SearchFilesRequest()).status(),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("results")));
}

}  // namespace
}  // namespace ucgate::upstream
