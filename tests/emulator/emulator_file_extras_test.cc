// Metadata, tags and search in the emulator: stored on the file (file info
// shows the metadata), the service's status codes and error shapes.
#include <memory>
#include <string>
#include <vector>

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

TEST_F(EmulatorFileExtrasTest, TagsReplaceAndPatch) {
  EXPECT_EQ(client_->Get(Path("tags/"), Signed()).body, "[]");
  CallResult replaced =
      client_->Call("PUT", Path("tags/"), R"(["b","a","b"])", Signed());
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.body, R"(["a","b"])");
  CallResult patched = client_->Call(
      "PATCH", Path("tags/"), R"({"add":["c"],"remove":["a","zz"]})", Signed());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.body, R"(["b","c"])");
  EXPECT_EQ(client_->Get(Path("tags/"), Signed(ApiVersion::kV06)).body,
            R"(["b","c"])");

  CallResult bad =
      client_->Call("PUT", Path("tags/"), R"(["ok","no/slash"])", Signed());
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.Json()["tags"].IsArray()) << bad.body;
  CallResult bad_patch =
      client_->Call("PATCH", Path("tags/"), R"({"add":[""]})", Signed());
  EXPECT_EQ(bad_patch.status, 400);
  EXPECT_TRUE(bad_patch.Json()["add"].IsArray()) << bad_patch.body;
  std::string many = "[";
  for (int i = 0; i < 51; ++i)
    absl::StrAppend(&many, i ? "," : "", "\"t", i, "\"");
  many.push_back(']');
  EXPECT_EQ(client_->Call("PUT", Path("tags/"), many, Signed()).status, 400);
  EXPECT_EQ(client_->Get(Path("tags/"), Signed()).body, R"(["b","c"])");

  EXPECT_EQ(
      client_->Get(absl::StrCat("/files/", kUnknownUuid, "/tags/"), Signed())
          .status,
      404);
}

TEST_F(EmulatorFileExtrasTest, SearchFiltersAndPages) {
  v1::File second;
  second.set_original_filename("kitten-zq-2.png");
  second.set_mime_type("image/png");
  clock_->Advance(absl::Seconds(1));
  std::string second_uuid = emulator_->AddFile(kPublicKey, second).uuid();
  ASSERT_EQ(client_->Call("PUT", Path("tags/"), R"(["pets"])", Signed()).status,
            200);
  ASSERT_EQ(
      client_->Call("PUT", Path("metadata/kind/"), R"("cat")", Signed()).status,
      201);

  // Newest first, case-insensitive name match.
  CallResult both =
      client_->Call("POST", "/files/search/",
                    R"({"filename_contains":"KITTEN-ZQ"})", Signed());
  ASSERT_EQ(both.status, 200) << both.body;
  rapidjson::Document page = both.Json();
  EXPECT_EQ(page["total"].GetInt64(), 2);
  EXPECT_TRUE(page["next_cursor"].IsNull());
  ASSERT_EQ(page["results"].Size(), 2u);
  EXPECT_EQ(StringMember(page["results"][0], "uuid"), second_uuid);
  EXPECT_EQ(StringMember(page["results"][1], "uuid"), uuid_);

  for (const char* filter :
       {R"({"filename_contains":"zq","mime_type":"image/jpeg"})",
        R"({"filename_contains":"zq","tags":["pets"]})",
        R"({"filename_contains":"zq","metadata":{"kind":"cat"}})"}) {
    rapidjson::Document one =
        client_->Call("POST", "/files/search/", filter, Signed()).Json();
    ASSERT_TRUE(one.IsObject()) << filter;
    EXPECT_EQ(one["total"].GetInt64(), 1) << filter;
    EXPECT_EQ(StringMember(one["results"][0], "uuid"), uuid_) << filter;
  }
  rapidjson::Document images =
      client_
          ->Call(
              "POST", "/files/search/",
              R"({"filename_contains":"zq","mime_type":"image/*","stored":false})",
              Signed())
          .Json();
  EXPECT_EQ(images["total"].GetInt64(), 2);

  // Paging with the opaque cursor.
  rapidjson::Document first =
      client_
          ->Call("POST", "/files/search/",
                 R"({"filename_contains":"zq","limit":1})", Signed())
          .Json();
  ASSERT_TRUE(first["next_cursor"].IsString());
  std::string cursor = StringMember(first, "next_cursor");
  rapidjson::Document next =
      client_
          ->Call(
              "POST", "/files/search/",
              absl::StrCat(R"({"filename_contains":"zq","limit":1,"cursor":")",
                           cursor, "\"}"),
              Signed())
          .Json();
  EXPECT_EQ(StringMember(next["results"][0], "uuid"), uuid_);
  EXPECT_TRUE(next["next_cursor"].IsNull());
}

TEST_F(EmulatorFileExtrasTest, SearchValidation) {
  CallResult bad =
      client_->Call("POST", "/files/search/",
                    R"({"limit":0,"cursor":"junk","tags":[1]})", Signed());
  ASSERT_EQ(bad.status, 400);
  rapidjson::Document errors = bad.Json();
  EXPECT_TRUE(errors["limit"].IsArray()) << bad.body;
  EXPECT_TRUE(errors["cursor"].IsArray()) << bad.body;
  EXPECT_TRUE(errors["tags"].IsArray()) << bad.body;
  EXPECT_EQ(client_->Call("POST", "/files/search/", "{nope", Signed()).status,
            400);
}

}  // namespace
}  // namespace ucgate::emulator
