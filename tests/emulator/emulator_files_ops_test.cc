// Single-file and batch store/delete, copies, and their errors.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/clock.h"
#include "service/emulator/emulator.h"
#include "tests/testing_util/emulator_test_client.h"

namespace ucgate::emulator {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kUnknownUuid[] = "00000000-0000-4000-8000-000000000000";

class EmulatorFilesOpsTest : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions options = TestOptions(300);
    options.clock = clock_;
    options.projects[0].custom_storage = "backup-bucket";
    StartEmulator(options);
    v06_.version = ApiVersion::kV06;
  }

  CallOptions Signed() {
    CallOptions options;
    options.date = clock_->Now();
    return options;
  }

  v1::File FindFile(const std::function<bool(const v1::File&)>& predicate,
                    int skip = 0) {
    for (const v1::File& file : emulator_->Files(kPublicKey)) {
      if (predicate(file) && skip-- == 0) return file;
    }
    ADD_FAILURE() << "no such seeded file";
    return v1::File();
  }
  v1::File Unstored(int skip = 0) {
    return FindFile(
        [](const v1::File& f) {
          return !f.has_datetime_stored() && !f.has_datetime_removed();
        },
        skip);
  }
  v1::File Removed() {
    return FindFile([](const v1::File& f) { return f.has_datetime_removed(); });
  }
  v1::File Image() {
    return FindFile([](const v1::File& f) {
      return f.content_info().has_image() && !f.has_datetime_removed();
    });
  }

  int64_t Total(const char* which) {
    return client_->Get("/files/?limit=1", Signed())
        .Json()["totals"][which]
        .GetInt64();
  }

  // 2024-05-28T14:25:47.123456Z
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(
      absl::FromUnixMicros(int64_t{1716906347123456}));
  CallOptions v06_;
};

TEST_F(EmulatorFilesOpsTest, GetsAFile) {
  v1::File image = Image();
  CallResult result =
      client_->Get(absl::StrCat("/files/", image.uuid(), "/"), Signed());
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document file = result.Json();
  EXPECT_EQ(StringMember(file, "uuid"), image.uuid());
  EXPECT_EQ(StringMember(file, "url"),
            absl::StrCat(emulator_->base_url(), "/files/", image.uuid(), "/"));
  EXPECT_EQ(StringMember(file, "original_file_url"),
            absl::StrCat("https://ucarecdn.com/", image.uuid(), "/",
                         image.original_filename()));
  EXPECT_TRUE(file["content_info"]["image"].IsObject());
  EXPECT_FALSE(file.HasMember("appdata"));
  rapidjson::Document with_appdata =
      client_
          ->Get(absl::StrCat("/files/", image.uuid(), "/?include=appdata"),
                Signed())
          .Json();
  EXPECT_TRUE(with_appdata.HasMember("appdata"));
}

TEST_F(EmulatorFilesOpsTest, GetsAFileInVersionSixShape) {
  v1::File image = Image();
  v06_.date = clock_->Now();
  rapidjson::Document file =
      client_->Get(absl::StrCat("/files/", image.uuid(), "/"), v06_).Json();
  ASSERT_TRUE(file.IsObject());
  EXPECT_TRUE(file["image_info"].IsObject());
  EXPECT_FALSE(file.HasMember("content_info"));
}

TEST_F(EmulatorFilesOpsTest, UnknownOrMalformedUuidsAreNotFound) {
  struct Route {
    const char* method;
    const char* suffix;
  };
  for (const char* uuid : {kUnknownUuid, "nonexistent", "1234"}) {
    for (const Route& route : {Route{"GET", "/"}, Route{"PUT", "/storage/"},
                               Route{"DELETE", "/storage/"}}) {
      CallResult result = client_->Call(
          route.method, absl::StrCat("/files/", uuid, route.suffix), "",
          Signed());
      EXPECT_EQ(result.status, 404) << route.method << " " << uuid;
      EXPECT_EQ(result.body, "{\"detail\":\"Not found.\"}");
    }
  }
}

TEST_F(EmulatorFilesOpsTest, StoresAFileOnce) {
  v1::File file = Unstored();
  int64_t stored_before = Total("stored");
  std::string path = absl::StrCat("/files/", file.uuid(), "/storage/");
  CallResult result = client_->Call("PUT", path, "", Signed());
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(StringMember(result.Json(), "datetime_stored"),
            "2024-05-28T14:25:47.123456Z");
  EXPECT_EQ(Total("stored"), stored_before + 1);

  clock_->Advance(absl::Minutes(1));
  result = client_->Call("PUT", path, "", Signed());
  EXPECT_EQ(StringMember(result.Json(), "datetime_stored"),
            "2024-05-28T14:25:47.123456Z");
  EXPECT_EQ(Total("stored"), stored_before + 1);
}

TEST_F(EmulatorFilesOpsTest, DoesNotStoreARemovedFile) {
  CallResult result = client_->Call(
      "PUT", absl::StrCat("/files/", Removed().uuid(), "/storage/"), "",
      Signed());
  EXPECT_EQ(result.status, 404);
}

TEST_F(EmulatorFilesOpsTest, DeletesAFile) {
  v1::File file = Image();
  int64_t removed_before = Total("removed");
  CallResult result =
      client_->Call("DELETE", absl::StrCat("/files/", file.uuid(), "/storage/"),
                    "", Signed());
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document answer = result.Json();
  EXPECT_EQ(StringMember(answer, "datetime_removed"),
            "2024-05-28T14:25:47.123456Z");
  EXPECT_TRUE(answer["datetime_stored"].IsNull());
  EXPECT_TRUE(answer["original_file_url"].IsNull());
  EXPECT_EQ(Total("removed"), removed_before + 1);
  // Still readable, no longer listed by default.
  EXPECT_EQ(
      client_->Get(absl::StrCat("/files/", file.uuid(), "/"), Signed()).status,
      200);
  std::string all = client_->Get("/files/?limit=1000", Signed()).body;
  EXPECT_THAT(all, ::testing::Not(HasSubstr(file.uuid())));
}

TEST_F(EmulatorFilesOpsTest, VersionSevenRefusesTheOldDeleteEndpoint) {
  CallResult result = client_->Call(
      "DELETE", absl::StrCat("/files/", Image().uuid(), "/"), "", Signed());
  EXPECT_EQ(result.status, 405);
  EXPECT_EQ(DetailOf(result), "Method \"DELETE\" not allowed.");
}

TEST_F(EmulatorFilesOpsTest, VersionSixDeletesThroughTheFileUrl) {
  v1::File file = Image();
  v06_.date = clock_->Now();
  CallResult redirect = client_->Call(
      "DELETE", absl::StrCat("/files/", file.uuid(), "/storage/"), "", v06_);
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.location,
            absl::StrCat(emulator_->base_url(), "/files/", file.uuid(), "/"));
  EXPECT_FALSE(emulator_->Files(kPublicKey).empty());
  EXPECT_FALSE(FindFile([&](const v1::File& f) {
                 return f.uuid() == file.uuid();
               }).has_datetime_removed());

  CallResult deleted = client_->Call(
      "DELETE", absl::StrCat("/files/", file.uuid(), "/"), "", v06_);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  rapidjson::Document answer = deleted.Json();
  EXPECT_FALSE(answer["datetime_removed"].IsNull());
  EXPECT_TRUE(answer.HasMember("image_info"));
}

TEST_F(EmulatorFilesOpsTest, BatchStoreReportsProblemsPerUuid) {
  v1::File first = Unstored(0);
  v1::File second = Unstored(1);
  std::string body = absl::StrCat("[\"", first.uuid(), "\",\"", kUnknownUuid,
                                  "\",\"nonexistent\",123,\"", second.uuid(),
                                  "\",\"", first.uuid(), "\"]");
  CallResult result = client_->Call("PUT", "/files/storage/", body, Signed());
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document answer = result.Json();
  EXPECT_EQ(StringMember(answer, "status"), "ok");
  EXPECT_EQ(StringMember(answer["problems"], kUnknownUuid),
            "Missing in the project");
  EXPECT_EQ(StringMember(answer["problems"], "nonexistent"), "Invalid");
  EXPECT_EQ(StringMember(answer["problems"], "123"), "Invalid");
  EXPECT_EQ(answer["problems"].MemberCount(), 3u);
  ASSERT_EQ(answer["result"].Size(), 2u);
  EXPECT_EQ(StringMember(answer["result"][0], "uuid"), first.uuid());
  EXPECT_EQ(StringMember(answer["result"][1], "uuid"), second.uuid());
  EXPECT_FALSE(answer["result"][0]["datetime_stored"].IsNull());
}

TEST_F(EmulatorFilesOpsTest, BatchDeleteRemovesFiles) {
  v1::File file = Image();
  CallResult result = client_->Call(
      "DELETE", "/files/storage/",
      absl::StrCat("[\"", file.uuid(), "\",\"other_nonexistent\"]"), Signed());
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document answer = result.Json();
  EXPECT_EQ(StringMember(answer["problems"], "other_nonexistent"), "Invalid");
  ASSERT_EQ(answer["result"].Size(), 1u);
  EXPECT_FALSE(answer["result"][0]["datetime_removed"].IsNull());
}

TEST_F(EmulatorFilesOpsTest, BatchesAreLimitedToOneHundredUuids) {
  std::vector<std::string> quoted;
  for (int i = 0; i < 101; ++i) {
    quoted.push_back(absl::StrCat("\"", kUnknownUuid, "\""));
  }
  CallResult result = client_->Call(
      "PUT", "/files/storage/",
      absl::StrCat("[", absl::StrJoin(quoted, ","), "]"), Signed());
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.body,
            "{\"detail\":\"Maximum UUIDs per request is exceeded. The limit is "
            "100\"}");
  quoted.pop_back();
  result = client_->Call("DELETE", "/files/storage/",
                         absl::StrCat("[", absl::StrJoin(quoted, ","), "]"),
                         Signed());
  EXPECT_EQ(result.status, 200);
}

TEST_F(EmulatorFilesOpsTest, BatchesRefuseBodiesThatAreNotLists) {
  for (const char* body : {"{\"uuids\":[]}", "[]", "", "\"x\""}) {
    CallResult result = client_->Call("PUT", "/files/storage/", body, Signed());
    EXPECT_EQ(result.status, 400) << body;
    EXPECT_FALSE(DetailOf(result).empty()) << body;
  }
  CallResult garbage =
      client_->Call("PUT", "/files/storage/", "[\"a\",", Signed());
  EXPECT_EQ(garbage.status, 400);
  EXPECT_THAT(DetailOf(garbage), StartsWith("JSON parse error - "));
}

TEST_F(EmulatorFilesOpsTest, CopiesToLocalStorage) {
  v1::File image = Image();
  std::string body =
      absl::StrCat("{\"source\":\"", image.uuid(),
                   "\",\"store\":\"true\",\"metadata\":{\"pet\":\"cat\"}}");
  CallResult result =
      client_->Call("POST", "/files/local_copy/", body, Signed());
  ASSERT_EQ(result.status, 201) << result.body;
  rapidjson::Document answer = result.Json();
  EXPECT_EQ(StringMember(answer, "type"), "file");
  const rapidjson::Value& copy = answer["result"];
  std::string uuid = StringMember(copy, "uuid");
  EXPECT_NE(uuid, image.uuid());
  EXPECT_EQ(result.location,
            absl::StrCat(emulator_->base_url(), "/files/", uuid, "/"));
  EXPECT_EQ(copy["size"].GetInt64(), 0);
  EXPECT_EQ(StringMember(copy, "mime_type"), "application/octet-stream");
  EXPECT_TRUE(copy["is_image"].IsNull());
  EXPECT_TRUE(copy["content_info"].IsNull());
  EXPECT_EQ(StringMember(copy, "source"), absl::StrCat("/", image.uuid(), "/"));
  EXPECT_EQ(StringMember(copy, "original_filename"), image.original_filename());
  EXPECT_EQ(StringMember(copy, "datetime_uploaded"),
            "2024-05-28T14:25:47.123456Z");
  EXPECT_FALSE(copy["datetime_stored"].IsNull());
  EXPECT_EQ(StringMember(copy["metadata"], "pet"), "cat");
  // The copy is a file of the project from now on.
  EXPECT_EQ(client_->Get(absl::StrCat("/files/", uuid, "/"), Signed()).status,
            200);
  EXPECT_EQ(emulator_->Files(kPublicKey).back().uuid(), uuid);
}

TEST_F(EmulatorFilesOpsTest, CopiesFromACdnUrlKeepingOperations) {
  v1::File image = Image();
  std::string body = absl::StrCat("{\"source\":\"https://ucarecdn.com/",
                                  image.uuid(), "/-/resize/10x10/\"}");
  CallResult result =
      client_->Call("POST", "/files/local_copy/", body, Signed());
  ASSERT_EQ(result.status, 201) << result.body;
  rapidjson::Document answer = result.Json();
  EXPECT_EQ(StringMember(answer["result"], "source"),
            absl::StrCat("/", image.uuid(), "/-/resize/10x10/"));
  EXPECT_TRUE(answer["result"]["datetime_stored"].IsNull());
}

TEST_F(EmulatorFilesOpsTest, CopiesFromAFormEncodedBody) {
  CallOptions options = Signed();
  options.content_type = "application/x-www-form-urlencoded";
  CallResult result = client_->Call(
      "POST", "/files/local_copy/",
      absl::StrCat("source=", Image().uuid(), "&store=false"), options);
  EXPECT_EQ(result.status, 201) << result.body;
}

TEST_F(EmulatorFilesOpsTest, RefusesBadLocalCopies) {
  struct Case {
    std::string body;
    std::string field;
  };
  std::string image = Image().uuid();
  for (const Case& c : std::vector<Case>{
           {"{}", "source"},
           {"{\"source\":\"\"}", "source"},
           {"{\"source\":42}", "source"},
           {"{\"source\":\"not-a-uuid\"}", "source"},
           {"{\"source\":\"https://ucarecdn.com/nothing/\"}", "source"},
           {absl::StrCat("{\"source\":\"", kUnknownUuid, "\"}"), "source"},
           {absl::StrCat("{\"source\":\"", Removed().uuid(), "\"}"), "source"},
           {absl::StrCat("{\"source\":\"", image, "\",\"store\":\"maybe\"}"),
            "store"},
           {absl::StrCat("{\"source\":\"", image,
                         "\",\"metadata\":{\"bad key!\":\"x\"}}"),
            "metadata"},
           {absl::StrCat("{\"source\":\"", image, "\",\"metadata\":[1]}"),
            "metadata"},
       }) {
    CallResult result =
        client_->Call("POST", "/files/local_copy/", c.body, Signed());
    EXPECT_EQ(result.status, 400) << c.body;
    rapidjson::Document answer = result.Json();
    ASSERT_TRUE(answer.IsObject()) << c.body;
    EXPECT_TRUE(answer.HasMember(c.field.c_str()) &&
                answer[c.field.c_str()].IsArray())
        << c.body << " -> " << result.body;
  }
  CallResult garbage =
      client_->Call("POST", "/files/local_copy/", "{source:", Signed());
  EXPECT_EQ(garbage.status, 400);
  EXPECT_THAT(DetailOf(garbage), StartsWith("JSON parse error - "));
}

TEST_F(EmulatorFilesOpsTest, CopiesToTheCustomStorageOnce) {
  v1::File image = Image();
  std::string body = absl::StrCat("{\"source\":\"", image.uuid(),
                                  "\",\"target\":\"backup-bucket\"}");
  CallResult first =
      client_->Call("POST", "/files/remote_copy/", body, Signed());
  ASSERT_EQ(first.status, 201) << first.body;
  rapidjson::Document answer = first.Json();
  EXPECT_EQ(StringMember(answer, "type"), "url");
  EXPECT_EQ(StringMember(answer, "result"),
            absl::StrCat("s3://backup-bucket/", image.uuid(), "/",
                         image.original_filename()));
  CallResult again =
      client_->Call("POST", "/files/remote_copy/", body, Signed());
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
}

TEST_F(EmulatorFilesOpsTest, RemoteCopyFollowsThePattern) {
  v1::File image = Image();
  std::string name = image.original_filename();
  std::string ext = name.substr(name.rfind('.'));
  CallResult result = client_->Call(
      "POST", "/files/remote_copy/",
      absl::StrCat("{\"source\":\"", image.uuid(),
                   "\",\"target\":\"backup-bucket\",\"make_public\":false,"
                   "\"pattern\":\"${uuid}${ext}\"}"),
      Signed());
  ASSERT_EQ(result.status, 201) << result.body;
  EXPECT_EQ(StringMember(result.Json(), "result"),
            absl::StrCat("s3://backup-bucket/", image.uuid(), ext));
}

TEST_F(EmulatorFilesOpsTest, RefusesRemoteCopiesToUnknownStorage) {
  CallResult result =
      client_->Call("POST", "/files/remote_copy/",
                    absl::StrCat("{\"source\":\"", Image().uuid(),
                                 "\",\"target\":\"emulated-storage\"}"),
                    Signed());
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.body,
            "{\"detail\":\"Project has no storage with provided name.\"}");
  result = client_->Call("POST", "/files/remote_copy/",
                         absl::StrCat("{\"source\":\"", Image().uuid(), "\"}"),
                         Signed());
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.body, "{\"target\":[\"This field is required.\"]}");
  result = client_->Call(
      "POST", "/files/remote_copy/",
      absl::StrCat("{\"source\":\"", Image().uuid(),
                   "\",\"target\":\"backup-bucket\",\"make_public\":\"x\"}"),
      Signed());
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.body, "{\"make_public\":[\"Must be a valid boolean.\"]}");
}

TEST_F(EmulatorFilesOpsTest, SurvivesGarbageBodies) {
  std::string deep_array(200000, '[');
  std::string deep_batch = absl::StrCat("[", std::string(100, '['),
                                        std::string(100, ']'), ",\"x\"]");
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(i * 37));
  struct Route {
    const char* method;
    const char* path;
  };
  for (const std::string& body :
       {deep_array, deep_batch, binary, std::string("{\"source\":{}}"),
        std::string("null"), std::string("\xff\xfe")}) {
    for (const Route& route :
         {Route{"PUT", "/files/storage/"}, Route{"DELETE", "/files/storage/"},
          Route{"POST", "/files/local_copy/"},
          Route{"POST", "/files/remote_copy/"}}) {
      CallResult result =
          client_->Call(route.method, route.path, body, Signed());
      EXPECT_TRUE(result.status == 400 || result.status == 200)
          << route.method << " " << route.path << " -> " << result.status;
    }
  }
  CallResult batch =
      client_->Call("PUT", "/files/storage/", deep_batch, Signed());
  EXPECT_EQ(StringMember(batch.Json()["problems"], "[...]"), "Invalid");
  EXPECT_EQ(client_->Get("/files/?limit=1", Signed()).status, 200);
}

}  // namespace
}  // namespace ucgate::emulator
