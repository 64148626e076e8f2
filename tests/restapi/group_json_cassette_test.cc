// Every groups, project and webhooks answer in the recorded live cassettes
// (tests/data/recorded/*.yml, extracted at build time) maps into the
// gRPC messages without error and without losing a field; the error answers
// map at the HTTP error edge with their detail.
#include <simdjson.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/restapi/group_json.h"
#include "service/upstream/http/upstream_error.h"
#include "tests/testing_util/cassettes.h"
#include "tests/testing_util/status_matchers.h"

#ifndef UCGATE_CASSETTES_JSON
#error "UCGATE_CASSETTES_JSON must name the extracted cassettes file"
#endif

namespace ucgate::restapi {
namespace {

namespace dom = ::simdjson::dom;
using ::testing::HasSubstr;

using ::ucgate::testing::Interaction;

// The groups, project and webhooks interactions.
std::vector<Interaction> LoadResourceInteractions() {
  std::vector<Interaction> found;
  for (Interaction& interaction :
       ::ucgate::testing::LoadInteractions(UCGATE_CASSETTES_JSON)) {
    const std::string path = interaction.Path();
    if (absl::StartsWith(path, "/groups/") ||
        absl::StartsWith(path, "/project/") ||
        absl::StartsWith(path, "/webhooks/")) {
      found.push_back(std::move(interaction));
    }
  }
  return found;
}

// The string at `result`; "" when missing, null or not a string.
std::string Str(simdjson::simdjson_result<dom::element> result) {
  dom::element element;
  if (result.get(element) || !element.is_string()) return "";
  return std::string(element.get_string().value());
}

void ExpectGroup(dom::element original, const v1::Group& group) {
  EXPECT_EQ(group.id(), Str(original["id"]));
  EXPECT_EQ(group.files_count(), original["files_count"].get_int64().value());
  EXPECT_EQ(group.cdn_url(), Str(original["cdn_url"]));
  EXPECT_EQ(group.url(), Str(original["url"]));
  EXPECT_TRUE(group.has_datetime_created());
  EXPECT_EQ(group.has_datetime_stored(),
            !Str(original["datetime_stored"]).empty());
}

void ExpectWebhook(dom::element original, const v1::Webhook& webhook) {
  EXPECT_EQ(webhook.id(), original["id"].get_int64().value());
  EXPECT_EQ(webhook.project(), original["project"].get_int64().value());
  EXPECT_EQ(WebhookEventName(webhook.event()), Str(original["event"]));
  EXPECT_NE(webhook.event(), v1::WEBHOOK_EVENT_UNSPECIFIED);
  EXPECT_EQ(webhook.target_url(), Str(original["target_url"]));
  EXPECT_EQ(webhook.is_active(), original["is_active"].get_bool().value());
  EXPECT_TRUE(webhook.has_created());
  EXPECT_TRUE(webhook.has_updated());
  const std::string secret = Str(original["signing_secret"]);
  EXPECT_EQ(webhook.has_signing_secret(), !secret.empty());
  if (!secret.empty()) {
    // Write-only: nowhere in what the gateway would answer.
    EXPECT_THAT(webhook.SerializeAsString(), ::testing::Not(HasSubstr(secret)));
    EXPECT_THAT(webhook.DebugString(), ::testing::Not(HasSubstr(secret)));
  }
}

TEST(GroupJsonCassetteTest, EveryGroupProjectAndWebhookAnswerMaps) {
  const std::vector<Interaction> interactions = LoadResourceInteractions();
  int groups = 0, group_files = 0, pages = 0, projects = 0, webhooks = 0,
      errors = 0;
  for (const Interaction& interaction : interactions) {
    SCOPED_TRACE(interaction.Name());
    if (interaction.status < 200 || interaction.status > 299) {
      http::HttpResponse response;
      response.status_code = static_cast<int>(interaction.status);
      response.body = interaction.body;
      const absl::Status status = http::StatusFromHttpResponse(response);
      EXPECT_FALSE(status.ok());
      if (interaction.status == 404) {
        EXPECT_THAT(status,
                    StatusIs(absl::StatusCode::kNotFound, ::testing::_));
      }
      dom::parser parser;
      const std::string detail = Str(parser.parse(interaction.body)["detail"]);
      EXPECT_FALSE(detail.empty());
      EXPECT_THAT(std::string(status.message()), HasSubstr(detail));
      ++errors;
      continue;
    }
    if (interaction.status == 204 || interaction.body.empty()) continue;
    dom::parser parser;
    dom::element original = parser.parse(interaction.body);
    if (interaction.Path() == "/groups/") {
      v1::ListGroupsResponse page;
      std::string next;
      ASSERT_THAT(ParseGroupListPage(interaction.body, &page, &next), IsOk());
      EXPECT_EQ(next, Str(original["next"]));
      EXPECT_EQ(page.total_size(), original["total"].get_int64().value());
      dom::array results = original["results"].get_array();
      ASSERT_EQ(static_cast<size_t>(page.groups_size()), results.size());
      for (int i = 0; i < page.groups_size(); ++i) {
        ExpectGroup(results.at(i), page.groups(i));
      }
      ++pages;
    } else if (absl::StartsWith(interaction.Path(), "/groups/")) {
      v1::Group group;
      ASSERT_THAT(ParseGroup(interaction.body, &group), IsOk());
      ExpectGroup(original, group);
      dom::array files = original["files"].get_array();
      ASSERT_EQ(static_cast<size_t>(group.files_size()), files.size());
      for (int i = 0; i < group.files_size(); ++i) {
        EXPECT_EQ(group.files(i).index(), i);
        EXPECT_EQ(group.files(i).removed(), files.at(i).is_null());
        if (!files.at(i).is_null()) {
          EXPECT_EQ(group.files(i).file().uuid(), Str(files.at(i)["uuid"]));
          EXPECT_EQ(group.files(i).file().size(),
                    files.at(i)["size"].get_int64().value());
        }
        ++group_files;
      }
      ++groups;
    } else if (interaction.Path() == "/project/") {
      v1::Project project;
      ASSERT_THAT(ParseProject(interaction.body, &project), IsOk());
      EXPECT_EQ(project.name(), Str(original["name"]));
      EXPECT_EQ(project.pub_key(), Str(original["pub_key"]));
      EXPECT_EQ(project.autostore_enabled(),
                original["autostore_enabled"].get_bool().value());
      EXPECT_EQ(static_cast<size_t>(project.collaborators_size()),
                original["collaborators"].get_array().size());
      ++projects;
    } else if (interaction.Path() == "/webhooks/" &&
               interaction.method == "get") {
      google::protobuf::RepeatedPtrField<v1::Webhook> list;
      ASSERT_THAT(ParseWebhookList(interaction.body, &list), IsOk());
      dom::array items = original.get_array();
      ASSERT_EQ(static_cast<size_t>(list.size()), items.size());
      for (int i = 0; i < list.size(); ++i) ExpectWebhook(items.at(i), list[i]);
      webhooks += list.size();
    } else if (original["id"].is_int64()) {
      v1::Webhook webhook;
      ASSERT_THAT(ParseWebhook(interaction.body, &webhook), IsOk());
      ExpectWebhook(original, webhook);
      ++webhooks;
    }
  }
  // rest_info_group + rest_store_group; rest_list_groups(_limited); project;
  // list (2) + create + update; 403 unpaid + 404 group.
  EXPECT_EQ(groups, 2);
  EXPECT_EQ(group_files, 4);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(projects, 1);
  EXPECT_EQ(webhooks, 4);
  EXPECT_EQ(errors, 2);
}

TEST(GroupJsonTest, RemovedFilesStayInTheirPlace) {
  const std::string body =
      R"({"id":"d52d7136-a2e5-4338-9f45-affbf83b857d~3","datetime_created":"2022-09-30T08:38:33.039356Z","files_count":3,"cdn_url":"c","url":"u","files":[null,{"uuid":"32b70177-26f9-4281-bfe4-8ba284130c77","datetime_uploaded":"2021-10-21T12:01:19Z","size":5},null]})";
  v1::Group group;
  ASSERT_THAT(ParseGroup(body, &group), IsOk());
  ASSERT_EQ(group.files_size(), 3);
  EXPECT_TRUE(group.files(0).removed());
  EXPECT_FALSE(group.files(0).has_file());
  EXPECT_FALSE(group.files(1).removed());
  EXPECT_EQ(group.files(1).index(), 1);
  EXPECT_EQ(group.files(1).file().size(), 5);
  EXPECT_TRUE(group.files(2).removed());
  EXPECT_EQ(group.files(2).index(), 2);

  // Written back and read again: the same group, nulls included.
  std::string written;
  AppendGroupJson(group, true, FileJsonOptions(), &written);
  v1::Group again;
  ASSERT_THAT(ParseGroup(written, &again), IsOk());
  EXPECT_EQ(again.DebugString(), group.DebugString());
}

TEST(GroupJsonTest, ErrorsNameTheJsonPathAndClearTheOutput) {
  v1::Group group;
  EXPECT_THAT(
      ParseGroup(R"({"id":"x","files":[null,{"size":"big"}]})", &group),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("files[1].size")));
  EXPECT_EQ(group.ByteSizeLong(), 0u);
  google::protobuf::RepeatedPtrField<v1::Webhook> list;
  EXPECT_THAT(ParseWebhookList(R"({"detail":"x"})", &list),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("expected an array at the root")));
  v1::ListGroupsResponse page;
  std::string next;
  EXPECT_THAT(ParseGroupListPage(R"({"next":null})", &page, &next),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("results")));
}

TEST(GroupJsonTest, WebhookRoundTripsWithoutItsSecret) {
  v1::Webhook webhook;
  webhook.set_id(7);
  webhook.set_event(v1::WEBHOOK_EVENT_FILE_INFO_UPDATED);
  webhook.set_target_url("https://example.com/hook");
  webhook.set_project(3);
  webhook.set_is_active(true);
  webhook.set_version("0.7");
  webhook.mutable_created()->set_seconds(1600000000);
  webhook.mutable_updated()->set_seconds(1600000001);
  std::string written;
  AppendWebhookJson(webhook, "s3cret", &written);
  EXPECT_THAT(written, HasSubstr(R"("event":"file.info_updated")"));
  v1::Webhook again;
  ASSERT_THAT(ParseWebhook(written, &again), IsOk());
  webhook.set_has_signing_secret(true);
  EXPECT_EQ(again.DebugString(), webhook.DebugString());
  EXPECT_EQ(WebhookEventFromName("file.unknown"),
            v1::WEBHOOK_EVENT_UNSPECIFIED);
}

TEST(GroupJsonTest, ProjectRoundTrips) {
  v1::Project project;
  project.set_name("demo");
  project.set_pub_key("pk");
  project.set_autostore_enabled(true);
  project.add_collaborators()->set_email("a@example.com");
  std::string written;
  AppendProjectJson(project, &written);
  v1::Project again;
  ASSERT_THAT(ParseProject(written, &again), IsOk());
  EXPECT_EQ(again.DebugString(), project.DebugString());
  ASSERT_THAT(ParseProject(R"({"collaborators":null,"name":"n"})", &again),
              IsOk());
  EXPECT_EQ(again.collaborators_size(), 0);
}

}  // namespace
}  // namespace ucgate::restapi
