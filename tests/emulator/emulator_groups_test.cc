// /groups/: cursor pagination over the seeded groups (every group once, ties
// included, nulls for removed files), info, delete and the v0.6 store, over
// real HTTP with signed requests.
#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/emulator/emulator.h"
#include "tests/testing_util/emulator_test_client.h"

namespace ucgate::emulator {
namespace {

using ::testing::HasSubstr;

constexpr int kSeedFiles = 1000;

CallOptions Version(ApiVersion version) {
  CallOptions options;
  options.version = version;
  return options;
}

struct GroupsPage {
  std::vector<std::string> ids;
  std::string next;
  std::string previous;
  int64_t total = -1;
  int64_t per_page = -1;
};

GroupsPage ParsePage(const CallResult& result) {
  GroupsPage page;
  EXPECT_EQ(result.status, 200) << result.body.substr(0, 500);
  rapidjson::Document doc = result.Json();
  if (!doc.IsObject()) return page;
  page.next = StringMember(doc, "next");
  page.previous = StringMember(doc, "previous");
  page.total = doc["total"].GetInt64();
  page.per_page = doc["per_page"].GetInt64();
  for (const auto& group : doc["results"].GetArray()) {
    page.ids.push_back(StringMember(group, "id"));
    EXPECT_FALSE(group.HasMember("files")) << "listings carry no files";
  }
  return page;
}

class EmulatorGroupsTest : public testing::EmulatorTest {
 protected:
  void SetUp() override { StartEmulator(TestOptions(kSeedFiles)); }

  std::vector<std::string> SeededIds() const {
    std::vector<std::string> ids;
    for (const v1::Group& group : emulator_->Groups(kPublicKey)) {
      ids.push_back(group.id());
    }
    return ids;
  }

  // Every id, following `next` from `first`.
  std::vector<std::string> Walk(const std::string& first,
                                const CallOptions& options = {}) {
    std::vector<std::string> ids;
    GroupsPage page = ParsePage(client_->Get(first, options));
    ids.insert(ids.end(), page.ids.begin(), page.ids.end());
    for (int pages = 1; !page.next.empty() && pages < 1000; ++pages) {
      page = ParsePage(client_->GetUrl(page.next, options));
      ids.insert(ids.end(), page.ids.begin(), page.ids.end());
    }
    return ids;
  }

  // A seeded group holding a removed file ("" when none does).
  std::string GroupWithRemovedFile() {
    for (const std::string& id : SeededIds()) {
      rapidjson::Document doc =
          client_->Get(absl::StrCat("/groups/", id, "/")).Json();
      for (const auto& entry : doc["files"].GetArray()) {
        if (entry.IsNull()) return id;
      }
    }
    return "";
  }
};

TEST_F(EmulatorGroupsTest, SeedsAboutOneGroupPerTwentyFiles) {
  std::vector<v1::Group> groups = emulator_->Groups(kPublicKey);
  EXPECT_EQ(groups.size(), kSeedFiles / 20);
  for (const v1::Group& group : groups) {
    EXPECT_GE(group.files_count(), 1);
    EXPECT_LE(group.files_count(), 10);
    EXPECT_TRUE(
        absl::EndsWith(group.id(), absl::StrCat("~", group.files_count())))
        << group.id();
  }
}

TEST_F(EmulatorGroupsTest, ListingWalksEveryGroupOnceInBothOrders) {
  std::vector<std::string> expected = SeededIds();
  for (int limit : {1, 3, 7, 100}) {
    std::vector<std::string> ids = Walk(absl::StrCat("/groups/?limit=", limit));
    EXPECT_EQ(ids, expected) << "limit " << limit;
    std::vector<std::string> reversed = Walk(
        absl::StrCat("/groups/?limit=", limit, "&ordering=-datetime_created"));
    EXPECT_EQ(reversed,
              std::vector<std::string>(expected.rbegin(), expected.rend()))
        << "limit " << limit;
  }
}

TEST_F(EmulatorGroupsTest, PagesLinkBothWaysWithAbsoluteUrls) {
  GroupsPage first = ParsePage(client_->Get("/groups/?limit=4"));
  EXPECT_EQ(first.total, kSeedFiles / 20);
  EXPECT_EQ(first.per_page, 4);
  EXPECT_TRUE(first.previous.empty());
  ASSERT_TRUE(absl::StartsWith(
      first.next, absl::StrCat(emulator_->base_url(), "/groups/?")))
      << first.next;
  EXPECT_THAT(first.next, HasSubstr("from="));
  GroupsPage second = ParsePage(client_->GetUrl(first.next));
  ASSERT_FALSE(second.previous.empty());
  EXPECT_THAT(second.previous, HasSubstr("to="));
  GroupsPage back = ParsePage(client_->GetUrl(second.previous));
  EXPECT_EQ(back.ids, first.ids);
}

TEST_F(EmulatorGroupsTest, FromStartsAfterTheGivenTime) {
  std::vector<v1::Group> groups = emulator_->Groups(kPublicKey);
  ASSERT_GT(groups.size(), 10u);
  // The created time of group 9, as a query value.
  const v1::Group& pivot = groups[9];
  absl::Time created =
      absl::FromUnixSeconds(pivot.datetime_created().seconds()) +
      absl::Nanoseconds(pivot.datetime_created().nanos());
  std::string from =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", created, absl::UTCTimeZone());
  GroupsPage page =
      ParsePage(client_->Get(absl::StrCat("/groups/?limit=1000&from=", from)));
  ASSERT_FALSE(page.ids.empty());
  for (const std::string& id : page.ids) {
    for (size_t i = 0; i <= 9; ++i) EXPECT_NE(id, groups[i].id());
  }
  EXPECT_EQ(page.ids.back(), groups.back().id());
}

TEST_F(EmulatorGroupsTest, ListingRefusesBadParametersTogether) {
  CallResult result =
      client_->Get("/groups/?limit=0&ordering=size&from=yesterday");
  EXPECT_EQ(result.status, 400);
  rapidjson::Document doc = result.Json();
  ASSERT_TRUE(doc.IsObject()) << result.body;
  EXPECT_TRUE(doc.HasMember("limit"));
  EXPECT_EQ(std::string(doc["ordering"][0].GetString()),
            "\"size\" is not a valid choice.");
  EXPECT_TRUE(doc.HasMember("from"));
  EXPECT_EQ(client_->Get("/groups/?limit=1001").status, 400);
  EXPECT_EQ(ParsePage(client_->Get("/groups/?limit=1000")).ids.size(),
            kSeedFiles / 20);
}

TEST_F(EmulatorGroupsTest, InfoCarriesFilesWithRemovedOnesAsNull) {
  std::string id = GroupWithRemovedFile();
  ASSERT_FALSE(id.empty()) << "the seed must hold a group with a removed file";
  for (ApiVersion version : {ApiVersion::kV06, ApiVersion::kV07}) {
    CallResult result =
        client_->Get(absl::StrCat("/groups/", id, "/"), Version(version));
    ASSERT_EQ(result.status, 200) << result.body;
    rapidjson::Document doc = result.Json();
    EXPECT_EQ(StringMember(doc, "id"), id);
    EXPECT_EQ(StringMember(doc, "url"),
              absl::StrCat(emulator_->base_url(), "/groups/", id, "/"));
    EXPECT_EQ(StringMember(doc, "cdn_url"),
              absl::StrCat("https://ucarecdn.com/", id, "/"));
    const auto& files = doc["files"];
    ASSERT_EQ(static_cast<int64_t>(files.Size()),
              doc["files_count"].GetInt64());
    int nulls = 0;
    for (const auto& entry : files.GetArray()) {
      if (entry.IsNull()) {
        ++nulls;
        continue;
      }
      // The file shape follows the version: v0.6 image_info, v0.7
      // content_info.
      EXPECT_EQ(entry.HasMember("content_info"), version == ApiVersion::kV07);
      EXPECT_EQ(entry.HasMember("image_info"), version == ApiVersion::kV06);
    }
    EXPECT_GE(nulls, 1);
  }
}

TEST_F(EmulatorGroupsTest, UnknownOrMalformedIdsAreNotFound) {
  std::string id = SeededIds().front();
  std::string wrong_count = id.substr(0, id.find('~')) + "~11";
  for (const std::string& bad :
       {wrong_count, std::string("nonexistent"),
        std::string("00000000-0000-4000-8000-000000000000~1")}) {
    CallResult result = client_->Get(absl::StrCat("/groups/", bad, "/"));
    EXPECT_EQ(result.status, 404) << bad;
    EXPECT_EQ(DetailOf(result), "Not found.");
    EXPECT_EQ(
        client_->Call("DELETE", absl::StrCat("/groups/", bad, "/")).status,
        404);
  }
  // Ids are case-insensitive, as UUIDs are.
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_EQ(client_->Get(absl::StrCat("/groups/", upper, "/")).status, 200);
}

TEST_F(EmulatorGroupsTest, DeleteRemovesTheGroupButNotItsFiles) {
  std::string id = SeededIds()[3];
  rapidjson::Document before =
      client_->Get(absl::StrCat("/groups/", id, "/")).Json();
  std::vector<std::string> uuids;
  for (const auto& entry : before["files"].GetArray()) {
    if (!entry.IsNull()) uuids.push_back(StringMember(entry, "uuid"));
  }
  ASSERT_FALSE(uuids.empty());

  CallResult deleted =
      client_->Call("DELETE", absl::StrCat("/groups/", id, "/"));
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(client_->Get(absl::StrCat("/groups/", id, "/")).status, 404);
  EXPECT_EQ(client_->Call("DELETE", absl::StrCat("/groups/", id, "/")).status,
            404);
  std::vector<std::string> listed = Walk("/groups/?limit=1000");
  EXPECT_EQ(listed.size(), kSeedFiles / 20 - 1);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), id), 0);
  for (const std::string& uuid : uuids) {
    CallResult file = client_->Get(absl::StrCat("/files/", uuid, "/"));
    EXPECT_EQ(file.status, 200);
    EXPECT_TRUE(file.Json()["datetime_removed"].IsNull());
  }
}

TEST_F(EmulatorGroupsTest, V06StoreStoresEveryFileAndAnswersTheGroup) {
  std::string id = GroupWithRemovedFile();
  ASSERT_FALSE(id.empty());
  CallResult result =
      client_->Call("PUT", absl::StrCat("/groups/", id, "/storage/"), "",
                    Version(ApiVersion::kV06));
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document doc = result.Json();
  EXPECT_EQ(StringMember(doc, "id"), id);
  EXPECT_FALSE(doc["datetime_stored"].IsNull());
  int nulls = 0;
  for (const auto& entry : doc["files"].GetArray()) {
    if (entry.IsNull()) {
      ++nulls;  // a removed file stays removed
      continue;
    }
    EXPECT_FALSE(entry["datetime_stored"].IsNull())
        << StringMember(entry, "uuid");
  }
  EXPECT_GE(nulls, 1);
  // The group shows as stored in v0.6 and never in v0.7.
  EXPECT_FALSE(
      client_->Get(absl::StrCat("/groups/", id, "/"), Version(ApiVersion::kV06))
          .Json()["datetime_stored"]
          .IsNull());
  EXPECT_TRUE(client_->Get(absl::StrCat("/groups/", id, "/"))
                  .Json()["datetime_stored"]
                  .IsNull());
}

TEST_F(EmulatorGroupsTest, V07HasNoGroupStorage) {
  std::string id = SeededIds().front();
  CallResult result =
      client_->Call("PUT", absl::StrCat("/groups/", id, "/storage/"));
  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(DetailOf(result), "Not found.");
  // Nothing was stored.
  rapidjson::Document doc =
      client_->Get(absl::StrCat("/groups/", id, "/"), Version(ApiVersion::kV06))
          .Json();
  EXPECT_TRUE(doc["datetime_stored"].IsNull());
}

TEST_F(EmulatorGroupsTest, V06StoreOfAnUnknownGroupIsNotFound) {
  EXPECT_EQ(
      client_
          ->Call("PUT",
                 "/groups/00000000-0000-4000-8000-000000000000~1/storage/", "",
                 Version(ApiVersion::kV06))
          .status,
      404);
}

}  // namespace
}  // namespace ucgate::emulator
