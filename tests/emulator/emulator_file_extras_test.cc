// Metadata, tags and search in the emulator, on the service's protocol:
// stored on the file (file info shows metadata and tags), tag normalization,
// the search conditions, sort, highlight and paging, the service's status
// codes and error shapes.
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/clock.h"
#include "service/emulator/emulator.h"
#include "tests/testing_util/emulator_test_client.h"

namespace ucgate::emulator {
namespace {

constexpr char kUnknownUuid[] = "00000000-0000-4000-8000-000000000000";

class EmulatorFileExtrasTest : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions options = TestOptions(50);
    options.clock = clock_;
    StartEmulator(options);
    v1::File file;
    file.set_original_filename("Kitten-zq.JPEG");
    file.set_mime_type("image/jpeg");
    file.set_size(10);
    uuid_ = emulator_->AddFile(kPublicKey, file).uuid();
  }

  CallOptions Signed(ApiVersion version = ApiVersion::kV07) {
    CallOptions options;
    options.date = clock_->Now();
    options.version = version;
    return options;
  }

  std::string Path(absl::string_view tail) {
    return absl::StrCat("/files/", uuid_, "/", tail);
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(
      absl::FromUnixMicros(int64_t{1716906347123456}));
  std::string uuid_;
};

TEST_F(EmulatorFileExtrasTest, MetadataLifecycle) {
  CallResult empty = client_->Get(Path("metadata/"), Signed());
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.body, "{}");

  CallResult put =
      client_->Call("PUT", Path("metadata/subsystem/"), R"("test")", Signed());
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.body, R"("test")");
  put = client_->Call("PUT", Path("metadata/subsystem/"), R"("new value")",
                      Signed());
  EXPECT_EQ(put.status, 201) << put.body;

  CallResult one = client_->Get(Path("metadata/subsystem/"), Signed());
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body, R"("new value")");
  EXPECT_EQ(client_->Get(Path("metadata/"), Signed()).body,
            R"({"subsystem":"new value"})");
  // File info shows it.
  rapidjson::Document file = client_->Get(Path(""), Signed()).Json();
  EXPECT_EQ(StringMember(file["metadata"], "subsystem"), "new value");

  CallResult deleted =
      client_->Call("DELETE", Path("metadata/subsystem/"), "", Signed());
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  CallResult gone = client_->Get(Path("metadata/subsystem/"), Signed());
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(DetailOf(gone), "Not found.");
  EXPECT_EQ(
      client_->Call("DELETE", Path("metadata/subsystem/"), "", Signed()).status,
      404);
}

TEST_F(EmulatorFileExtrasTest, MetadataErrors) {
  CallResult unknown = client_->Get(
      absl::StrCat("/files/", kUnknownUuid, "/metadata/"), Signed());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(DetailOf(unknown), "Not found.");

  CallResult bad_key =
      client_->Call("PUT", Path("metadata/bad%20key/"), R"("v")", Signed());
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_TRUE(bad_key.Json()["key"].IsArray()) << bad_key.body;

  CallResult not_string =
      client_->Call("PUT", Path("metadata/k/"), R"({"v":1})", Signed());
  EXPECT_EQ(not_string.status, 400);
  EXPECT_TRUE(not_string.Json()["value"].IsArray()) << not_string.body;

  CallResult too_long =
      client_->Call("PUT", Path("metadata/k/"),
                    absl::StrCat("\"", std::string(513, 'v'), "\""), Signed());
  EXPECT_EQ(too_long.status, 400);

  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(client_
                  ->Call("PUT", Path(absl::StrCat("metadata/k", i, "/")),
                         R"("v")", Signed())
                  .status,
              201);
  }
  CallResult fifty_first =
      client_->Call("PUT", Path("metadata/one-more/"), R"("v")", Signed());
  EXPECT_EQ(fifty_first.status, 400) << fifty_first.body;
  // Replacing an existing key is still fine at the limit.
  EXPECT_EQ(
      client_->Call("PUT", Path("metadata/k0/"), R"("w")", Signed()).status,
      201);

  // v0.6 has no metadata.
  EXPECT_EQ(client_->Get(Path("metadata/"), Signed(ApiVersion::kV06)).status,
            404);
}

TEST_F(EmulatorFileExtrasTest, TagsAreNormalizedAndReportTheirChanges) {
  EXPECT_EQ(client_->Get(Path("tags/"), Signed()).body, R"({"tags":[]})");
  // Lowercased, trimmed, empty ones and repeats dropped, order kept.
  CallResult put =
      client_->Call("PUT", Path("tags/"),
                    R"({"tags":["Zebra"," cat ","","zebra","b.1"]})", Signed());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body,
            R"({"tags":["zebra","cat","b.1"],"added":["b.1","cat","zebra"],)"
            R"("deleted":[]})");
  // Delete first, then add: "cat" goes and comes back last.
  CallResult patch = client_->Call(
      "PATCH", Path("tags/"),
      R"({"add":["dog","cat"],"delete":["cat","zebra","nope"]})", Signed());
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(patch.body, R"({"tags":["b.1","dog","cat"],"added":["dog"],)"
                        R"("deleted":["zebra"]})");
  EXPECT_EQ(client_->Call("PATCH", Path("tags/"), "{}", Signed()).body,
            R"({"tags":["b.1","dog","cat"],"added":[],"deleted":[]})");
  // File info carries them.
  EXPECT_EQ(client_->Get(Path(""), Signed()).Json()["tags"].Size(), 3u);
  EXPECT_EQ(
      client_->Call("PUT", Path("tags/"), R"({"tags":[]})", Signed()).body,
      R"({"tags":[],"added":[],"deleted":["b.1","cat","dog"]})");
}

TEST_F(EmulatorFileExtrasTest, TagsRefuseWhatTheServiceRefuses) {
  // The body is {"tags": [...]}, not a bare list.
  CallResult bare = client_->Call("PUT", Path("tags/"), R"(["a"])", Signed());
  EXPECT_EQ(bare.status, 400) << bare.body;
  CallResult not_list =
      client_->Call("PUT", Path("tags/"), R"({"tags":"a"})", Signed());
  ASSERT_EQ(not_list.status, 400);
  EXPECT_EQ(std::string(not_list.Json()["tags"][0].GetString()),
            "Expected a list of items.");
  for (const char* body :
       {R"({"tags":["no/slash"]})", R"({"tags":["ünï"]})", R"({"tags":[1]})"}) {
    EXPECT_EQ(client_->Call("PUT", Path("tags/"), body, Signed()).status, 400)
        << body;
  }
  EXPECT_EQ(
      client_
          ->Call("PUT", Path("tags/"),
                 absl::StrCat(R"({"tags":[")", std::string(101, 'a'), R"("]})"),
                 Signed())
          .status,
      400);
  std::string many = R"({"tags":[)";
  for (int i = 0; i < 51; ++i)
    absl::StrAppend(&many, i ? "," : "", "\"t", i, "\"");
  many += "]}";
  EXPECT_EQ(client_->Call("PUT", Path("tags/"), many, Signed()).status, 400);
  // v0.6 has no tags; unknown files are 404.
  EXPECT_EQ(client_->Get(Path("tags/"), Signed(ApiVersion::kV06)).status, 404);
  EXPECT_EQ(
      client_->Get(absl::StrCat("/files/", kUnknownUuid, "/tags/"), Signed())
          .status,
      404);
}

class EmulatorSearchTest : public EmulatorFileExtrasTest {
 protected:
  void SetUp() override {
    EmulatorFileExtrasTest::SetUp();  // "Kitten-zq.JPEG", an image, 10 bytes
    v1::File photo;
    photo.set_original_filename("beach-holiday.png");
    photo.set_mime_type("image/png");
    photo.set_is_image(true);
    photo.set_size(5000);
    (*photo.mutable_metadata())["camera"] = "Canon";
    (*photo.mutable_metadata())["trip"] = "Summer holiday";
    photo.add_tags("pets");
    clock_->Advance(absl::Seconds(1));
    photo_ = emulator_->AddFile(kPublicKey, photo).uuid();
    v1::File report;
    report.set_original_filename("holiday-report.pdf");
    report.set_mime_type("application/pdf");
    report.set_is_image(false);
    report.set_size(90000);
    report.add_tags("work");
    clock_->Advance(absl::Seconds(1));
    report_ = emulator_->AddFile(kPublicKey, report).uuid();
    for (const std::string& uuid : {uuid_, photo_, report_}) {
      ASSERT_EQ(client_
                    ->Call("PATCH", absl::StrCat("/files/", uuid, "/tags/"),
                           R"({"add":["mine"]})", Signed())
                    .status,
                200);
    }
  }

  // POST /files/search/ of `body`, narrowed to the three files above (the
  // project also holds seeded files) unless it has tag conditions itself.
  rapidjson::Document Search(std::string body, const std::string& query = "") {
    if (!absl::StrContains(body, "\"tags\"")) {
      body.insert(1, R"("tags":{"all":["mine"]},)");
    }
    CallResult result = client_->Call(
        "POST", absl::StrCat("/files/search/", query), body, Signed());
    EXPECT_EQ(result.status, 200) << body << " -> " << result.body;
    return result.Json();
  }

  static std::vector<std::string> Uuids(const rapidjson::Document& page) {
    std::vector<std::string> uuids;
    for (const auto& result : page["results"].GetArray()) {
      uuids.push_back(StringMember(result, "uuid"));
    }
    return uuids;
  }

  std::string photo_, report_;
};

TEST_F(EmulatorSearchTest, ConditionsCombineWithAnd) {
  using ::testing::ElementsAre;
  using ::testing::UnorderedElementsAre;
  // query: name, metadata, MIME type; is_image narrows it.
  EXPECT_THAT(Uuids(Search(R"({"query":"HOLIDAY"})")),
              UnorderedElementsAre(photo_, report_));
  EXPECT_THAT(Uuids(Search(R"({"query":"holiday","is_image":true})")),
              ElementsAre(photo_));
  EXPECT_THAT(Uuids(Search(R"({"query":"holiday","is_image":false})")),
              ElementsAre(report_));
  EXPECT_THAT(Uuids(Search(R"({"phrase":{"metadata":"summer"}})")),
              ElementsAre(photo_));
  EXPECT_THAT(
      Uuids(Search(R"({"exact":{"metadata[camera]":["Nikon","Canon"]}})")),
      ElementsAre(photo_));
  EXPECT_THAT(
      Uuids(Search(R"({"exact":{"detected_mime_type":["application/pdf"]}})")),
      ElementsAre(report_));
  EXPECT_THAT(
      Uuids(Search(absl::StrCat(R"({"exact":{"uuid":[")", uuid_, R"("]}})"))),
      ElementsAre(uuid_));
  EXPECT_THAT(Uuids(Search(R"({"size":{"gt":10,"lte":5000}})")),
              ElementsAre(photo_));
  EXPECT_THAT(
      Uuids(Search(R"({"tags":{"any":["PETS","work"],"none":["work"]}})")),
      ElementsAre(photo_));
  EXPECT_THAT(Uuids(Search(R"({"tags":{"all":["pets","work"]}})")),
              ::testing::IsEmpty());
  // Uploaded after the first file (which came at ...347.123456).
  EXPECT_THAT(
      Uuids(Search(R"({"datetime_uploaded":{"gt":"2024-05-28T14:25:47.500Z"},)"
                   R"("sort":["datetime_uploaded"]})")),
      ElementsAre(photo_, report_));
  // A typo matches only with fuzziness.
  EXPECT_THAT(Uuids(Search(R"({"query":"holidey"})")), ::testing::IsEmpty());
  EXPECT_THAT(Uuids(Search(R"({"query":"holidey","fuzziness":true})")),
              UnorderedElementsAre(photo_, report_));
}

TEST_F(EmulatorSearchTest, SortsHighlightsAndPages) {
  using ::testing::ElementsAre;
  EXPECT_THAT(Uuids(Search(R"({"size":{"gte":0},"sort":["-size"]})")),
              ElementsAre(report_, photo_, uuid_));
  EXPECT_THAT(
      Uuids(Search(R"({"size":{"gte":0},"sort":["original_filename"]})")),
      ElementsAre(uuid_, photo_, report_));  // "K" < "b" < "h"
  // Relevance: the photo matches in its name and its metadata.
  rapidjson::Document ranked = Search(R"({"query":"holiday"})");
  ASSERT_THAT(Uuids(ranked), ElementsAre(photo_, report_));
  const auto& highlight = ranked["results"][0]["highlight"];
  EXPECT_EQ(std::string(highlight["original_filename"][0].GetString()),
            "beach-<em>holiday</em>.png");
  EXPECT_EQ(StringMember(highlight["metadata"], "trip"),
            "Summer <em>holiday</em>");
  // A filter-only match has an empty highlight.
  rapidjson::Document filtered = Search(R"({"is_image":false})");
  EXPECT_EQ(filtered["results"][0]["highlight"].MemberCount(), 0u);

  // limit/offset in the query; next and previous are URLs.
  rapidjson::Document first =
      Search(R"({"size":{"gte":0},"sort":["size"]})", "?limit=2");
  EXPECT_EQ(first["total"].GetInt64(), 3);
  EXPECT_EQ(first["per_page"].GetInt64(), 2);
  EXPECT_THAT(Uuids(first), ElementsAre(uuid_, photo_));
  ASSERT_TRUE(first["next"].IsString());
  EXPECT_THAT(StringMember(first, "next"),
              ::testing::EndsWith("/files/search/?limit=2&offset=2"));
  EXPECT_TRUE(first["previous"].IsNull());
  rapidjson::Document second =
      Search(R"({"size":{"gte":0},"sort":["size"]})", "?limit=2&offset=2");
  EXPECT_THAT(Uuids(second), ElementsAre(report_));
  EXPECT_TRUE(second["next"].IsNull());
  EXPECT_TRUE(second["previous"].IsString());
}

TEST_F(EmulatorSearchTest, RefusesWhatTheServiceRefuses) {
  for (const auto& [body, query, field] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"{}", "", "non_field_errors"},
           {R"({"query":"abc"})", "", "query"},
           {R"({"phrase":{"original_filename":"beach"},)"
            R"("exact":{"original_filename":["a.png"]}})",
            "", "exact"},
           {R"({"size":{}})", "", "size"},
           {R"({"is_image":"yes"})", "", "is_image"},
           {R"({"is_image":true,"sort":["colour"]})", "", "sort"},
           {R"({"is_image":true})", "?limit=101", "limit"},
           {R"({"is_image":true})", "?limit=100&offset=900", "offset"},
           {R"({"tags":{"any":["no/slash"]}})", "", "tags.any"}}) {
    CallResult result = client_->Call(
        "POST", absl::StrCat("/files/search/", query), body, Signed());
    ASSERT_EQ(result.status, 400) << body << query;
    EXPECT_TRUE(result.Json().HasMember(field.c_str()))
        << body << query << " -> " << result.body;
  }
  EXPECT_EQ(client_->Call("POST", "/files/search/", "{nope", Signed()).status,
            400);
  EXPECT_EQ(client_
                ->Call("POST", "/files/search/", R"({"is_image":true})",
                       Signed(ApiVersion::kV06))
                .status,
            404);
}

}  // namespace
}  // namespace ucgate::emulator
