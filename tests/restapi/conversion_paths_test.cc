// Conversion paths: the recorded live paths parse into the typed messages,
// and the typed messages build exactly those paths.
#include "service/restapi/conversion_paths.h"

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::restapi {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

// From the cassettes document_convert_convert_many and
// document_convert_convert_multipage_zip.
constexpr char kRecordedPagePath[] =
    "a4b9db2f-1591-4f4c-8f68-94018924525d/document/-/format/png/-/page/1/";
constexpr char kRecordedDocumentPath[] =
    "d95309eb-50bd-4594-bd7a-950011578480/document/-/format/jpg/";
// From video_convert_convert_many (its "-/thumbs~2/1/" carries a trailing
// thumbnail index the gateway never writes).
constexpr char kRecordedVideoPath[] =
    "e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/-/size/600x400/change_ratio/"
    "-/quality/best/-/format/ogg/-/cut/0:0:0.0/0:0:1.0/-/thumbs~2/1/";
constexpr char kRecordedBadSizePath[] =
    "e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/-/size/x/change_ratio/"
    "-/quality/best/-/format/ogg/-/cut/0:0:0.0/0:0:1.0/-/thumbs~2/1/";

TEST(ConversionPathsTest, DocumentPathWithPageRoundTrips) {
  v1::DocumentConversion conversion;
  ASSERT_THAT(ParseDocumentConversionPath(kRecordedPagePath, &conversion),
              IsOk());
  EXPECT_EQ(conversion.uuid(), "a4b9db2f-1591-4f4c-8f68-94018924525d");
  EXPECT_EQ(conversion.format(), v1::DOCUMENT_FORMAT_PNG);
  ASSERT_TRUE(conversion.has_page());
  EXPECT_EQ(conversion.page(), 1);
  EXPECT_EQ(DocumentConversionPath(conversion), kRecordedPagePath);
}

TEST(ConversionPathsTest, DocumentPathWithoutPageHasNoPageOperation) {
  v1::DocumentConversion conversion;
  conversion.set_uuid("d95309eb-50bd-4594-bd7a-950011578480");
  conversion.set_format(v1::DOCUMENT_FORMAT_JPG);
  EXPECT_EQ(DocumentConversionPath(conversion), kRecordedDocumentPath);
  v1::DocumentConversion parsed;
  ASSERT_THAT(ParseDocumentConversionPath(kRecordedDocumentPath, &parsed),
              IsOk());
  EXPECT_FALSE(parsed.has_page());
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, conversion));
}

TEST(ConversionPathsTest, RecordedVideoPathParsesIntoEveryOperation) {
  v1::VideoConversion conversion;
  ASSERT_THAT(ParseVideoConversionPath(kRecordedVideoPath, &conversion),
              IsOk());
  EXPECT_EQ(conversion.uuid(), "e30112d7-3a90-4931-b2c5-688cbb46d3ac");
  EXPECT_EQ(conversion.size().width(), 600);
  EXPECT_EQ(conversion.size().height(), 400);
  EXPECT_EQ(conversion.size().resize_mode(),
            v1::VIDEO_RESIZE_MODE_CHANGE_RATIO);
  EXPECT_EQ(conversion.quality(), v1::VIDEO_QUALITY_BEST);
  EXPECT_EQ(conversion.format(), v1::VIDEO_FORMAT_OGG);
  EXPECT_EQ(conversion.cut().start_time(), "0:0:0.0");
  EXPECT_EQ(conversion.cut().length(), "0:0:1.0");
  EXPECT_EQ(conversion.thumbnails(), 2);
  // Same operations in the same order, without the trailing index.
  EXPECT_EQ(VideoConversionPath(conversion),
            "e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/-/size/600x400/"
            "change_ratio/-/quality/best/-/format/ogg/-/cut/0:0:0.0/0:0:1.0/"
            "-/thumbs~2/");
}

TEST(ConversionPathsTest, VideoPathHoldsOnlyTheSetParts) {
  v1::VideoConversion conversion;
  conversion.set_uuid("e30112d7-3a90-4931-b2c5-688cbb46d3ac");
  EXPECT_EQ(VideoConversionPath(conversion),
            "e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/");
  conversion.set_format(v1::VIDEO_FORMAT_WEBM);
  conversion.mutable_size()->set_height(360);
  EXPECT_EQ(VideoConversionPath(conversion),
            "e30112d7-3a90-4931-b2c5-688cbb46d3ac/video/-/size/x360/"
            "-/format/webm/");
  v1::VideoConversion parsed;
  ASSERT_THAT(
      ParseVideoConversionPath(VideoConversionPath(conversion), &parsed),
      IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, conversion));
}

TEST(ConversionPathsTest, RecordedBadSizeIsRefusedLikeTheService) {
  v1::VideoConversion conversion;
  conversion.set_uuid("left over");
  EXPECT_THAT(
      ParseVideoConversionPath(kRecordedBadSizePath, &conversion),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("Mandatory argument "
                         "\"OneOrTwoDimensionsDivisibleByFour(size)\" not "
                         "found while parsing \"size/x")));
  EXPECT_TRUE(conversion.uuid().empty());
}

TEST(ConversionPathsTest, MalformedPathsAreRefused) {
  v1::DocumentConversion document;
  for (const char* path :
       {"uuid/document/-/format/pdf", "uuid/document/",
        "uuid/video/-/format/pdf/", "uuid/document/-/format/exe/",
        "uuid/document/-/format/pdf/-/page/0/",
        "uuid/document/-/format/pdf/-/rotate/90/", "uuid/document/pdf/",
        "uuid/document/-/-/format/pdf/"}) {
    EXPECT_THAT(ParseDocumentConversionPath(path, &document),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << path;
  }
  v1::VideoConversion video;
  for (const char* path :
       {"uuid/video/-/size/axb/", "uuid/video/-/quality/ultra/",
        "uuid/video/-/size/640x480/squash/", "uuid/video/-/cut/1/",
        "uuid/video/-/thumbs~0/", "uuid/document/-/format/mp4/"}) {
    EXPECT_THAT(ParseVideoConversionPath(path, &video),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << path;
  }
}

TEST(ConversionPathsTest, EnumNamesRoundTrip) {
  for (int value = 1; value <= 11; ++value) {
    auto format = static_cast<v1::DocumentFormat>(value);
    v1::DocumentFormat back;
    ASSERT_TRUE(DocumentFormatFromName(DocumentFormatName(format), &back));
    EXPECT_EQ(back, format);
  }
  EXPECT_EQ(DocumentFormatName(v1::DOCUMENT_FORMAT_UNSPECIFIED), "");
  EXPECT_EQ(VideoQualityName(v1::VIDEO_QUALITY_LIGHTEST), "lightest");
  EXPECT_EQ(VideoResizeModeName(v1::VIDEO_RESIZE_MODE_ADD_PADDING),
            "add_padding");
  v1::VideoFormat video_format;
  EXPECT_FALSE(VideoFormatFromName("avi", &video_format));
}

}  // namespace
}  // namespace ucgate::restapi
