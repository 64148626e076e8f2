// The conversion and add-on REST stubs against a fake transport: the
// requests they send (paths built from typed conversions, string flags,
// typed add-on params) and the answers they map, with the recorded bodies.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/upstream/rest/rest_operations.h"
#include "tests/testing_util/fake_http_client.h"
#include "tests/testing_util/rest_stub_fixture.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;
using ucgate::testing::FakeHttpClient;
using ucgate::testing::HeaderValue;

class RestConversionAddonOperationsTest : public testing::RestStubTest {
 protected:
  void MakeStubs(std::shared_ptr<const RestClient> rest) override {
    conversions_ = MakeRestConversionOperations(rest);
    addons_ = MakeRestAddonOperations(rest);
  }

  std::unique_ptr<ConversionOperations> conversions_;
  std::unique_ptr<AddonOperations> addons_;
};

TEST_F(RestConversionAddonOperationsTest, ConvertDocumentSendsTheRecordedBody) {
  // document_convert_convert_multipage_zip.yml
  SetUpAnswer(200,
              R"({"result": [{"original_source": "d95309eb-50bd-4594-bd7a-)"
              R"(950011578480/document/-/format/jpg/", "token": 44428259, )"
              R"("uuid": "ddf298c3-6113-465b-8677-1f566cced4f1"}], )"
              R"("problems": {}})");
  v1::ConvertDocumentRequest request;
  v1::DocumentConversion* conversion = request.add_conversions();
  conversion->set_uuid("d95309eb-50bd-4594-bd7a-950011578480");
  conversion->set_format(v1::DOCUMENT_FORMAT_JPG);
  request.set_store(true);
  auto response = conversions_->ConvertDocument(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPost);
  EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, "/convert/document/"));
  EXPECT_EQ(sent.body,
            R"({"paths":["d95309eb-50bd-4594-bd7a-950011578480/document/)"
            R"(-/format/jpg/"],"store":"true"})");
  EXPECT_THAT(HeaderValue(sent, "Authorization"),
              HasSubstr("Uploadcare testpk:"));
  ASSERT_EQ(response->jobs_size(), 1);
  EXPECT_EQ(response->jobs(0).token(), 44428259);
  EXPECT_EQ(response->jobs(0).uuid(), "ddf298c3-6113-465b-8677-1f566cced4f1");
  EXPECT_TRUE(response->problems().empty());
}

TEST_F(RestConversionAddonOperationsTest, ProblemsComeBackPerPath) {
  // document_convert_convert_many_with_error.yml
  const std::string path =
      "86c54d9a-3453-4b12-8dcc-49883ae8f084/document/-/format/jpg/-/page/1/";
  SetUpAnswer(200, absl::StrCat(R"({"result": [], "problems": {")", path,
                                R"(": "the target_format is not a supported )"
                                R"('to' format for this source file. txt -> )"
                                R"(jpg"}})"));
  v1::ConvertDocumentRequest request;
  v1::DocumentConversion* conversion = request.add_conversions();
  conversion->set_uuid("86c54d9a-3453-4b12-8dcc-49883ae8f084");
  conversion->set_format(v1::DOCUMENT_FORMAT_JPG);
  conversion->set_page(1);
  request.set_save_in_group(true);
  auto response = conversions_->ConvertDocument(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(OnlyRequest().body, absl::StrCat(R"({"paths":[")", path,
                                             R"("],"save_in_group":"true"})"));
  EXPECT_TRUE(response->jobs().empty());
  EXPECT_THAT(response->problems(),
              Contains(Pair(path, HasSubstr("txt -> jpg"))));
}

TEST_F(RestConversionAddonOperationsTest, ConvertVideoBuildsTheRecordedPath) {
  // video_convert_convert_many.yml (the gateway writes no thumbnail index).
  SetUpAnswer(200,
              R"({"result": [{"original_source": "p", "token": 911162353, )"
              R"("uuid": "f1821874-3d2e-439b-9e13-d0795a3c1d98", )"
              R"("thumbnails_group_uuid": "b99de71f-0ae2-4ac5-806a-)"
              R"(c6f0f1744369~2"}], "problems": {}})");
  v1::ConvertVideoRequest request;
  v1::VideoConversion* conversion = request.add_conversions();
  conversion->set_uuid("e30112d7-3a90-4931-b2c5-688cbb46d3ac");
  conversion->mutable_size()->set_width(600);
  conversion->mutable_size()->set_height(400);
  conversion->mutable_size()->set_resize_mode(
      v1::VIDEO_RESIZE_MODE_CHANGE_RATIO);
  conversion->set_quality(v1::VIDEO_QUALITY_BEST);
  conversion->set_format(v1::VIDEO_FORMAT_OGG);
  conversion->mutable_cut()->set_start_time("0:0:0.0");
  conversion->mutable_cut()->set_length("0:0:1.0");
  conversion->set_thumbnails(2);
  auto response = conversions_->ConvertVideo(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, "/convert/video/"));
  EXPECT_EQ(sent.body,
            R"({"paths":["e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/-/size/)"
            R"(600x400/change_ratio/-/quality/best/-/format/ogg/-/cut/0:0:0.0/)"
            R"(0:0:1.0/-/thumbs~2/"]})");
  ASSERT_EQ(response->jobs_size(), 1);
  EXPECT_EQ(response->jobs(0).thumbnails_group_uuid(),
            "b99de71f-0ae2-4ac5-806a-c6f0f1744369~2");
}

// Flags the caller left unset are not sent (the service then applies the
// project's auto-store setting); set ones go as "true"/"false" strings, as the
// official JS client sends them.
TEST_F(RestConversionAddonOperationsTest, OnlyTheFlagsTheCallerSetAreSent) {
  const std::string paths =
      R"({"paths":["d95309eb-50bd-4594-bd7a-950011578480/document/)"
      R"(-/format/pdf/"])";
  struct Case {
    std::optional<bool> store, save_in_group;
    std::string tail;
  };
  for (const Case& c : std::vector<Case>{
           {std::nullopt, std::nullopt, "}"},
           {false, std::nullopt, R"(,"store":"false"})"},
           {true, false, R"(,"store":"true","save_in_group":"false"})"},
           {std::nullopt, false, R"(,"save_in_group":"false"})"}}) {
    SetUpAnswer(200, R"({"result":[],"problems":{}})");
    v1::ConvertDocumentRequest request;
    v1::DocumentConversion* conversion = request.add_conversions();
    conversion->set_uuid("d95309eb-50bd-4594-bd7a-950011578480");
    conversion->set_format(v1::DOCUMENT_FORMAT_PDF);
    if (c.store) request.set_store(*c.store);
    if (c.save_in_group) request.set_save_in_group(*c.save_in_group);
    ASSERT_THAT(conversions_->ConvertDocument(context_, request).status(),
                IsOk());
    EXPECT_EQ(OnlyRequest().body, paths + c.tail);
  }
  SetUpAnswer(200, R"({"result":[],"problems":{}})");
  v1::ConvertVideoRequest video;
  video.add_conversions()->set_uuid("e30112d7-3a90-4931-b2c5-688cbb46d3ac");
  video.set_store(false);
  ASSERT_THAT(conversions_->ConvertVideo(context_, video).status(), IsOk());
  EXPECT_EQ(OnlyRequest().body,
            R"({"paths":["e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/"],)"
            R"("store":"false"})");

  // uc_clamav_virus_scan without purge_infected: no params at all.
  SetUpAnswer(200, R"({"request_id":"8db3c8b4-2dea-4146-bcdb-63387e2b33c1"})");
  v1::ExecuteAddonRequest scan;
  scan.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  scan.set_target("ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768");
  scan.mutable_clamav_virus_scan();
  ASSERT_THAT(addons_->ExecuteAddon(context_, scan).status(), IsOk());
  EXPECT_EQ(OnlyRequest().body,
            R"({"target":"ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768"})");
}

TEST_F(RestConversionAddonOperationsTest, StatusesMapTheirResults) {
  // video_convert_get_status.yml
  SetUpAnswer(200,
              R"({"status":"finished","error":null,"result":{"uuid":)"
              R"("1b73cddb-8e07-44f0-a7ba-724a8300a7a9","thumbnails_group_)"
              R"(uuid":"0f181f24-7551-42e5-bebc-14b15d9d3838~2"}})");
  v1::GetVideoConversionStatusRequest request;
  request.set_token(911933811);
  auto video = conversions_->GetVideoConversionStatus(context_, request);
  ASSERT_THAT(video.status(), IsOk());
  EXPECT_EQ(OnlyRequest().url,
            absl::StrCat(kBaseUrl, "/convert/video/status/911933811/"));
  EXPECT_EQ(video->status(), v1::CONVERSION_STATUS_FINISHED);
  EXPECT_EQ(video->result_uuid(), "1b73cddb-8e07-44f0-a7ba-724a8300a7a9");
  EXPECT_EQ(video->thumbnails_group_uuid(),
            "0f181f24-7551-42e5-bebc-14b15d9d3838~2");

  SetUpAnswer(200, R"({"status":"failed","error":"no","result":null})");
  v1::GetDocumentConversionStatusRequest document_request;
  document_request.set_token(21120333);
  auto document =
      conversions_->GetDocumentConversionStatus(context_, document_request);
  ASSERT_THAT(document.status(), IsOk());
  EXPECT_EQ(OnlyRequest().url,
            absl::StrCat(kBaseUrl, "/convert/document/status/21120333/"));
  EXPECT_EQ(document->status(), v1::CONVERSION_STATUS_FAILED);
  EXPECT_EQ(document->error(), "no");
  EXPECT_TRUE(document->result_uuid().empty());
}

TEST_F(RestConversionAddonOperationsTest, DocumentInfoKeepsConvertedGroups) {
  SetUpAnswer(200,
              R"({"error":null,"format":{"name":"pdf","conversion_formats":)"
              R"([{"name":"jpg"},{"name":"png"}],"converted_groups":{"png":)"
              R"("88d59cae-c88d-459d-b99b-a87a6a2519d0~2"}}})");
  v1::GetDocumentConversionInfoRequest request;
  request.set_uuid("23d29586-713e-4152-b400-05fb54730453");
  auto info = conversions_->GetDocumentConversionInfo(context_, request);
  ASSERT_THAT(info.status(), IsOk());
  EXPECT_EQ(OnlyRequest().url,
            absl::StrCat(kBaseUrl,
                         "/convert/document/23d29586-713e-4152-b400-"
                         "05fb54730453/"));
  EXPECT_EQ(info->format(), "pdf");
  EXPECT_THAT(info->conversion_formats(), ::testing::ElementsAre("jpg", "png"));
  EXPECT_THAT(info->converted_groups(),
              Contains(Pair("png", "88d59cae-c88d-459d-b99b-a87a6a2519d0~2")));
}

TEST_F(RestConversionAddonOperationsTest, ExecuteAddonSendsTypedParams) {
  // remove_bg.yml
  SetUpAnswer(200, R"({"request_id": "c3446e41-9eb0-4301-aeb4-356d0fdcf9af"})");
  v1::ExecuteAddonRequest request;
  request.set_addon(v1::ADDON_REMOVE_BG);
  request.set_target("ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768");
  request.mutable_remove_bg()->set_crop(true);
  request.mutable_remove_bg()->set_type_level("2");
  auto response = addons_->ExecuteAddon(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  http::HttpRequest sent = OnlyRequest();
  EXPECT_EQ(sent.method, http::HttpMethod::kPost);
  EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, "/addons/remove_bg/execute/"));
  EXPECT_EQ(sent.body, R"({"target":"ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768",)"
                       R"("params":{"crop":true,"type_level":"2"}})");
  EXPECT_EQ(response->request_id(), "c3446e41-9eb0-4301-aeb4-356d0fdcf9af");
}

TEST_F(RestConversionAddonOperationsTest, AddonStatusAsksByRequestId) {
  // remove_bg_status.yml
  SetUpAnswer(200, R"({"status": "done", "result": {"file_id": )"
                   R"("bc37b996-916d-4ed7-b230-fa71a4290cb3"}})");
  v1::GetAddonExecutionStatusRequest request;
  request.set_addon(v1::ADDON_REMOVE_BG);
  request.set_request_id("c3446e41-9eb0-4301-aeb4-356d0fdcf9af");
  auto response = addons_->GetAddonExecutionStatus(context_, request);
  ASSERT_THAT(response.status(), IsOk());
  EXPECT_EQ(OnlyRequest().url,
            absl::StrCat(kBaseUrl,
                         "/addons/remove_bg/execute/status/?request_id="
                         "c3446e41-9eb0-4301-aeb4-356d0fdcf9af"));
  EXPECT_EQ(response->status(), v1::ADDON_EXECUTION_STATUS_DONE);
  EXPECT_EQ(response->result_file_id(), "bc37b996-916d-4ed7-b230-fa71a4290cb3");
}

TEST_F(RestConversionAddonOperationsTest, FieldMapErrorsBecomeViolations) {
  // uc_clamav_virus_scan_nonexistent_uuid.yml
  SetUpAnswer(400, R"({"target":["Must be a valid UUID."]})");
  v1::ExecuteAddonRequest request;
  request.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  request.set_target("nonexistent");
  auto response = addons_->ExecuteAddon(context_, request);
  EXPECT_THAT(response.status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(FieldViolations(response.status()),
              Contains(Pair("target", "Must be a valid UUID.")));
  // No params given: none sent (the service takes the defaults).
  EXPECT_EQ(OnlyRequest().body, R"({"target":"nonexistent"})");
}

TEST_F(RestConversionAddonOperationsTest, MalformedAnswerIsInternal) {
  SetUpAnswer(200, R"({"result": {}, "problems": {}})");
  v1::ConvertVideoRequest request;
  request.add_conversions()->set_uuid("e30112d7-3a90-4931-b2c5-688cbb46d3ac");
  EXPECT_THAT(conversions_->ConvertVideo(context_, request).status(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("result")));
}

}  // namespace
}  // namespace ucgate::upstream
