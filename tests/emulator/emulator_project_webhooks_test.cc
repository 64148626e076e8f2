// GET /project/ and the webhooks resource (list, create, update,
// unsubscribe, and their errors), over real HTTP with signed requests.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/clock.h"
#include "service/emulator/emulator.h"
#include "tests/testing_util/emulator_test_client.h"

namespace ucgate::emulator {
namespace {

class EmulatorProjectWebhooksTest : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions options = TestOptions(20);
    options.projects[0].name = "Emulated test project";
    // Whole seconds near real time: requests are signed with the real clock.
    clock_ = std::make_shared<ManualClock>(
        absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
    options.clock = clock_;
    StartEmulator(std::move(options));
  }

  CallResult Create(const std::string& body) {
    return client_->Call("POST", "/webhooks/", body);
  }

  std::string ClockText() const {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", clock_->Now(),
                            absl::UTCTimeZone());
  }

  std::shared_ptr<ManualClock> clock_;
};

TEST_F(EmulatorProjectWebhooksTest, ProjectAnswersNameKeyAndNoSecret) {
  CallResult result = client_->Get("/project/");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.body,
            absl::StrCat("{\"collaborators\":[],\"name\":\"Emulated test "
                         "project\",\"pub_key\":\"",
                         kPublicKey, "\",\"autostore_enabled\":true}"));
  EXPECT_EQ(result.body.find(kSecretKey), std::string::npos);
  EXPECT_EQ(client_->Call("POST", "/project/").status, 405);
}

TEST_F(EmulatorProjectWebhooksTest, CreateListAndIdsFromOne) {
  EXPECT_EQ(client_->Get("/webhooks/").body, "[]");
  CallResult first = Create(
      R"({"target_url":"https://example.com/hook","event":"file.uploaded"})");
  ASSERT_EQ(first.status, 201) << first.body;
  rapidjson::Document doc = first.Json();
  EXPECT_EQ(doc["id"].GetInt64(), 1);
  EXPECT_EQ(StringMember(doc, "event"), "file.uploaded");
  EXPECT_EQ(StringMember(doc, "target_url"), "https://example.com/hook");
  EXPECT_TRUE(doc["is_active"].GetBool());
  EXPECT_EQ(StringMember(doc, "version"), "0.7");
  EXPECT_EQ(StringMember(doc, "created"), ClockText());
  EXPECT_EQ(StringMember(doc, "updated"), ClockText());
  EXPECT_GT(doc["project"].GetInt64(), 0);
  EXPECT_FALSE(doc.HasMember("signing_secret"));

  clock_->Advance(absl::Seconds(5));
  CallResult second = Create(
      R"({"target_url":"https://example.com/hook","event":"file.stored",)"
      R"("is_active":false,"signing_secret":"s3cr3t","version":"0.7"})");
  ASSERT_EQ(second.status, 201) << second.body;
  rapidjson::Document two = second.Json();
  EXPECT_EQ(two["id"].GetInt64(), 2);
  EXPECT_FALSE(two["is_active"].GetBool());
  EXPECT_EQ(StringMember(two, "signing_secret"), "s3cr3t");
  EXPECT_EQ(StringMember(two, "created"), ClockText());

  CallResult list = client_->Get("/webhooks/");
  ASSERT_EQ(list.status, 200);
  rapidjson::Document all = list.Json();
  ASSERT_TRUE(all.IsArray()) << list.body;
  ASSERT_EQ(all.Size(), 2u);
  EXPECT_EQ(all[0]["id"].GetInt64(), 1);
  EXPECT_EQ(all[1]["id"].GetInt64(), 2);
  EXPECT_EQ(all[0]["project"].GetInt64(), all[1]["project"].GetInt64());
}

TEST_F(EmulatorProjectWebhooksTest, CreateRefusesInvalidFieldsAsAFieldMap) {
  CallResult missing = Create(R"({"event":"file.uploaded"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, R"({"target_url":["This field is required."]})");

  CallResult bad_url =
      Create(R"({"target_url":"not a url","event":"file.uploaded"})");
  EXPECT_EQ(bad_url.status, 400);
  EXPECT_EQ(bad_url.body, R"({"target_url":["Enter a valid URL."]})");

  CallResult bad_event =
      Create(R"({"target_url":"https://example.com","event":"x"})");
  EXPECT_EQ(bad_event.status, 400);
  EXPECT_EQ(bad_event.body, R"({"event":["\"x\" is not a valid choice."]})");

  CallResult long_secret = Create(absl::StrCat(
      R"({"target_url":"https://example.com","event":"file.uploaded",)",
      R"("signing_secret":")", std::string(33, 'a'), "\"}"));
  EXPECT_EQ(long_secret.status, 400);
  EXPECT_EQ(
      long_secret.body,
      R"({"signing_secret":["Ensure this field has no more than 32 characters."]})");

  CallResult several = Create(R"({"is_active":"maybe","version":"0.5"})");
  EXPECT_EQ(several.status, 400);
  rapidjson::Document doc = several.Json();
  for (const char* field : {"target_url", "event", "is_active", "version"}) {
    EXPECT_TRUE(doc.HasMember(field)) << field << " in " << several.body;
  }
  EXPECT_EQ(Create("{not json").status, 400);
  EXPECT_EQ(client_->Get("/webhooks/").body, "[]");
}

TEST_F(EmulatorProjectWebhooksTest, SameTargetAndEventTwiceIsRefused) {
  const std::string body =
      R"({"target_url":"https://example.com","event":"file.uploaded"})";
  ASSERT_EQ(Create(body).status, 201);
  CallResult again = Create(body);
  EXPECT_EQ(again.status, 400);
  EXPECT_FALSE(DetailOf(again).empty()) << again.body;
  // Another event for the same target is a new subscription.
  EXPECT_EQ(
      Create(R"({"target_url":"https://example.com","event":"file.deleted"})")
          .status,
      201);
}

TEST_F(EmulatorProjectWebhooksTest, UpdateChangesOnlyWhatItNames) {
  ASSERT_EQ(
      Create(R"({"target_url":"https://example.com","event":"file.uploaded"})")
          .status,
      201);
  std::string created = ClockText();
  clock_->Advance(absl::Seconds(30));
  CallResult updated = client_->Call(
      "PUT", "/webhooks/1/",
      R"({"target_url":"https://github.com","is_active":false,"signing_secret":"3ZsQRtl5Ez"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  rapidjson::Document doc = updated.Json();
  EXPECT_EQ(doc["id"].GetInt64(), 1);
  EXPECT_EQ(StringMember(doc, "target_url"), "https://github.com");
  EXPECT_EQ(StringMember(doc, "event"), "file.uploaded");
  EXPECT_FALSE(doc["is_active"].GetBool());
  EXPECT_EQ(StringMember(doc, "signing_secret"), "3ZsQRtl5Ez");
  EXPECT_EQ(StringMember(doc, "created"), created);
  EXPECT_EQ(StringMember(doc, "updated"), ClockText());

  CallResult event_only =
      client_->Call("PUT", "/webhooks/1/", R"({"event":"file.infected"})");
  ASSERT_EQ(event_only.status, 200);
  EXPECT_EQ(StringMember(event_only.Json(), "target_url"),
            "https://github.com");
  EXPECT_EQ(StringMember(event_only.Json(), "event"), "file.infected");
}

TEST_F(EmulatorProjectWebhooksTest, UpdateErrors) {
  ASSERT_EQ(
      Create(R"({"target_url":"https://a.example","event":"file.uploaded"})")
          .status,
      201);
  ASSERT_EQ(
      Create(R"({"target_url":"https://b.example","event":"file.uploaded"})")
          .status,
      201);
  for (const char* path : {"/webhooks/3/", "/webhooks/abc/"}) {
    CallResult unknown = client_->Call("PUT", path, R"({"is_active":false})");
    EXPECT_EQ(unknown.status, 404) << path;
    EXPECT_EQ(DetailOf(unknown), "Not found.");
  }
  CallResult bad = client_->Call("PUT", "/webhooks/1/", R"({"event":"nope"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"event":["\"nope\" is not a valid choice."]})");
  // Becoming a duplicate of webhook 2 is refused and changes nothing.
  CallResult duplicate = client_->Call("PUT", "/webhooks/1/",
                                       R"({"target_url":"https://b.example"})");
  EXPECT_EQ(duplicate.status, 400);
  EXPECT_FALSE(DetailOf(duplicate).empty());
  EXPECT_EQ(StringMember(client_->Get("/webhooks/").Json()[0], "target_url"),
            "https://a.example");
  // The resource has PUT and DELETE (by id), as the live service answers.
  CallResult wrong_method = client_->Call("GET", "/webhooks/1/");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.allow, "DELETE, OPTIONS, PUT");
}

TEST_F(EmulatorProjectWebhooksTest, UnsubscribeRemovesByTargetUrl) {
  ASSERT_EQ(
      Create(R"({"target_url":"https://a.example","event":"file.uploaded"})")
          .status,
      201);
  ASSERT_EQ(
      Create(R"({"target_url":"https://a.example","event":"file.stored"})")
          .status,
      201);
  ASSERT_EQ(
      Create(R"({"target_url":"https://b.example","event":"file.uploaded"})")
          .status,
      201);
  CallResult gone = client_->Call("DELETE", "/webhooks/unsubscribe/",
                                  R"({"target_url":"https://a.example"})");
  EXPECT_EQ(gone.status, 204);
  EXPECT_TRUE(gone.body.empty());
  EXPECT_EQ(gone.allow, "DELETE, OPTIONS");
  rapidjson::Document left = client_->Get("/webhooks/").Json();
  ASSERT_EQ(left.Size(), 1u);
  EXPECT_EQ(StringMember(left[0], "target_url"), "https://b.example");

  CallResult none = client_->Call("DELETE", "/webhooks/unsubscribe/",
                                  R"({"target_url":"https://a.example"})");
  EXPECT_EQ(none.status, 404);
  CallResult missing = client_->Call("DELETE", "/webhooks/unsubscribe/", "{}");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, R"({"target_url":["This field is required."]})");
  // One webhook by id, as the live service deletes it: 204, then 404.
  const std::string by_id =
      absl::StrCat("/webhooks/", left[0]["id"].GetInt64(), "/");
  CallResult deleted = client_->Call("DELETE", by_id, "");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(client_->Get("/webhooks/").Json().Size(), 0u);
  EXPECT_EQ(client_->Call("DELETE", by_id, "").status, 404);
  EXPECT_EQ(client_->Call("DELETE", "/webhooks/nope/", "").status, 404);
  // New ids keep increasing after removals.
  CallResult next =
      Create(R"({"target_url":"https://c.example","event":"file.uploaded"})");
  EXPECT_EQ(next.Json()["id"].GetInt64(), 4);
}

TEST_F(EmulatorProjectWebhooksTest, WebhooksArePerProject) {
  EmulatorOptions options = TestOptions(20);
  EmulatorProject other;
  other.public_key = "otherpublickey";
  other.secret_key = "othersecretkey";
  options.projects.push_back(other);
  auto started = Emulator::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.status();
  EmulatorClient first(**started, kPublicKey, kSecretKey);
  EmulatorClient second(**started, "otherpublickey", "othersecretkey");
  ASSERT_EQ(
      first
          .Call("POST", "/webhooks/",
                R"({"target_url":"https://a.example","event":"file.uploaded"})")
          .status,
      201);
  EXPECT_EQ(second.Get("/webhooks/").body, "[]");
  CallResult own = second.Call(
      "POST", "/webhooks/",
      R"({"target_url":"https://a.example","event":"file.uploaded"})");
  ASSERT_EQ(own.status, 201);
  EXPECT_EQ(own.Json()["id"].GetInt64(), 1);
}

// Recorded: rest_webhook_list_unpaid.yml.
TEST_F(EmulatorProjectWebhooksTest, APlanWithoutWebhooksRefusesEveryRoute) {
  EmulatorOptions options = TestOptions(20);
  options.projects[0].webhooks_allowed = false;
  auto started = Emulator::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.status();
  EmulatorClient client(**started, kPublicKey, kSecretKey);
  const std::string create =
      R"({"target_url":"https://a.example","event":"file.uploaded"})";
  for (CallResult result :
       {client.Get("/webhooks/"), client.Call("POST", "/webhooks/", create),
        client.Call("PUT", "/webhooks/1/", R"({"is_active":false})"),
        client.Call("DELETE", "/webhooks/unsubscribe/",
                    R"({"target_url":"https://a.example"})")}) {
    EXPECT_EQ(result.status, 403) << result.body;
    EXPECT_EQ(result.body, R"({"detail":"You can't use webhooks"})");
  }
  // Everything else still works for the project.
  EXPECT_EQ(client.Get("/project/").status, 200);
}

}  // namespace
}  // namespace ucgate::emulator
