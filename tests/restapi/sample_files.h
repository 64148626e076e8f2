// Realistic File messages for the JSON tests and the mapping benchmark: an
// image with EXIF details, a video with streams, a document, a fresh copy.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/struct.pb.h"
#include "uploadcare/gateway/v1/file.pb.h"

namespace ucgate::restapi::testing {

namespace v1 = ::uploadcare::gateway::v1;

inline void SetTimestamp(int64_t seconds, int32_t nanos,
                         google::protobuf::Timestamp* timestamp) {
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(nanos);
}

inline std::string SampleUuid(int index) {
  return absl::StrFormat("%08x-d423-4de6-8ee5-%012x", 0x2e17f5d1 + index,
                         0x6773cc4a7fa6 + index);
}

// Fields every sample shares; `index` varies names, sizes and times.
inline void FillCommon(int index, v1::File* file) {
  const std::string uuid = SampleUuid(index);
  file->set_uuid(uuid);
  file->set_url(absl::StrCat("https://api.uploadcare.com/files/", uuid, "/"));
  SetTimestamp(1663590599 + index * 37, 461061000,
               file->mutable_datetime_uploaded());
  if (index % 3 != 0) {
    SetTimestamp(1663590600 + index * 37, (index % 5) * 1000,
                 file->mutable_datetime_stored());
  }
  file->set_is_ready(true);
}

inline void FillMime(const std::string& mime, v1::File* file) {
  file->set_mime_type(mime);
  v1::MimeInfo* info = file->mutable_content_info()->mutable_mime();
  info->set_mime(mime);
  const size_t slash = mime.find('/');
  info->set_type(mime.substr(0, slash));
  info->set_subtype(mime.substr(slash + 1));
}

// A JPEG with EXIF data, metadata and (with appdata) add-on results.
inline v1::File SampleImage(int index, bool with_appdata) {
  v1::File file;
  FillCommon(index, &file);
  FillMime("image/jpeg", &file);
  file.set_is_image(true);
  file.set_original_filename(absl::StrCat("kitten \"", index, "\".jpeg"));
  file.set_original_file_url(absl::StrCat("https://ucarecdn.com/", file.uuid(),
                                          "/kitten", index, ".jpeg"));
  file.set_size(1290 + index * 113);
  v1::ImageInfo* image = file.mutable_content_info()->mutable_image();
  image->set_color_mode("RGB");
  image->set_format("JPEG");
  image->set_width(3011);
  image->set_height(4516);
  image->set_sequence(false);
  image->add_dpi(72);
  image->add_dpi(72);
  if (index % 2 == 0) {
    image->set_orientation(1 + index % 8);
    image->mutable_geo_location()->set_latitude(43.46744833333334);
    image->mutable_geo_location()->set_longitude(11.885126666663888);
    image->set_datetime_original("2023-03-10T16:23:15");
  }
  (*file.mutable_metadata())["subsystem"] = "new test value";
  (*file.mutable_metadata())["tag\n\"quoted\""] = "caf\xC3\xA9 \\ /";
  if (with_appdata) {
    v1::AppData& scan = (*file.mutable_appdata())["uc_clamav_virus_scan"];
    (*scan.mutable_data()->mutable_fields())["infected"].set_bool_value(false);
    scan.set_version("1.0.1");
    SetTimestamp(1708094669, 676188000, scan.mutable_datetime_created());
    SetTimestamp(1708094669, 676207000, scan.mutable_datetime_updated());

    v1::AppData& labels =
        (*file.mutable_appdata())["aws_rekognition_detect_labels"];
    labels.set_version("2016-06-27");
    SetTimestamp(1708783223, 545995000, labels.mutable_datetime_created());
    SetTimestamp(1708783630, 598091000, labels.mutable_datetime_updated());
    auto& fields = *labels.mutable_data()->mutable_fields();
    fields["LabelModelVersion"].set_string_value("3.0");
    auto* list = fields["Labels"].mutable_list_value();
    for (const char* name : {"Dog", "Husky", "Leash"}) {
      auto& label =
          *list->add_values()->mutable_struct_value()->mutable_fields();
      label["Name"].set_string_value(name);
      label["Confidence"].set_number_value(97.41680908203125);
      auto* parents = label["Parents"].mutable_list_value();
      (*parents->add_values()->mutable_struct_value()->mutable_fields())["Name"]
          .set_string_value("Animal");
      auto* instances = label["Instances"].mutable_list_value();
      auto& box = *(*instances->add_values()
                         ->mutable_struct_value()
                         ->mutable_fields())["BoundingBox"]
                       .mutable_struct_value()
                       ->mutable_fields();
      box["Top"].set_number_value(0.22813057899475098);
      box["Left"].set_number_value(0.20908746123313904);
      box["Width"].set_number_value(0.603455662727356);
      box["Height"].set_number_value(0.5941042304039001);
      label["Nothing"].set_null_value(google::protobuf::NULL_VALUE);
    }
  }
  return file;
}

// An MP4 with one audio and one video stream and conversion variations.
inline v1::File SampleVideo(int index) {
  v1::File file;
  FillCommon(index, &file);
  FillMime("video/mp4", &file);
  file.set_is_image(false);
  file.set_original_filename(absl::StrCat("video", index, ".mp4"));
  file.set_original_file_url(
      absl::StrCat("https://ucarecdn.com/", file.uuid(), "/video.mp4"));
  file.set_size(14479722 + index);
  v1::VideoInfo* video = file.mutable_content_info()->mutable_video();
  video->set_format("mp4");
  video->set_bitrate(579);
  video->set_duration(200044);
  v1::AudioStream* audio = video->add_audio();
  audio->set_codec("aac");
  audio->set_bitrate(129);
  audio->set_channels(2);
  audio->set_sample_rate(44100);
  v1::VideoStream* stream = video->add_video();
  stream->set_codec("h264");
  stream->set_width(640);
  stream->set_height(480);
  stream->set_bitrate(433);
  stream->set_frame_rate(29.97);
  (*file.mutable_variations())["video/-/format/mp4/-/quality/lightest/"] =
      SampleUuid(index + 100000);
  (*file.mutable_variations())
      ["video/-/format/mp4/-/quality/lightest/-/thumbs~1/0/"] =
          SampleUuid(index + 200000);
  return file;
}

// A PDF: no image or video info.
inline v1::File SampleDocument(int index) {
  v1::File file;
  FillCommon(index, &file);
  FillMime("application/pdf", &file);
  file.set_is_image(false);
  file.set_original_filename(absl::StrCat("report-", index, ".pdf"));
  file.set_original_file_url(
      absl::StrCat("https://ucarecdn.com/", file.uuid(), "/report.pdf"));
  file.set_size(57932 + index);
  SetTimestamp(1626790000 + index, 565506000, file.mutable_datetime_removed());
  return file;
}

// A fresh local copy: size 0, is_image unknown, no content info yet.
inline v1::File SampleFreshCopy(int index) {
  v1::File file;
  FillCommon(index, &file);
  file.set_mime_type("application/octet-stream");
  file.set_original_filename("image.png");
  file.set_original_file_url(
      absl::StrCat("https://ucarecdn.com/", file.uuid(), "/image.png"));
  return file;
}

// A mix in realistic proportions: mostly images, appdata on some.
inline v1::File SampleFile(int index) {
  switch (index % 10) {
    case 0:
    case 5:
      return SampleVideo(index);
    case 3:
      return SampleDocument(index);
    case 9:
      return SampleFreshCopy(index);
    default:
      return SampleImage(index, /*with_appdata=*/index % 4 == 1);
  }
}

}  // namespace ucgate::restapi::testing
