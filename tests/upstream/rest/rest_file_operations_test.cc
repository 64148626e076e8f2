#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/common/url.h"
#include "service/restapi/signing.h"
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
using ucgate::testing::HeaderValue;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";
constexpr char kOtherUuid[] = "640fe4b7-7352-42ca-8d87-0e4387957157";
constexpr char kFileJson[] =
    R"({"datetime_removed":null,"datetime_stored":null,)"
    R"("datetime_uploaded":"2022-09-19T12:29:59.461061Z","is_image":true,)"
    R"("is_ready":true,"mime_type":"image/jpeg","original_file_url":)"
    R"("https://ucarecdn.com/2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/kitten.jpeg",)"
    R"("original_filename":"kitten.jpeg","size":1290,"url":)"
    R"("https://api.uploadcare.com/files/2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/",)"
    R"("uuid":"2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6","variations":null,)"
    R"("content_info":null,"metadata":{}})";

std::string ListJson(const std::string& next) {
  return absl::StrCat(R"({"next":)", next.empty() ? "null" : "\"" + next + "\"",
                      R"(,"previous":null,"total":3,"totals":{"removed":0,)"
                      R"("stored":2,"unstored":1},"per_page":1,"results":[)",
                      kFileJson, "]}");
}

class RestFileOperationsTest : public testing::RestStubTest {
 protected:
  void MakeStubs(std::shared_ptr<const RestClient> rest) override {
    operations_ = MakeRestFileOperations(std::move(rest));
  }

  std::unique_ptr<FileOperations> operations_;
};

TEST_F(RestFileOperationsTest, GetFileSignsTheRequestAndMapsTheFile) {
  SetUpAnswer(200, kFileJson);
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  request.set_include_appdata(true);
  auto response = operations_->GetFile(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(response->file().uuid(), kUuid);
  EXPECT_EQ(response->file().size(), 1290);

  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kGet);
  const std::string path = absl::StrCat("/files/", kUuid, "/?include=appdata");
  EXPECT_EQ(sent.url, absl::StrCat("https://api.example.test", path));
  EXPECT_EQ(HeaderValue(sent, "Accept"),
            "application/vnd.uploadcare-v0.7+json");
  EXPECT_EQ(HeaderValue(sent, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(sent, "Date"), "Mon, 05 Nov 2018 13:14:41 GMT");
  const std::string expected_signature = restapi::HmacSha1Hex(
      "demoprivatekey",
      restapi::BuildSignString("GET", "", "application/json",
                               "Mon, 05 Nov 2018 13:14:41 GMT", path));
  EXPECT_EQ(HeaderValue(sent, "Authorization"),
            absl::StrCat("Uploadcare testpk:", expected_signature));
}

TEST_F(RestFileOperationsTest, BaseUrlPathPrefixIsPartOfTheSignedUri) {
  SetUpStack(
      [](const http::HttpRequest&, const http::RequestOptions&) {
        return FakeHttpClient::Json(200, kFileJson);
      },
      ApiVersion::kV07, "http://127.0.0.1:9/uploadcare/");
  v1::StoreFileRequest request;
  request.set_uuid(kUuid);
  ASSERT_THAT(operations_->StoreFile(context_, request).status(), IsOk());
  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPut);
  const std::string path =
      absl::StrCat("/uploadcare/files/", kUuid, "/storage/");
  EXPECT_EQ(sent.url, absl::StrCat("http://127.0.0.1:9", path));
  EXPECT_EQ(HeaderValue(sent, "Authorization"),
            absl::StrCat("Uploadcare testpk:",
                         restapi::HmacSha1Hex(
                             "demoprivatekey",
                             restapi::BuildSignString(
                                 "PUT", "", "application/json",
                                 "Mon, 05 Nov 2018 13:14:41 GMT", path))));
}

TEST_F(RestFileOperationsTest, DeletePathDependsOnTheApiVersion) {
  v1::DeleteFileRequest request;
  request.set_uuid(kUuid);
  SetUpAnswer(200, kFileJson, ApiVersion::kV07);
  ASSERT_THAT(operations_->DeleteFile(context_, request).status(), IsOk());
  EXPECT_THAT(OnlyRequest().url,
              HasSubstr(absl::StrCat("/files/", kUuid, "/storage/")));

  SetUpAnswer(200, kFileJson, ApiVersion::kV06);
  ASSERT_THAT(operations_->DeleteFile(context_, request).status(), IsOk());
  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kDelete);
  EXPECT_EQ(sent.url,
            absl::StrCat("https://api.example.test/files/", kUuid, "/"));
  EXPECT_EQ(HeaderValue(sent, "Accept"),
            "application/vnd.uploadcare-v0.6+json");
}

TEST_F(RestFileOperationsTest, ListFilesBuildsTheQueryAndWrapsTheCursor) {
  std::string next =
      "https://api.example.test/files/"
      "?limit=1&from=2022-09-28T15%3A53%3A36.082137%2B00%3A00&offset=2";
  int calls = 0;
  SetUpStack([&](const http::HttpRequest&, const http::RequestOptions&) {
    return FakeHttpClient::Json(200, ListJson(calls++ == 0 ? next : ""));
  });
  v1::ListFilesRequest request;
  request.set_page_size(1);
  request.set_stored(true);
  request.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  auto first = operations_->ListFiles(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->files_size(), 1);
  EXPECT_EQ(first->total_size(), 3);
  EXPECT_EQ(first->totals().stored(), 2);
  ASSERT_FALSE(first->next_page_token().empty());
  // Opaque: no upstream URL or host leaks to callers.
  EXPECT_THAT(first->next_page_token(), ::testing::Not(HasSubstr("example")));

  // A stream hears the same token before the page is mapped.
  std::vector<std::string> announced;
  upstream::CallContext listening = context_;
  listening.on_next_page_token = [&](const std::string& token) {
    announced.push_back(token);
  };
  calls = 0;
  auto again = operations_->ListFiles(listening, request);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_THAT(announced, ElementsAre(first->next_page_token()));

  request.set_page_token(first->next_page_token());
  request.set_page_size(5);  // page_size may change between pages
  auto second = operations_->ListFiles(context_, request);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_TRUE(second->next_page_token().empty());

  auto requests = http_->requests();
  ASSERT_EQ(requests.size(), 3u);
  requests.erase(requests.begin() + 1);  // the repeated first page
  auto first_query = ParseQueryOfUrl(requests[0].url);
  EXPECT_THAT(*first_query, ElementsAre(Pair("limit", "1"),
                                        Pair("ordering", "-datetime_uploaded"),
                                        Pair("stored", "true")));
  auto second_query = ParseQueryOfUrl(requests[1].url);
  EXPECT_THAT(
      *second_query,
      ElementsAre(Pair("limit", "5"), Pair("ordering", "-datetime_uploaded"),
                  Pair("stored", "true"),
                  Pair("from", "2022-09-28T15:53:36.082137+00:00"),
                  Pair("offset", "2")));
}

TEST_F(RestFileOperationsTest, PageTokenOfOtherFiltersIsRefusedBeforeUpstream) {
  SetUpAnswer(200, ListJson("https://api.example.test/files/"
                            "?from=2020-01-01T00%3A00%3A00Z&offset=0"));
  v1::ListFilesRequest request;
  request.set_stored(true);
  auto first = operations_->ListFiles(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  request.set_page_token(first->next_page_token());
  request.set_stored(false);
  EXPECT_THAT(
      operations_->ListFiles(context_, request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  request.set_page_token("garbage!");
  EXPECT_THAT(
      operations_->ListFiles(context_, request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_EQ(http_->requests().size(), 1u);
}

TEST_F(RestFileOperationsTest, BatchAnswersMalformedUuidsLocally) {
  SetUpAnswer(200, absl::StrCat(R"({"status":"ok","problems":{")", kOtherUuid,
                                R"(":"Missing in the project"},"result":[)",
                                kFileJson, "]}"));
  v1::BatchStoreFilesRequest request;
  request.add_uuids(kUuid);
  request.add_uuids("not-a-uuid");
  request.add_uuids(kOtherUuid);
  auto response = operations_->BatchStoreFiles(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(response->files_size(), 1);
  EXPECT_THAT(response->problems(),
              UnorderedElementsAre(Pair("not-a-uuid", "Invalid"),
                                   Pair(kOtherUuid, "Missing in the project")));
  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPut);
  EXPECT_EQ(sent.url, "https://api.example.test/files/storage/");
  EXPECT_EQ(sent.body, absl::StrCat("[\"", kUuid, "\",\"", kOtherUuid, "\"]"));
}

TEST_F(RestFileOperationsTest, BatchOfOnlyMalformedUuidsNeverGoesUpstream) {
  SetUpAnswer(500, "");
  v1::BatchDeleteFilesRequest request;
  request.add_uuids("nonexistent");
  request.add_uuids("other_nonexistent");
  auto response = operations_->BatchDeleteFiles(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_THAT(response->files(), IsEmpty());
  EXPECT_EQ(response->problems().size(), 2u);
  EXPECT_TRUE(http_->requests().empty());
}

TEST_F(RestFileOperationsTest, CopiesSendTheApiBodies) {
  SetUpAnswer(201, absl::StrCat(R"({"type":"file","result":)", kFileJson, "}"));
  v1::CopyFileToLocalStorageRequest local;
  local.set_source(kUuid);
  local.set_store(true);
  (*local.mutable_metadata())["kind"] = "avatar \"x\"";
  auto copied = operations_->CopyFileToLocalStorage(context_, local);
  ASSERT_THAT(copied.status(), IsOk());
  EXPECT_EQ(copied->file().uuid(), kUuid);
  EXPECT_EQ(
      OnlyRequest().body,
      absl::StrCat(R"({"source":")", kUuid,
                   R"(","store":true,"metadata":{"kind":"avatar \"x\""}})"));

  // Unset store: not sent (the service's default applies), as recorded in
  // rest_file_internal_copy.yml.
  SetUpAnswer(201, absl::StrCat(R"({"type":"file","result":)", kFileJson, "}"));
  v1::CopyFileToLocalStorageRequest plain;
  plain.set_source(kUuid);
  ASSERT_THAT(operations_->CopyFileToLocalStorage(context_, plain).status(),
              IsOk());
  EXPECT_EQ(OnlyRequest().body, absl::StrCat(R"({"source":")", kUuid, R"("})"));

  for (int status : {201, 200}) {
    SetUpAnswer(status, R"({"type":"url","result":"s3://bucket/x/image.png"})");
    v1::CopyFileToRemoteStorageRequest remote;
    remote.set_source(kUuid);
    remote.set_target("emulated-storage");
    remote.set_make_public(false);
    remote.set_pattern("${uuid}${ext}");
    auto result = operations_->CopyFileToRemoteStorage(context_, remote);
    ASSERT_THAT(result.status(), IsOk());
    EXPECT_EQ(result->url(), "s3://bucket/x/image.png");
    EXPECT_EQ(result->already_existed(), status == 200);
    EXPECT_EQ(
        OnlyRequest().body,
        absl::StrCat(R"({"source":")", kUuid,
                     R"(","target":"emulated-storage","make_public":false,)"
                     R"("pattern":"${uuid}${ext}"})"));
  }
}

TEST_F(RestFileOperationsTest, UpstreamErrorsAreMapped) {
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  SetUpAnswer(404, R"({"detail":"Not found."})");
  EXPECT_THAT(operations_->GetFile(context_, request),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));

  SetUpStack([](const http::HttpRequest&, const http::RequestOptions&) {
    return FakeHttpClient::Json(
        429,
        R"({"detail":"Request was throttled. Expected available in 10 seconds."})",
        {{"retry-after", "10"}});
  });
  auto throttled = operations_->GetFile(context_, request);
  EXPECT_THAT(throttled, StatusIs(absl::StatusCode::kResourceExhausted,
                                  HasSubstr("throttled")));
  EXPECT_EQ(RetryAfter(throttled.status()), absl::Seconds(10));
}

TEST_F(RestFileOperationsTest, MalformedJsonIsAnErrorNotACrash) {
  SetUpAnswer(200,
              R"({"uuid": "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6", "size": )");
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  EXPECT_THAT(operations_->GetFile(context_, request),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("upstream")));
}

TEST_F(RestFileOperationsTest, TransportErrorsAndDeadlinePassThrough) {
  SetUpStack(
      [](const http::HttpRequest&,
         const http::RequestOptions&) -> absl::StatusOr<http::HttpResponse> {
        return absl::UnavailableError("connection refused");
      });
  context_.deadline = absl::FromUnixSeconds(2000000000);
  v1::GetFileRequest request;
  request.set_uuid(kUuid);
  EXPECT_THAT(operations_->GetFile(context_, request),
              StatusIs(absl::StatusCode::kUnavailable, "connection refused"));
  EXPECT_THAT(http_->deadlines(),
              ElementsAre(absl::FromUnixSeconds(2000000000)));
}

}  // namespace
}  // namespace ucgate::upstream
