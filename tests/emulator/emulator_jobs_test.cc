// Conversion jobs and add-on runs in the emulator: they move through their
// states on the emulator's clock (a ManualClock here, no sleeping), finished
// conversions create their result files, add-on results land in appdata, and
// the errors look like the service's.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/clock.h"
#include "service/emulator/emulator.h"
#include "service/emulator/job_store.h"
#include "tests/testing_util/emulator_test_client.h"

namespace ucgate::emulator {
namespace {

using ::testing::HasSubstr;

class EmulatorJobsTest : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions options = TestOptions(20);
    options.clock = clock_;
    StartEmulator(options);
  }

  CallOptions Signed() {
    CallOptions options;
    options.date = clock_->Now();
    return options;
  }
  CallResult Get(const std::string& path) {
    return client_->Call("GET", path, "", Signed());
  }
  CallResult Post(const std::string& path, const std::string& body) {
    return client_->Call("POST", path, body, Signed());
  }

  std::string AddFile(const std::string& name, const std::string& mime) {
    v1::File file;
    file.set_original_filename(name);
    file.set_mime_type(mime);
    file.set_size(4096);
    file.set_is_ready(true);
    return emulator_->AddFile(kPublicKey, file).uuid();
  }

  // POST /convert/document/ of one path of `source`.
  CallResult ConvertDocument(const std::string& source,
                             const std::string& operations) {
    return Post("/convert/document/",
                absl::StrCat(R"({"paths":[")", source, "/document/", operations,
                             R"("]})"));
  }

  std::string Status(const std::string& path) {
    CallResult result = Get(path);
    EXPECT_EQ(result.status, 200) << result.body;
    return StringMember(result.Json(), "status");
  }

  void Advance() { clock_->Advance(kJobStep); }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1700000000));
};

TEST_F(EmulatorJobsTest, DocumentConversionFinishesOnTheClockWithItsFile) {
  const std::string source = AddFile("report.pdf", "application/pdf");
  const std::string path =
      absl::StrCat(source, "/document/-/format/png/-/page/1/");
  CallResult started =
      Post("/convert/document/",
           absl::StrCat(R"({"paths":[")", path, R"("],"store":"1"})"));
  ASSERT_EQ(started.status, 200) << started.body;
  rapidjson::Document answer = started.Json();
  ASSERT_EQ(answer["result"].Size(), 1u) << started.body;
  const auto& job = answer["result"][0];
  EXPECT_EQ(StringMember(job, "original_source"), path);
  const std::string result_uuid = StringMember(job, "uuid");
  const std::string status_path =
      absl::StrCat("/convert/document/status/", job["token"].GetInt64(), "/");
  EXPECT_EQ(answer["problems"].MemberCount(), 0u);

  EXPECT_EQ(Status(status_path), "pending");
  EXPECT_EQ(Get(absl::StrCat("/files/", result_uuid, "/")).status, 404);
  Advance();
  EXPECT_EQ(Status(status_path), "processing");
  Advance();
  CallResult finished = Get(status_path);
  rapidjson::Document finished_json = finished.Json();
  EXPECT_EQ(StringMember(finished_json, "status"), "finished");
  EXPECT_EQ(StringMember(finished_json["result"], "uuid"), result_uuid);

  CallResult file = Get(absl::StrCat("/files/", result_uuid, "/"));
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(StringMember(file.Json(), "original_filename"), "report.png");
  EXPECT_TRUE(file.Json()["datetime_stored"].IsString());
}

// Without `store` the project's auto-store setting (on, the service's
// default) keeps the result; "false" leaves it unstored.
TEST_F(EmulatorJobsTest, ResultsWithoutStoreFollowTheProjectsAutostore) {
  const std::string source = AddFile("report.docx", "application/msword");
  const std::string path = absl::StrCat(source, "/document/-/format/pdf/");
  for (const char* store : {"", R"(,"store":"false")", R"(,"store":"true")"}) {
    SCOPED_TRACE(store);
    CallResult started =
        Post("/convert/document/",
             absl::StrCat(R"({"paths":[")", path, R"("])", store, "}"));
    ASSERT_EQ(started.status, 200) << started.body;
    rapidjson::Document answer = started.Json();
    ASSERT_EQ(answer["result"].Size(), 1u) << started.body;
    const std::string result_uuid = StringMember(answer["result"][0], "uuid");
    const std::string status_path =
        absl::StrCat("/convert/document/status/",
                     answer["result"][0]["token"].GetInt64(), "/");
    Advance();
    Advance();
    EXPECT_EQ(Status(status_path), "finished");
    CallResult file = Get(absl::StrCat("/files/", result_uuid, "/"));
    ASSERT_EQ(file.status, 200) << file.body;
    EXPECT_EQ(file.Json()["datetime_stored"].IsString(),
              std::string(store) != R"(,"store":"false")");
  }
}

TEST_F(EmulatorJobsTest, ProblemsComeBackPerPathLikeTheService) {
  const std::string notes = AddFile("notes.txt", "text/plain");
  const std::string report = AddFile("report.docx", "application/msword");
  const std::string unsupported =
      absl::StrCat(notes, "/document/-/format/jpg/-/page/1/");
  const std::string good = absl::StrCat(report, "/document/-/format/pdf/");
  const std::string malformed = absl::StrCat(report, "/document/-/format/exe/");
  const std::string missing =
      "00000000-0000-4000-8000-000000000000/document/-/format/pdf/";
  CallResult result =
      Post("/convert/document/",
           absl::StrCat(R"({"paths":[")", unsupported, R"(",")", good, R"(",")",
                        malformed, R"(",")", missing, R"("],"store":"0"})"));
  ASSERT_EQ(result.status, 200) << result.body;
  rapidjson::Document answer = result.Json();
  ASSERT_EQ(answer["result"].Size(), 1u);
  EXPECT_EQ(StringMember(answer["result"][0], "original_source"), good);
  const auto& problems = answer["problems"];
  EXPECT_EQ(problems.MemberCount(), 3u);
  // The recorded text of document_convert_convert_many_with_error.
  EXPECT_EQ(StringMember(problems, unsupported.c_str()),
            "the target_format is not a supported 'to' format for this "
            "source file. txt -> jpg");
  EXPECT_THAT(StringMember(problems, malformed.c_str()),
              HasSubstr("unknown format"));
  EXPECT_EQ(StringMember(problems, missing.c_str()), "File not found.");
}

TEST_F(EmulatorJobsTest, ConversionFailsWhenItsSourceIsRemoved) {
  const std::string source = AddFile("sheet.xlsx", "application/vnd.ms-excel");
  CallResult started = ConvertDocument(source, "-/format/pdf/");
  ASSERT_EQ(started.status, 200) << started.body;
  const int64_t token = started.Json()["result"][0]["token"].GetInt64();
  ASSERT_EQ(client_
                ->Call("DELETE", absl::StrCat("/files/", source, "/storage/"),
                       "", Signed())
                .status,
            200);
  Advance();
  Advance();
  CallResult status =
      Get(absl::StrCat("/convert/document/status/", token, "/"));
  EXPECT_EQ(StringMember(status.Json(), "status"), "failed");
  EXPECT_THAT(StringMember(status.Json(), "error"), HasSubstr("removed"));
  EXPECT_TRUE(status.Json()["result"].IsNull());
}

// Nothing but the clock moves a job: plain file reads see the result.
TEST_F(EmulatorJobsTest, ResultFileExistsAsSoonAsTheJobFinishesOnTheClock) {
  const std::string source = AddFile("memo.docx", "application/msword");
  CallResult started = ConvertDocument(source, "-/format/pdf/");
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string result_uuid =
      StringMember(started.Json()["result"][0], "uuid");
  const std::string file_path = absl::StrCat("/files/", result_uuid, "/");
  Advance();
  EXPECT_EQ(Get(file_path).status, 404);
  Advance();
  CallResult file = Get(file_path);
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(StringMember(file.Json(), "original_filename"), "memo.pdf");
  EXPECT_EQ(StringMember(file.Json(), "mime_type"), "application/pdf");

  // A listing sees the next one too, and so does the test accessor.
  CallResult again = ConvertDocument(source, "-/format/txt/");
  const std::string second = StringMember(again.Json()["result"][0], "uuid");
  clock_->Advance(absl::Minutes(1));
  CallResult listing = Get("/files/?ordering=-datetime_uploaded&limit=1");
  ASSERT_EQ(listing.status, 200) << listing.body;
  EXPECT_EQ(StringMember(listing.Json()["results"][0], "uuid"), second);
  clock_->Advance(absl::Minutes(1));
  CallResult third = ConvertDocument(source, "-/format/rtf/");
  const std::string third_uuid =
      StringMember(third.Json()["result"][0], "uuid");
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(emulator_->Files(kPublicKey).back().uuid(), third_uuid);
}

TEST_F(EmulatorJobsTest, VideoThumbnailsBecomeAGroupOfImages) {
  const std::string video = AddFile("clip.mp4", "video/mp4");
  const std::string path = absl::StrCat(
      video,
      "/video/-/size/600x400/change_ratio/-/quality/best/-/format/ogg/"
      "-/cut/0:0:0.0/0:0:1.0/-/thumbs~2/1/");
  const std::string image = AddFile("cat.jpg", "image/jpeg");
  const std::string not_video = absl::StrCat(image, "/video/-/format/mp4/");
  CallResult started =
      Post("/convert/video/",
           absl::StrCat(R"({"paths":[")", path, R"(",")", not_video, R"("]})"));
  ASSERT_EQ(started.status, 200) << started.body;
  rapidjson::Document answer = started.Json();
  ASSERT_EQ(answer["result"].Size(), 1u) << started.body;
  EXPECT_THAT(StringMember(answer["result"][0], "thumbnails_group_uuid"),
              ::testing::EndsWith("~2"));
  EXPECT_THAT(StringMember(answer["problems"], not_video.c_str()),
              HasSubstr("not a video"));
  const std::string status_path = absl::StrCat(
      "/convert/video/status/", answer["result"][0]["token"].GetInt64(), "/");
  // A video token is no document token.
  EXPECT_EQ(Get(absl::StrCat("/convert/document/status/",
                             answer["result"][0]["token"].GetInt64(), "/"))
                .status,
            404);
  Advance();
  Advance();
  CallResult finished = Get(status_path);
  rapidjson::Document finished_json = finished.Json();
  EXPECT_EQ(StringMember(finished_json, "status"), "finished");
  CallResult file = Get(absl::StrCat(
      "/files/", StringMember(finished_json["result"], "uuid"), "/"));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(StringMember(file.Json(), "original_filename"), "clip.ogg");

  // The group the convert answer named exists now, with both thumbnails.
  const std::string group_id =
      StringMember(answer["result"][0], "thumbnails_group_uuid");
  EXPECT_EQ(StringMember(finished_json["result"], "thumbnails_group_uuid"),
            group_id);
  CallResult group = Get(absl::StrCat("/groups/", group_id, "/"));
  ASSERT_EQ(group.status, 200) << group.body;
  rapidjson::Document group_json = group.Json();
  EXPECT_EQ(StringMember(group_json, "id"), group_id);
  EXPECT_EQ(group_json["files_count"].GetInt64(), 2);
  ASSERT_EQ(group_json["files"].Size(), 2u) << group.body;
  for (const auto& thumbnail : group_json["files"].GetArray()) {
    ASSERT_TRUE(thumbnail.IsObject()) << group.body;
    EXPECT_EQ(StringMember(thumbnail, "mime_type"), "image/jpeg");
    EXPECT_THAT(StringMember(thumbnail, "original_filename"),
                ::testing::StartsWith("clip-thumb-"));
    EXPECT_EQ(Get(absl::StrCat("/files/", StringMember(thumbnail, "uuid"), "/"))
                  .status,
              200);
  }
  EXPECT_EQ(emulator_->Groups(kPublicKey).back().id(), group_id);
}

TEST_F(EmulatorJobsTest, DocumentInfoAndRequestErrors) {
  const std::string source = AddFile("report.pdf", "application/pdf");
  CallResult info = Get(absl::StrCat("/convert/document/", source, "/"));
  ASSERT_EQ(info.status, 200) << info.body;
  rapidjson::Document json = info.Json();
  EXPECT_TRUE(json["error"].IsNull());
  EXPECT_EQ(StringMember(json["format"], "name"), "pdf");
  EXPECT_GT(json["format"]["conversion_formats"].Size(), 5u);
  EXPECT_EQ(
      Get("/convert/document/00000000-0000-4000-8000-000000000000/").status,
      404);
  EXPECT_EQ(Get("/convert/document/status/12345/").status, 404);
  CallResult no_paths = Post("/convert/document/", R"({"store":"1"})");
  EXPECT_EQ(no_paths.status, 400);
  EXPECT_THAT(no_paths.body,
              HasSubstr(R"("paths":["This field is required.")"));
}

TEST_F(EmulatorJobsTest, ClamavRunLandsInAppdataAndRefusesAConcurrentRun) {
  const std::string target = AddFile("setup.exe", "application/octet-stream");
  const std::string body = absl::StrCat(
      R"({"target":")", target, R"(","params":{"purge_infected":true}})");
  CallResult started = Post("/addons/uc_clamav_virus_scan/execute/", body);
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string request_id = StringMember(started.Json(), "request_id");
  const std::string status_path = absl::StrCat(
      "/addons/uc_clamav_virus_scan/execute/status/?request_id=", request_id);

  CallResult again = Post("/addons/uc_clamav_virus_scan/execute/", body);
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(DetailOf(again), HasSubstr("already"));
  EXPECT_EQ(Status(status_path), "in_progress");
  // Another add-on on the same file is no conflict.
  EXPECT_EQ(Post("/addons/aws_rekognition_detect_labels/execute/",
                 absl::StrCat(R"({"target":")", target, R"("})"))
                .status,
            200);

  Advance();
  EXPECT_EQ(Status(status_path), "done");
  CallResult file = Get(absl::StrCat("/files/", target, "/?include=appdata"));
  ASSERT_EQ(file.status, 200);
  rapidjson::Document json = file.Json();
  ASSERT_TRUE(json["appdata"].IsObject()) << file.body;
  EXPECT_FALSE(
      json["appdata"]["uc_clamav_virus_scan"]["data"]["infected"].GetBool());
  EXPECT_TRUE(json["appdata"]["aws_rekognition_detect_labels"]["data"]["Labels"]
                  .IsArray());
  // Done: a new run is welcome.
  EXPECT_EQ(Post("/addons/uc_clamav_virus_scan/execute/", body).status, 200);
}

TEST_F(EmulatorJobsTest, RemoveBgCreatesTheCutOutFile) {
  const std::string target = AddFile("portrait.jpg", "image/jpeg");
  CallResult started =
      Post("/addons/remove_bg/execute/",
           absl::StrCat(R"({"target":")", target,
                        R"(","params":{"crop":true,"type_level":"2"}})"));
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string status_path =
      absl::StrCat("/addons/remove_bg/execute/status/?request_id=",
                   StringMember(started.Json(), "request_id"));
  CallResult running = Get(status_path);
  EXPECT_FALSE(running.Json().HasMember("result"));
  Advance();
  CallResult done = Get(status_path);
  rapidjson::Document json = done.Json();
  EXPECT_EQ(StringMember(json, "status"), "done");
  const std::string file_id = StringMember(json["result"], "file_id");
  CallResult file = Get(absl::StrCat("/files/", file_id, "/"));
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(StringMember(file.Json(), "original_filename"), "portrait.png");
}

TEST_F(EmulatorJobsTest, AddonErrorsLookLikeTheService) {
  const std::string target = AddFile("cat.jpg", "image/jpeg");
  EXPECT_EQ(Post("/addons/teleport/execute/",
                 absl::StrCat(R"({"target":")", target, R"("})"))
                .status,
            404);
  // uc_clamav_virus_scan_nonexistent_uuid.yml
  CallResult bad_target = Post("/addons/uc_clamav_virus_scan/execute/",
                               R"({"target":"nonexistent","params":{}})");
  EXPECT_EQ(bad_target.status, 400);
  EXPECT_EQ(bad_target.body, R"({"target":["Must be a valid UUID."]})");
  // remove_bg_status_nonexistent_uuid.yml
  CallResult bad_id = Get(
      "/addons/uc_clamav_virus_scan/execute/status/?request_id=nonexistent");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(bad_id.body, R"({"request_id":["Must be a valid UUID."]})");
  EXPECT_EQ(Status("/addons/remove_bg/execute/status/?request_id="
                   "00000000-0000-4000-8000-000000000000"),
            "unknown");
  EXPECT_EQ(Post("/addons/remove_bg/execute/",
                 R"({"target":"00000000-0000-4000-8000-000000000000"})")
                .status,
            404);
}

}  // namespace
}  // namespace ucgate::emulator
