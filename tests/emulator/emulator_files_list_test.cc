// GET /files/: cursor pagination over the seeded files (every file once, ties
// included), filters, ordering, validation and the v0.6/v0.7 shapes.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
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

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

struct Page {
  std::vector<std::string> uuids;
  std::string next;
  std::string previous;
  int64_t total = -1;
};

Page ParsePage(const CallResult& result) {
  Page page;
  rapidjson::Document doc = result.Json();
  EXPECT_EQ(result.status, 200) << result.body.substr(0, 500);
  if (!doc.IsObject()) return page;
  page.next = StringMember(doc, "next");
  page.previous = StringMember(doc, "previous");
  page.total = doc["total"].GetInt64();
  for (const auto& file : doc["results"].GetArray()) {
    page.uuids.push_back(StringMember(file, "uuid"));
  }
  return page;
}

std::vector<std::string> Uuids(const std::vector<v1::File>& files) {
  std::vector<std::string> uuids;
  for (const v1::File& file : files) uuids.push_back(file.uuid());
  return uuids;
}

class EmulatorFilesListTest : public testing::EmulatorTest {
 protected:
  void StartWith(EmulatorOptions options) { StartEmulator(std::move(options)); }
  void SetUp() override { StartWith(TestOptions(2500)); }

  // Follows `next` links from `first`; returns every page.
  std::vector<Page> Walk(const std::string& first,
                         const CallOptions& options = {}) {
    std::vector<Page> pages = {ParsePage(client_->Get(first, options))};
    while (!pages.back().next.empty() && pages.size() < 5000) {
      pages.push_back(ParsePage(client_->GetUrl(pages.back().next, options)));
    }
    return pages;
  }

  static std::vector<std::string> Concat(const std::vector<Page>& pages) {
    std::vector<std::string> all;
    for (const Page& page : pages) {
      all.insert(all.end(), page.uuids.begin(), page.uuids.end());
    }
    return all;
  }

  // Files the default listing shows (not removed), oldest first.
  std::vector<std::string> Listed() {
    std::vector<v1::File> files = emulator_->Files(kPublicKey);
    files.erase(std::remove_if(
                    files.begin(), files.end(),
                    [](const v1::File& f) { return f.has_datetime_removed(); }),
                files.end());
    return Uuids(files);
  }
};

TEST_F(EmulatorFilesListTest, SeedHasTiesToPaginateAcross) {
  std::vector<v1::File> files = emulator_->Files(kPublicKey);
  ASSERT_EQ(files.size(), 2500u);
  int ties = 0;
  for (size_t i = 1; i < files.size(); ++i) {
    if (files[i].datetime_uploaded().seconds() ==
            files[i - 1].datetime_uploaded().seconds() &&
        files[i].datetime_uploaded().nanos() ==
            files[i - 1].datetime_uploaded().nanos()) {
      ++ties;
    }
  }
  EXPECT_GT(ties, 50);
}

TEST_F(EmulatorFilesListTest, PagesThroughEveryFileOnceOldestFirst) {
  std::vector<Page> pages = Walk("/files/?limit=100");
  std::vector<std::string> all = Concat(pages);
  EXPECT_EQ(all, Listed());
  EXPECT_EQ(pages.front().total, static_cast<int64_t>(all.size()));
  EXPECT_TRUE(pages.front().previous.empty());
  EXPECT_TRUE(pages.back().next.empty());
}

TEST_F(EmulatorFilesListTest, PagesThroughEveryFileOnceNewestFirst) {
  std::vector<std::string> all =
      Concat(Walk("/files/?limit=250&ordering=-datetime_uploaded"));
  std::vector<std::string> expected = Listed();
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
}

TEST_F(EmulatorFilesListTest, SmallPagesSplitTiesWithoutSkippingOrRepeating) {
  // With pages of 3 some boundaries fall inside a run of equal timestamps:
  // their cursors carry an offset.
  std::vector<Page> pages = Walk("/files/?limit=3");
  EXPECT_EQ(Concat(pages), Listed());
  int offsets = 0;
  for (const Page& page : pages) {
    if (!page.next.empty() && !absl::StrContains(page.next, "offset=0")) {
      ++offsets;
    }
  }
  EXPECT_GT(offsets, 0);
}

TEST_F(EmulatorFilesListTest, ManyFilesSharingOneTimestamp) {
  StartWith(TestOptions(0));
  v1::File file;
  file.mutable_datetime_uploaded()->set_seconds(1600000000);
  file.mutable_datetime_uploaded()->set_nanos(123456000);
  std::vector<std::string> added;
  for (int i = 0; i < 7; ++i) {
    added.push_back(emulator_->AddFile(kPublicKey, file).uuid());
  }
  file.mutable_datetime_uploaded()->set_seconds(1600000001);
  added.push_back(emulator_->AddFile(kPublicKey, file).uuid());
  for (int limit : {1, 2, 3, 5}) {
    std::vector<Page> pages = Walk(absl::StrCat("/files/?limit=", limit));
    EXPECT_EQ(Concat(pages), added) << "limit " << limit;
    std::vector<std::string> descending(added.rbegin(), added.rend());
    EXPECT_EQ(Concat(Walk(absl::StrCat(
                  "/files/?ordering=-datetime_uploaded&limit=", limit))),
              descending)
        << "limit " << limit;
  }
}

TEST_F(EmulatorFilesListTest, PreviousLinksWalkBack) {
  for (const char* first :
       {"/files/?limit=7", "/files/?limit=4&ordering=-datetime_uploaded"}) {
    std::vector<Page> forward = {ParsePage(client_->Get(first))};
    for (int i = 0; i < 30; ++i) {
      forward.push_back(ParsePage(client_->GetUrl(forward.back().next)));
    }
    Page current = forward.back();
    for (int i = static_cast<int>(forward.size()) - 2; i >= 0; --i) {
      ASSERT_FALSE(current.previous.empty()) << first << " page " << i;
      current = ParsePage(client_->GetUrl(current.previous));
      EXPECT_EQ(current.uuids, forward[i].uuids) << first << " page " << i;
    }
    EXPECT_TRUE(current.previous.empty());
  }
}

TEST_F(EmulatorFilesListTest, LinksAreAbsoluteWithTheLiveQueryOrder) {
  CallResult result =
      client_->Get("/files/?limit=2&ordering=-datetime_uploaded");
  Page first = ParsePage(result);
  std::string base = emulator_->base_url();
  EXPECT_THAT(first.next,
              MatchesRegex(absl::StrCat(
                  base, "/files/\\?limit=2&ordering=-datetime_uploaded&from=",
                  "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}%3A[0-9]{2}%3A[0-9.]+",
                  "%2B00%3A00&offset=0")));
  Page second = ParsePage(client_->GetUrl(first.next));
  EXPECT_THAT(second.previous,
              MatchesRegex(absl::StrCat(
                  base, "/files/\\?limit=2&ordering=-datetime_uploaded&",
                  "offset=0&to=.*%2B00%3A00")));
}

TEST_F(EmulatorFilesListTest, LinksUseThePublicBaseUrl) {
  EmulatorOptions options = TestOptions(10);
  options.public_base_url = "https://api.example.test/";
  StartWith(options);
  CallResult result = client_->Get("/files/?limit=2");
  rapidjson::Document doc = result.Json();
  EXPECT_THAT(
      StringMember(doc, "next"),
      ::testing::StartsWith("https://api.example.test/files/?limit=2&"));
  EXPECT_THAT(StringMember(doc["results"][0], "url"),
              ::testing::StartsWith("https://api.example.test/files/"));
}

TEST_F(EmulatorFilesListTest, FromStartsStrictlyAfterTheGivenTime) {
  std::vector<std::string> listed = Listed();
  std::vector<v1::File> files = emulator_->Files(kPublicKey);
  // A file whose successor has a later timestamp.
  size_t index = 10;
  while (files[index].datetime_uploaded().seconds() ==
             files[index + 1].datetime_uploaded().seconds() ||
         files[index].has_datetime_removed() ||
         files[index + 1].has_datetime_removed()) {
    ++index;
  }
  CallResult one =
      client_->Get(absl::StrCat("/files/", files[index].uuid(), "/"));
  std::string uploaded = StringMember(one.Json(), "datetime_uploaded");
  Page page =
      ParsePage(client_->Get(absl::StrCat("/files/?limit=1&from=", uploaded)));
  ASSERT_EQ(page.uuids.size(), 1u);
  EXPECT_EQ(page.uuids[0], files[index + 1].uuid());
}

TEST_F(EmulatorFilesListTest, FiltersByStoredAndRemoved) {
  rapidjson::Document doc = client_->Get("/files/?limit=1").Json();
  int64_t removed = doc["totals"]["removed"].GetInt64();
  int64_t stored = doc["totals"]["stored"].GetInt64();
  int64_t unstored = doc["totals"]["unstored"].GetInt64();
  EXPECT_EQ(removed + stored + unstored, 2500);
  EXPECT_GT(removed, 0);
  EXPECT_GT(stored, 0);
  EXPECT_GT(unstored, 0);
  EXPECT_EQ(doc["total"].GetInt64(), stored + unstored);

  struct Case {
    const char* query;
    int64_t total;
    bool removed;
    std::optional<bool> stored;
  };
  for (const Case& c :
       {Case{"stored=true", stored, false, true},
        Case{"stored=false", unstored, false, false},
        Case{"removed=true", removed, true, std::nullopt},
        Case{"removed=false&stored=true", stored, false, true}}) {
    std::vector<Page> pages =
        Walk(absl::StrCat("/files/?limit=1000&", c.query));
    EXPECT_EQ(pages.front().total, c.total) << c.query;
    EXPECT_EQ(static_cast<int64_t>(Concat(pages).size()), c.total) << c.query;
    rapidjson::Document first =
        client_->Get(absl::StrCat("/files/?limit=50&", c.query)).Json();
    for (const auto& file : first["results"].GetArray()) {
      EXPECT_EQ(!file["datetime_removed"].IsNull(), c.removed) << c.query;
      if (c.stored) {
        EXPECT_EQ(!file["datetime_stored"].IsNull(), *c.stored) << c.query;
      }
    }
  }
}

TEST_F(EmulatorFilesListTest, ValidatesLimit) {
  struct Case {
    const char* limit;
    const char* message;
  };
  for (const Case& c :
       {Case{"0", "Ensure this value is greater than or equal to 1."},
        Case{"1001", "Ensure this value is less than or equal to 1000."},
        Case{"many", "A valid integer is required."},
        Case{"", "A valid integer is required."}}) {
    CallResult result = client_->Get(absl::StrCat("/files/?limit=", c.limit));
    EXPECT_EQ(result.status, 400) << c.limit;
    EXPECT_EQ(result.body, absl::StrCat("{\"limit\":[\"", c.message, "\"]}"))
        << c.limit;
  }
  rapidjson::Document doc = client_->Get("/files/").Json();
  EXPECT_EQ(doc["per_page"].GetInt(), 100);
  EXPECT_EQ(doc["results"].Size(), 100u);
  doc = client_->Get("/files/?limit=1000").Json();
  EXPECT_EQ(doc["per_page"].GetInt(), 1000);
  EXPECT_EQ(doc["results"].Size(), 1000u);
}

TEST_F(EmulatorFilesListTest, ValidatesOrderingFromAndFlagsTogether) {
  CallResult result =
      client_->Get("/files/?ordering=size&from=yesterday&stored=maybe");
  EXPECT_EQ(result.status, 400);
  rapidjson::Document doc = result.Json();
  ASSERT_TRUE(doc.IsObject()) << result.body;
  EXPECT_STREQ(doc["ordering"][0].GetString(),
               "\"size\" is not a valid choice.");
  EXPECT_THAT(doc["from"][0].GetString(),
              HasSubstr("Datetime has wrong format."));
  EXPECT_STREQ(doc["stored"][0].GetString(), "Must be a valid boolean.");
}

TEST_F(EmulatorFilesListTest, VersionSixOrdersBySize) {
  CallOptions v06;
  v06.version = ApiVersion::kV06;
  for (const char* ordering : {"size", "-size"}) {
    std::vector<int64_t> sizes;
    std::string url = absl::StrCat("/files/?limit=400&ordering=", ordering);
    CallResult result = client_->Get(url, v06);
    while (true) {
      ASSERT_EQ(result.status, 200) << result.body;
      rapidjson::Document doc = result.Json();
      for (const auto& file : doc["results"].GetArray()) {
        sizes.push_back(file["size"].GetInt64());
      }
      std::string next = StringMember(doc, "next");
      if (next.empty()) break;
      result = client_->GetUrl(next, v06);
    }
    EXPECT_EQ(sizes.size(), Listed().size()) << ordering;
    if (ordering[0] == '-') std::reverse(sizes.begin(), sizes.end());
    EXPECT_TRUE(std::is_sorted(sizes.begin(), sizes.end())) << ordering;
  }
}

std::vector<std::string> Keys(const rapidjson::Value& object) {
  std::vector<std::string> keys;
  for (const auto& member : object.GetObject()) {
    keys.emplace_back(member.name.GetString());
  }
  return keys;
}

TEST_F(EmulatorFilesListTest, AnswersInVersionSevenShape) {
  rapidjson::Document doc = client_->Get("/files/?limit=200").Json();
  EXPECT_THAT(Keys(doc), ElementsAre("next", "previous", "total", "totals",
                                     "per_page", "results"));
  EXPECT_THAT(Keys(doc["totals"]),
              ElementsAre("removed", "stored", "unstored"));
  for (const auto& file : doc["results"].GetArray()) {
    EXPECT_TRUE(file.HasMember("content_info"));
    EXPECT_TRUE(file.HasMember("metadata"));
    EXPECT_FALSE(file.HasMember("image_info"));
    EXPECT_FALSE(file.HasMember("appdata"));
  }
  doc = client_->Get("/files/?limit=200&include=appdata").Json();
  int with_appdata = 0;
  for (const auto& file : doc["results"].GetArray()) {
    ASSERT_TRUE(file.HasMember("appdata"));
    with_appdata +=
        file["appdata"].IsObject() && file["appdata"].MemberCount() > 0;
  }
  EXPECT_GT(with_appdata, 0);
}

TEST_F(EmulatorFilesListTest, AnswersInVersionSixShape) {
  CallOptions v06;
  v06.version = ApiVersion::kV06;
  rapidjson::Document doc = client_->Get("/files/?limit=300", v06).Json();
  ASSERT_TRUE(doc.IsObject());
  int images = 0;
  int videos = 0;
  for (const auto& file : doc["results"].GetArray()) {
    EXPECT_FALSE(file.HasMember("content_info"));
    EXPECT_FALSE(file.HasMember("rekognition_info"));
    ASSERT_TRUE(file.HasMember("image_info"));
    images += file["image_info"].IsObject();
    videos += file.HasMember("video_info") && file["video_info"].IsObject();
  }
  EXPECT_GT(images, 0);
  EXPECT_GT(videos, 0);
  doc =
      client_->Get("/files/?limit=300&add_fields=rekognition_info", v06).Json();
  int labelled = 0;
  for (const auto& file : doc["results"].GetArray()) {
    ASSERT_TRUE(file.HasMember("rekognition_info"));
    labelled += file["rekognition_info"].IsObject();
  }
  EXPECT_GT(labelled, 0);
}

}  // namespace
}  // namespace ucgate::emulator
