// The writer produces the service's own shapes, and what it writes parses
// back to the same message.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "service/restapi/file_json.h"
#include "tests/restapi/sample_files.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::restapi {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::SampleDocument;
using testing::SampleFile;
using testing::SampleFreshCopy;
using testing::SampleImage;
using testing::SampleVideo;

std::string Write(const v1::File& file, FileJsonOptions options) {
  std::string out;
  AppendFileJson(file, options, &out);
  return out;
}

FileJsonOptions V07(bool include_appdata = false) {
  FileJsonOptions options;
  options.version = ApiVersion::kV07;
  options.include_appdata = include_appdata;
  return options;
}

FileJsonOptions V06(bool include_rekognition_info = false) {
  FileJsonOptions options;
  options.version = ApiVersion::kV06;
  options.include_rekognition_info = include_rekognition_info;
  return options;
}

// rest_file_info.yml, first answer, byte for byte: key order, nulls,
// microsecond timestamps and integer-valued dpi all as the service writes.
TEST(AppendFileJsonTest, V07MatchesTheRecordedAnswer) {
  constexpr absl::string_view kRecorded =
      R"({"datetime_removed":null,"datetime_stored":null,"datetime_uploaded":"2022-09-19T12:29:59.461061Z","is_image":true,"is_ready":true,"mime_type":"application/octet-stream","original_file_url":"https://ucarecdn.com/2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/kitten.jpeg","original_filename":"kitten.jpeg","size":1290,"url":"https://api.uploadcare.com/files/2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/","uuid":"2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6","variations":null,"content_info":{"mime":{"mime":"image/jpeg","type":"image","subtype":"jpeg"},"image":{"dpi":[96,96],"width":50,"format":"JPEG","height":50,"sequence":false,"color_mode":"RGB","orientation":null,"geo_location":null,"datetime_original":null}},"metadata":{"subsystem":"new test value"}})";
  v1::File file;
  file.set_uuid("2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6");
  file.set_url(
      "https://api.uploadcare.com/files/2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/");
  file.set_original_file_url(
      "https://ucarecdn.com/2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/kitten.jpeg");
  file.set_original_filename("kitten.jpeg");
  file.set_mime_type("application/octet-stream");
  file.set_size(1290);
  file.set_is_image(true);
  file.set_is_ready(true);
  testing::SetTimestamp(1663590599, 461061000,
                        file.mutable_datetime_uploaded());
  v1::MimeInfo* mime = file.mutable_content_info()->mutable_mime();
  mime->set_mime("image/jpeg");
  mime->set_type("image");
  mime->set_subtype("jpeg");
  v1::ImageInfo* image = file.mutable_content_info()->mutable_image();
  image->add_dpi(96);
  image->add_dpi(96);
  image->set_width(50);
  image->set_height(50);
  image->set_format("JPEG");
  image->set_color_mode("RGB");
  (*file.mutable_metadata())["subsystem"] = "new test value";

  // The recording predates tags, which every v0.7 file carries since 2026.
  std::string recorded_with_tags(kRecorded);
  recorded_with_tags.insert(recorded_with_tags.size() - 1, R"(,"tags":[])");
  EXPECT_EQ(Write(file, V07()), recorded_with_tags);

  // And the recorded answer parses to exactly that message.
  v1::File parsed;
  ASSERT_THAT(ParseFile(std::string(kRecorded), &parsed), IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, file)) << parsed.DebugString();
}

// rest_file_internal_copy.yml: a fresh copy has null is_image and
// content_info, and no appdata unless asked for.
TEST(AppendFileJsonTest, V07FreshCopyHasNulls) {
  const v1::File copy = SampleFreshCopy(1);
  const std::string json = Write(copy, V07());
  EXPECT_THAT(json, HasSubstr(R"("is_image":null)"));
  EXPECT_THAT(json,
              HasSubstr(R"("content_info":null,"metadata":{},"tags":[]})"));
  EXPECT_THAT(json, HasSubstr(R"("datetime_removed":null)"));
  EXPECT_THAT(json, HasSubstr(R"("size":0)"));
  EXPECT_THAT(json, Not(HasSubstr("appdata")));
  EXPECT_THAT(json, Not(HasSubstr("source")));
  EXPECT_THAT(Write(copy, V07(/*include_appdata=*/true)),
              HasSubstr(R"("metadata":{},"tags":[],"appdata":{}})"));
}

TEST(AppendFileJsonTest, TimestampsDropZeroFractionsAndKeepNanoseconds) {
  v1::File file = SampleFreshCopy(0);
  testing::SetTimestamp(1579510409, 0, file.mutable_datetime_uploaded());
  testing::SetTimestamp(1579510409, 5000, file.mutable_datetime_stored());
  testing::SetTimestamp(1579510409, 123456789, file.mutable_datetime_removed());
  const std::string json = Write(file, V07());
  EXPECT_THAT(json, HasSubstr(R"("datetime_uploaded":"2020-01-20T08:53:29Z")"));
  EXPECT_THAT(json,
              HasSubstr(R"("datetime_stored":"2020-01-20T08:53:29.000005Z")"));
  EXPECT_THAT(
      json,
      HasSubstr(R"("datetime_removed":"2020-01-20T08:53:29.123456789Z")"));
}

TEST(AppendFileJsonTest, V07VideoHasStreamArraysAndNumericChannels) {
  const std::string json = Write(SampleVideo(0), V07());
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("video":{"audio":[{"codec":"aac","bitrate":129,"channels":2,"sample_rate":44100}],"video":[{"codec":"h264","width":640,"height":480,"bitrate":433,"frame_rate":29.97}],"format":"mp4","bitrate":579,"duration":200044})"));
  EXPECT_THAT(json, Not(HasSubstr("video_info")));
}

TEST(AppendFileJsonTest, V07AppDataOnlyWhenAsked) {
  const v1::File image = SampleImage(1, /*with_appdata=*/true);
  EXPECT_THAT(Write(image, V07()), Not(HasSubstr("appdata")));
  const std::string json = Write(image, V07(/*include_appdata=*/true));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("uc_clamav_virus_scan":{"data":{"infected":false},"datetime_created":"2024-02-16T14:44:29.676188Z","datetime_updated":"2024-02-16T14:44:29.676207Z","version":"1.0.1"})"));
  EXPECT_THAT(json, HasSubstr(R"("Nothing":null)"));
  EXPECT_THAT(json, HasSubstr(R"("Confidence":97.41680908203125)"));
}

TEST(AppendFileJsonTest, EveryV07FileCarriesItsTags) {
  v1::File image = SampleImage(1, /*with_appdata=*/false);
  EXPECT_THAT(Write(image, V07()), HasSubstr(R"("tags":[])"));
  image.add_tags("b\"q");
  image.add_tags("a");
  const std::string json = Write(image, V07());
  EXPECT_THAT(json, HasSubstr(R"("metadata":{)"));
  EXPECT_THAT(json, HasSubstr(R"("tags":["b\"q","a"])"));
  v1::File parsed;
  ASSERT_THAT(ParseFile(json, &parsed), IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, image)) << json;
  // v0.6 has no tags.
  EXPECT_THAT(Write(image, V06()), Not(HasSubstr("tags")));
}

TEST(AppendFileJsonTest, V06HasImageInfoVideoInfoAndStringChannels) {
  const std::string video = Write(SampleVideo(0), V06());
  EXPECT_THAT(
      video,
      HasSubstr(
          R"("video_info":{"audio":{"codec":"aac","bitrate":129,"channels":"2","sample_rate":44100},"video":{"codec":"h264","width":640,"height":480,"bitrate":433,"frame_rate":29.97},"format":"mp4","bitrate":579,"duration":200044})"));
  EXPECT_THAT(video, HasSubstr(R"("image_info":null)"));
  EXPECT_THAT(video, Not(HasSubstr("content_info")));
  EXPECT_THAT(video, Not(HasSubstr("metadata")));
  EXPECT_THAT(video, HasSubstr(R"("source":null})"));

  const std::string image = Write(SampleImage(2, false), V06());
  EXPECT_THAT(
      image,
      HasSubstr(
          R"("image_info":{"color_mode":"RGB","orientation":3,"format":"JPEG","sequence":false,"height":4516,"width":3011,"geo_location":{"latitude":43.46744833333334,"longitude":11.885126666663888},"datetime_original":"2023-03-10T16:23:15","dpi":[72,72]},"is_image":true)"));
  EXPECT_THAT(image, HasSubstr(R"("video_info":null)"));
}

TEST(AppendFileJsonTest, V06NullStreamsWhenAbsent) {
  v1::File video = SampleVideo(0);
  video.mutable_content_info()->mutable_video()->clear_audio();
  video.mutable_content_info()
      ->mutable_video()
      ->mutable_video(0)
      ->clear_bitrate();
  const std::string json = Write(video, V06());
  EXPECT_THAT(json, HasSubstr(R"("video_info":{"audio":null,"video":{)"));
  EXPECT_THAT(json, HasSubstr(R"("bitrate":null,"frame_rate")"));
}

TEST(AppendFileJsonTest, V06RekognitionInfoOnlyWhenAsked) {
  v1::File image = SampleImage(2, false);
  (*image.mutable_rekognition_info())["Window"] = 0.719;
  (*image.mutable_rekognition_info())["Art"] = 0.60401;
  EXPECT_THAT(Write(image, V06()), Not(HasSubstr("rekognition_info")));
  EXPECT_THAT(
      Write(image, V06(/*include_rekognition_info=*/true)),
      HasSubstr(R"("rekognition_info":{"Art":0.60401,"Window":0.719}})"));
  EXPECT_THAT(Write(SampleVideo(0), V06(true)),
              HasSubstr(R"("rekognition_info":null})"));
}

TEST(AppendFileJsonTest, NonFiniteNumbersBecomeNull) {
  v1::File video = SampleVideo(0);
  video.mutable_content_info()
      ->mutable_video()
      ->mutable_video(0)
      ->set_frame_rate(std::numeric_limits<double>::quiet_NaN());
  EXPECT_THAT(Write(video, V07()), HasSubstr(R"("frame_rate":null)"));
}

TEST(AppendFileJsonTest, V07RoundTripsEverySample) {
  for (int index = 0; index < 40; ++index) {
    const v1::File file = SampleFile(index);
    const std::string json = Write(file, V07(/*include_appdata=*/true));
    v1::File parsed;
    ASSERT_THAT(ParseFile(json, &parsed), IsOk()) << json;
    EXPECT_TRUE(MessageDifferencer::Equals(parsed, file))
        << "sample " << index << "\nwritten: " << json
        << "\nparsed: " << parsed.DebugString();
  }
}

TEST(AppendFileJsonTest, V07RoundTripKeepsSourceOfCopies) {
  v1::File copy = SampleFreshCopy(3);
  copy.set_source("/35b7fcd7-9bca-40e1-99b1-2adcc21c405d/");
  v1::File parsed;
  ASSERT_THAT(ParseFile(Write(copy, V07()), &parsed), IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, copy)) << parsed.DebugString();
}

// v0.6 has no metadata or appdata, and derives content_info.mime.
TEST(AppendFileJsonTest, V06RoundTripsEverySample) {
  for (int index = 0; index < 40; ++index) {
    v1::File file = SampleFile(index);
    file.clear_metadata();
    file.clear_appdata();
    file.set_source(index % 2 ? "/35b7fcd7-9bca-40e1-99b1-2adcc21c405d/" : "");
    if (file.content_info().image().has_orientation()) {
      (*file.mutable_rekognition_info())["Dog"] = 0.97;
    }
    if (!file.content_info().has_mime()) {
      v1::MimeInfo* mime = file.mutable_content_info()->mutable_mime();
      mime->set_mime("application/octet-stream");
      mime->set_type("application");
      mime->set_subtype("octet-stream");
    }
    const std::string json =
        Write(file, V06(/*include_rekognition_info=*/true));
    v1::File parsed;
    ASSERT_THAT(ParseFile(json, &parsed), IsOk()) << json;
    EXPECT_TRUE(MessageDifferencer::Equals(parsed, file))
        << "sample " << index << "\nwritten: " << json
        << "\nparsed: " << parsed.DebugString();
  }
}

TEST(AppendFileJsonTest, DocumentHasNeitherImageNorVideo) {
  const std::string json = Write(SampleDocument(3), V07());
  EXPECT_THAT(
      json,
      HasSubstr(
          R"("content_info":{"mime":{"mime":"application/pdf","type":"application","subtype":"pdf"}},)"));
  EXPECT_THAT(json,
              HasSubstr(R"("datetime_removed":"2021-07-20T14:06:43.565506Z")"));
}

}  // namespace
}  // namespace ucgate::restapi
