// Conversion and add-on requests are checked before anything goes upstream:
// INVALID_ARGUMENT naming the field.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::api {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kUuid[] = "e30112d7-3a90-4931-b2c5-688cbb46d3ac";

// The field the error names (its single violation).
std::string ViolatedField(const absl::Status& status) {
  auto violations = FieldViolations(status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return violations.size() == 1 ? violations[0].first : "";
}

v1::ConvertVideoRequest VideoRequest() {
  v1::ConvertVideoRequest request;
  v1::VideoConversion* conversion = request.add_conversions();
  conversion->set_uuid(kUuid);
  conversion->set_format(v1::VIDEO_FORMAT_WEBM);
  conversion->mutable_size()->set_width(640);
  conversion->mutable_size()->set_height(480);
  conversion->mutable_cut()->set_start_time("0:0:1.5");
  conversion->mutable_cut()->set_length("end");
  conversion->set_thumbnails(10);
  return request;
}

TEST(ConversionValidationTest, WellFormedRequestsPass) {
  EXPECT_THAT(ValidateRequest(VideoRequest(), ApiVersion::kV07), IsOk());
  v1::ConvertDocumentRequest document;
  document.add_conversions()->set_uuid(kUuid);
  document.mutable_conversions(0)->set_format(v1::DOCUMENT_FORMAT_PDF);
  document.mutable_conversions(0)->set_page(3);
  EXPECT_THAT(ValidateRequest(document, ApiVersion::kV07), IsOk());
}

TEST(ConversionValidationTest, DocumentConversionsAreChecked) {
  v1::ConvertDocumentRequest request;
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions");
  for (int i = 0; i < 101; ++i) {
    request.add_conversions()->set_uuid(kUuid);
    request.mutable_conversions(i)->set_format(v1::DOCUMENT_FORMAT_PDF);
  }
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions");
  request.mutable_conversions()->DeleteSubrange(1, 100);
  request.mutable_conversions(0)->set_page(0);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].page");
  request.mutable_conversions(0)->clear_page();
  request.mutable_conversions(0)->set_format(v1::DOCUMENT_FORMAT_UNSPECIFIED);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].format");
  request.mutable_conversions(0)->set_uuid("not-a-uuid");
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].uuid");
}

TEST(ConversionValidationTest, VideoSizesAreDivisibleByFour) {
  v1::ConvertVideoRequest request = VideoRequest();
  request.mutable_conversions(0)->mutable_size()->set_width(642);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].size");
  request.mutable_conversions(0)->mutable_size()->set_width(0);
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
  request.mutable_conversions(0)->mutable_size()->set_height(0);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].size");
  request = VideoRequest();
  request.mutable_conversions(0)->mutable_size()->set_resize_mode(
      static_cast<v1::VideoResizeMode>(99));
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].size.resize_mode");
}

TEST(ConversionValidationTest, ThumbnailsAndCutsAreBounded) {
  v1::ConvertVideoRequest request = VideoRequest();
  request.mutable_conversions(0)->set_thumbnails(51);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].thumbnails");
  for (const char* start : {"", "1/2", "a", ":1", "1:", "1.2.3", "1:2:3:4"}) {
    request = VideoRequest();
    request.mutable_conversions(0)->mutable_cut()->set_start_time(start);
    EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
              "conversions[0].cut.start_time")
        << start;
  }
  for (const char* start : {"90", "1:30", "0:0:1.0", "01:02:03.456"}) {
    request = VideoRequest();
    request.mutable_conversions(0)->mutable_cut()->set_start_time(start);
    EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk()) << start;
  }
  request = VideoRequest();
  request.mutable_conversions(0)->mutable_cut()->set_length("end/-/x");
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "conversions[0].cut.length");
}

TEST(ConversionValidationTest, StatusTokensArePositive) {
  v1::GetVideoConversionStatusRequest request;
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)), "token");
  request.set_token(911933811);
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
}

TEST(AddonValidationTest, AddonTargetAndParamsAreChecked) {
  v1::ExecuteAddonRequest request;
  request.set_target(kUuid);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)), "addon");
  request.set_addon(v1::ADDON_AWS_REKOGNITION_DETECT_LABELS);
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
  request.mutable_remove_bg()->set_crop(true);
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "params");
  request.set_addon(v1::ADDON_REMOVE_BG);
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
  request.mutable_remove_bg()->set_type_level("3");
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "remove_bg.type_level");
  request.mutable_remove_bg()->set_type_level("latest");
  request.mutable_remove_bg()->set_channels("cmyk");
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "remove_bg.channels");
  request.mutable_remove_bg()->clear_channels();
  request.set_target("nonexistent");
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "target");
  request.set_target(kUuid);
  // Add-ons are v0.7's: the row's version gate refuses the call first.
  EXPECT_THAT(ValidateCall(request, "main", ApiVersion::kV06),
              StatusIs(absl::StatusCode::kFailedPrecondition, _));
  EXPECT_THAT(ValidateCall(request, "main", ApiVersion::kV07), IsOk());
}

TEST(AddonValidationTest, StatusNeedsAUuidRequestId) {
  v1::GetAddonExecutionStatusRequest request;
  request.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  request.set_request_id("nonexistent");
  EXPECT_EQ(ViolatedField(ValidateRequest(request, ApiVersion::kV07)),
            "request_id");
  request.set_request_id(kUuid);
  EXPECT_THAT(ValidateRequest(request, ApiVersion::kV07), IsOk());
}

}  // namespace
}  // namespace ucgate::api
