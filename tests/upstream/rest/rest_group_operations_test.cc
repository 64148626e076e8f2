#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/url.h"
#include "service/restapi/limits.h"
#include "service/upstream/rest/rest_operations.h"
#include "service/upstream/stack/batch_splitting.h"
#include "tests/testing_util/fake_http_client.h"
#include "tests/testing_util/rest_stub_fixture.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using ucgate::testing::FakeHttpClient;

constexpr char kGroupId[] = "47e6cf32-e5a8-4ff4-b48f-14d7304b42dd~3";

std::string FileJson(int i, bool stored) {
  return absl::StrCat(
      R"({"datetime_removed":null,"datetime_stored":)",
      stored ? R"("2022-09-30T08:38:33Z")" : "null",
      R"(,"datetime_uploaded":"2022-09-30T08:38:32Z","is_image":true,"is_ready":true,)",
      R"("mime_type":"image/png","original_file_url":null,"original_filename":"f.png",)",
      R"("size":1,"url":"https://x/","uuid":"00000000-0000-4000-8000-)",
      absl::Dec(i, absl::kZeroPad12),
      R"(","variations":null,"content_info":null,"metadata":{}})");
}

std::string GroupJson(int files, bool stored, bool with_null) {
  std::string body = absl::StrCat(
      R"({"id":")", kGroupId,
      R"(","datetime_created":"2022-09-30T08:38:33.039356Z","files_count":)",
      files,
      R"(,"cdn_url":"https://ucarecdn.com/x~3/","url":"https://api/groups/x~3/","files":[)");
  for (int i = 0; i < files; ++i) {
    if (i > 0) body.push_back(',');
    body += (with_null && i == 1) ? "null" : FileJson(i, stored);
  }
  return body + "]}";
}

class RestGroupOperationsTest : public testing::RestStubTest {
 protected:
  void MakeStubs(std::shared_ptr<const RestClient> rest) override {
    // StoreGroup stores through the batch-splitting layer, as composed by
    // the stack.
    groups_ = MakeRestGroupOperations(
        rest, MakeBatchSplittingFileOperations(
                  MakeRestFileOperations(rest),
                  {restapi::kMaxUuidsPerRequest, 1}, nullptr));
    project_ = MakeRestProjectOperations(rest);
    webhooks_ = MakeRestWebhookOperations(rest);
  }

  std::unique_ptr<GroupOperations> groups_;
  std::unique_ptr<ProjectOperations> project_;
  std::unique_ptr<WebhookOperations> webhooks_;
};

TEST_F(RestGroupOperationsTest, ListGroupsPagesWithOpaqueTokens) {
  int calls = 0;
  SetUpStack([&](const http::HttpRequest&, const http::RequestOptions&) {
    const char* next =
        calls++ == 0
            ? R"("https://api.example.test/groups/?from=2020-01-16T15%3A02%3A31.440287%2B00%3A00&limit=2&offset=1")"
            : "null";
    return FakeHttpClient::Json(
        200,
        absl::StrCat(R"({"next":)", next,
                     R"(,"previous":null,"total":7,"per_page":2,"results":[)",
                     GroupJson(1, false, false), "]}"));
  });
  v1::ListGroupsRequest request;
  request.set_page_size(2);
  request.set_ordering(v1::GROUP_ORDERING_DATETIME_CREATED_DESC);
  auto first = groups_->ListGroups(context_, request);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->total_size(), 7);
  ASSERT_THAT(first->groups(), SizeIs(1));
  EXPECT_EQ(first->groups(0).id(), kGroupId);
  EXPECT_THAT(first->next_page_token(), Not(HasSubstr("api.example")));
  request.set_page_token(first->next_page_token());
  auto second = groups_->ListGroups(context_, request);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_TRUE(second->next_page_token().empty());
  auto requests = http_->requests();
  ASSERT_THAT(requests, SizeIs(2));
  EXPECT_THAT(
      *ParseQueryOfUrl(requests[0].url),
      ElementsAre(Pair("limit", "2"), Pair("ordering", "-datetime_created")));
  EXPECT_THAT(
      *ParseQueryOfUrl(requests[1].url),
      ElementsAre(Pair("limit", "2"), Pair("ordering", "-datetime_created"),
                  Pair("from", "2020-01-16T15:02:31.440287+00:00"),
                  Pair("offset", "1")));
  // A token of another listing is refused before going upstream.
  request.set_ordering(v1::GROUP_ORDERING_DATETIME_CREATED);
  EXPECT_THAT(
      groups_->ListGroups(context_, request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_THAT(http_->requests(), SizeIs(2));
}

TEST_F(RestGroupOperationsTest, GetGroupKeepsRemovedFilesInPlace) {
  SetUpAnswer(200, GroupJson(3, false, /*with_null=*/true));
  v1::GetGroupRequest request;
  request.set_id(kGroupId);
  auto group = groups_->GetGroup(context_, request);
  ASSERT_THAT(group.status(), IsOk());
  ASSERT_THAT(group->group().files(), SizeIs(3));
  EXPECT_FALSE(group->group().files(0).removed());
  EXPECT_TRUE(group->group().files(1).removed());
  EXPECT_EQ(group->group().files(1).index(), 1);
  EXPECT_EQ(http_->requests()[0].url,
            absl::StrCat("https://api.example.test/groups/", kGroupId, "/"));
}

TEST_F(RestGroupOperationsTest, DeleteGroupAcceptsNoContent) {
  SetUpAnswer(204, "");
  v1::DeleteGroupRequest request;
  request.set_id(kGroupId);
  EXPECT_THAT(groups_->DeleteGroup(context_, request).status(), IsOk());
  EXPECT_EQ(http_->requests()[0].method, http::HttpMethod::kDelete);
}

TEST_F(RestGroupOperationsTest, StoreGroupOnV07StoresFilesHundredAtATime) {
  int gets = 0;
  SetUpStack([&](const http::HttpRequest& request,
                 const http::RequestOptions&) {
    if (request.method == http::HttpMethod::kGet) {
      return FakeHttpClient::Json(200,
                                  GroupJson(250, /*stored=*/gets++ > 0, true));
    }
    return FakeHttpClient::Json(
        200,
        R"({"status":"ok","problems":{"00000000-0000-4000-8000-000000000007":"Missing in the project"},"result":[]})");
  });
  v1::StoreGroupRequest request;
  request.set_id(kGroupId);
  auto stored = groups_->StoreGroup(context_, request);
  ASSERT_THAT(stored.status(), IsOk());
  auto requests = http_->requests();
  // GET, three PUTs of 100, 100 and 49 (the removed file is skipped), GET.
  ASSERT_THAT(requests, SizeIs(5));
  size_t stored_uuids = 0;
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(requests[i].method, http::HttpMethod::kPut);
    EXPECT_EQ(requests[i].url, "https://api.example.test/files/storage/");
    stored_uuids +=
        std::count(requests[i].body.begin(), requests[i].body.end(), ',') + 1;
  }
  EXPECT_EQ(stored_uuids, 249u);
  EXPECT_THAT(stored->problems(),
              UnorderedElementsAre(Pair("00000000-0000-4000-8000-000000000007",
                                        "Missing in the project")));
  EXPECT_TRUE(stored->group().files(0).file().has_datetime_stored());
}

TEST_F(RestGroupOperationsTest, StoreGroupOnV06UsesTheGroupStorageRoute) {
  SetUpAnswer(200, GroupJson(2, true, false), ApiVersion::kV06);
  v1::StoreGroupRequest request;
  request.set_id(kGroupId);
  ASSERT_THAT(groups_->StoreGroup(context_, request).status(), IsOk());
  ASSERT_THAT(http_->requests(), SizeIs(1));
  EXPECT_EQ(http_->requests()[0].method, http::HttpMethod::kPut);
  EXPECT_EQ(
      http_->requests()[0].url,
      absl::StrCat("https://api.example.test/groups/", kGroupId, "/storage/"));
}

TEST_F(RestGroupOperationsTest, GetProject) {
  SetUpAnswer(
      200,
      R"({"collaborators":[{"email":"a@b.c","name":"A"}],"name":"New project","pub_key":"foo","autostore_enabled":true})");
  auto project = project_->GetProject(context_, {});
  ASSERT_THAT(project.status(), IsOk());
  EXPECT_EQ(project->project().name(), "New project");
  EXPECT_EQ(project->project().pub_key(), "foo");
  EXPECT_THAT(project->project().collaborators(), SizeIs(1));
  EXPECT_EQ(http_->requests()[0].url, "https://api.example.test/project/");
}

constexpr char kWebhookJson[] =
    R"({"id":887447,"created":"2021-11-16T05:41:51.040032Z","updated":"2021-11-16T05:45:14.422880Z",)"
    R"("event":"file.uploaded","target_url":"https://github.com","project":159,"is_active":false,)"
    R"("signing_secret":"3ZsQRtl5Ez","version":"0.7"})";

TEST_F(RestGroupOperationsTest, WebhookCrudSendsTheApiBodies) {
  SetUpAnswer(201, kWebhookJson);
  v1::CreateWebhookRequest create;
  create.set_target_url("https://github.com");
  create.set_event(v1::WEBHOOK_EVENT_FILE_UPLOADED);
  create.set_is_active(false);
  create.set_signing_secret("3ZsQRtl5Ez");
  auto created = webhooks_->CreateWebhook(context_, create);
  ASSERT_THAT(created.status(), IsOk());
  EXPECT_EQ(created->webhook().id(), 887447);
  EXPECT_TRUE(created->webhook().has_signing_secret());
  EXPECT_THAT(created->webhook().DebugString(), Not(HasSubstr("3ZsQRtl5Ez")));
  EXPECT_EQ(
      http_->requests()[0].body,
      R"({"target_url":"https://github.com","event":"file.uploaded","is_active":false,)"
      R"("signing_secret":"3ZsQRtl5Ez"})");

  // A version goes out only when the caller set one.
  SetUpAnswer(201, kWebhookJson);
  create.set_version("0.7");
  ASSERT_THAT(webhooks_->CreateWebhook(context_, create).status(), IsOk());
  EXPECT_EQ(
      http_->requests()[0].body,
      R"({"target_url":"https://github.com","event":"file.uploaded","is_active":false,)"
      R"("signing_secret":"3ZsQRtl5Ez","version":"0.7"})");

  SetUpAnswer(200, kWebhookJson);
  v1::UpdateWebhookRequest update;
  update.set_id(887447);
  update.set_is_active(true);
  ASSERT_THAT(webhooks_->UpdateWebhook(context_, update).status(), IsOk());
  EXPECT_EQ(http_->requests()[0].method, http::HttpMethod::kPut);
  EXPECT_EQ(http_->requests()[0].url,
            "https://api.example.test/webhooks/887447/");
  EXPECT_EQ(http_->requests()[0].body, R"({"is_active":true})");

  SetUpAnswer(204, "");
  v1::DeleteWebhookRequest del;
  del.set_target_url("https://github.com");
  ASSERT_THAT(webhooks_->DeleteWebhook(context_, del).status(), IsOk());
  EXPECT_EQ(http_->requests()[0].method, http::HttpMethod::kDelete);
  EXPECT_EQ(http_->requests()[0].url,
            "https://api.example.test/webhooks/unsubscribe/");
  EXPECT_EQ(http_->requests()[0].body,
            R"({"target_url":"https://github.com"})");

  // By id: the live service's DELETE /webhooks/{id}/, no body.
  SetUpAnswer(204, "");
  v1::DeleteWebhookRequest by_id;
  by_id.set_id(887447);
  ASSERT_THAT(webhooks_->DeleteWebhook(context_, by_id).status(), IsOk());
  EXPECT_EQ(http_->requests()[0].method, http::HttpMethod::kDelete);
  EXPECT_EQ(http_->requests()[0].url,
            "https://api.example.test/webhooks/887447/");
  EXPECT_EQ(http_->requests()[0].body, "");

  SetUpAnswer(200, absl::StrCat("[", kWebhookJson, "]"));
  auto listed = webhooks_->ListWebhooks(context_, {});
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_THAT(listed->webhooks(), SizeIs(1));
}

TEST_F(RestGroupOperationsTest, ErrorsAreMapped) {
  SetUpAnswer(404, R"({"detail":"Not found."})");
  v1::GetGroupRequest request;
  request.set_id(kGroupId);
  EXPECT_THAT(groups_->GetGroup(context_, request),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));
  SetUpAnswer(400, R"({"event":["\"x\" is not a valid choice."]})");
  v1::CreateWebhookRequest create;
  create.set_target_url("https://x");
  create.set_event(v1::WEBHOOK_EVENT_FILE_STORED);
  EXPECT_THAT(webhooks_->CreateWebhook(context_, create),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event")));
}

}  // namespace
}  // namespace ucgate::upstream
