// Upstream JSON -> File with simdjson On-Demand: every object is walked once,
// field by field, dispatching on the key (no find_field lookups, which would
// rescan). The JSON path of a failure is assembled only while unwinding from
// it, so successful parses pay nothing for error reporting.
#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_reader.h"
#include "service/restapi/json_time.h"

namespace ucgate::restapi {
namespace {

using internal::AfterGetterFailed;
using internal::ErrorTrail;
using internal::ForEachField;
using internal::ForEachRootField;
using internal::GetArray;
using internal::GetObject;
using internal::KeyTable;
using internal::NextField;
using internal::ParseDocument;
using internal::ReadBool;
using internal::ReadDouble;
using internal::ReadFile;
using internal::ReadFileArray;
using internal::ReadInt32;
using internal::ReadInt64;
using internal::ReadMessage;
using internal::ReadString;
using internal::ReadStringMap;
using internal::ReadTimestamp;
using internal::TakeIfNull;
using internal::TakeNull;
using internal::TypeOf;
namespace od = simdjson::ondemand;
using google::protobuf::Struct;
using google::protobuf::Timestamp;
using google::protobuf::Value;

// appdata's `data` is arbitrary add-on output. Each JSON level costs two
// nested messages (Value and Struct or ListValue): protobuf refuses to parse
// more than 100 of them, and its JSON printer (ucctl, grpcurl, buf curl)
// more than 64, counting the answer's own levels above the data; 24 JSON
// levels leave room for both. What lies deeper is kept as a string holding
// its JSON text: one add-on's odd output must not fail the whole file, page
// or stream, nor make the answer unprintable.
constexpr int kMaxStructDepth = 24;

// The object or array `value` (of `type`) as a string value with its JSON
// text.
bool KeepAsJsonText(od::value& value, od::json_type type, Value* out,
                    ErrorTrail& trail) {
  std::string_view text;
  if (type == od::json_type::object) {
    od::object object;
    if (auto error = value.get_object().get(object)) {
      return trail.Malformed(error);
    }
    if (auto error = object.raw_json().get(text)) {
      return trail.Malformed(error);
    }
  } else {
    od::array array;
    if (auto error = value.get_array().get(array)) {
      return trail.Malformed(error);
    }
    if (auto error = array.raw_json().get(text)) {
      return trail.Malformed(error);
    }
  }
  out->set_string_value(text.data(), text.size());
  return true;
}

bool ReadStructValue(od::value& value, Value* out, int depth,
                     ErrorTrail& trail);

bool ReadStruct(od::value& value, Struct* out, int depth, ErrorTrail& trail) {
  if (depth > kMaxStructDepth) {
    return trail.Fail(
        absl::StrCat("nested deeper than ", kMaxStructDepth, " levels"));
  }
  auto& fields = *out->mutable_fields();
  return ForEachUnescapedField(
      value, trail, [&](std::string_view key, od::value& field_value) {
        Value& slot = fields[key];
        slot.Clear();  // A repeated key replaces, as in any JSON reader.
        return ReadStructValue(field_value, &slot, depth, trail);
      });
}

bool ReadStructValue(od::value& value, Value* out, int depth,
                     ErrorTrail& trail) {
  od::json_type type{};
  if (!TypeOf(value, &type, trail)) return false;
  switch (type) {
    case od::json_type::object:
      if (depth + 1 > kMaxStructDepth) {
        return KeepAsJsonText(value, type, out, trail);
      }
      return ReadStruct(value, out->mutable_struct_value(), depth + 1, trail);
    case od::json_type::array: {
      if (depth + 1 > kMaxStructDepth) {
        return KeepAsJsonText(value, type, out, trail);
      }
      auto* list = out->mutable_list_value();
      return ForEachArrayItem(value, trail, [&](od::value& item, size_t) {
        return ReadStructValue(item, list->add_values(), depth + 1, trail);
      });
    }
    case od::json_type::number: {
      double number;
      if (auto error = value.get_double().get(number)) {
        return trail.Malformed(error);
      }
      out->set_number_value(number);
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      if (auto error = value.get_string().get(text)) {
        return trail.Malformed(error);
      }
      out->set_string_value(text.data(), text.size());
      return true;
    }
    case od::json_type::boolean: {
      bool flag;
      if (auto error = value.get_bool().get(flag)) {
        return trail.Malformed(error);
      }
      out->set_bool_value(flag);
      return true;
    }
    case od::json_type::null:
      out->set_null_value(google::protobuf::NULL_VALUE);
      return TakeNull(value, trail);
  }
  return trail.Fail("unexpected JSON value");
}

// ---------------------------------------------------------------------------
// Content info.

enum class MimeKey { kUnknown, kMime, kType, kSubtype };
constexpr KeyTable<MimeKey, 3> kMimeKeys({{
    {"mime", MimeKey::kMime},
    {"type", MimeKey::kType},
    {"subtype", MimeKey::kSubtype},
}});

bool ReadMime(od::value& value, v1::MimeInfo* mime, ErrorTrail& trail) {
  return ForEachField(
      value, kMimeKeys, trail, [&](MimeKey id, od::value& field) {
        switch (id) {
          case MimeKey::kMime:
            return ReadString(field, mime->mutable_mime(), trail);
          case MimeKey::kType:
            return ReadString(field, mime->mutable_type(), trail);
          case MimeKey::kSubtype:
            return ReadString(field, mime->mutable_subtype(), trail);
          case MimeKey::kUnknown:
            break;
        }
        return true;
      });
}

enum class GeoKey { kUnknown, kLatitude, kLongitude };
constexpr KeyTable<GeoKey, 2> kGeoKeys({{
    {"latitude", GeoKey::kLatitude},
    {"longitude", GeoKey::kLongitude},
}});

bool ReadGeoLocation(od::value& value, v1::GeoLocation* location,
                     ErrorTrail& trail) {
  return ForEachField(value, kGeoKeys, trail, [&](GeoKey id, od::value& field) {
    double number = 0;
    bool set = false;
    if (!ReadDouble(field, &number, &set, trail)) return false;
    if (id == GeoKey::kLatitude) location->set_latitude(number);
    if (id == GeoKey::kLongitude) location->set_longitude(number);
    return true;
  });
}

bool ReadDpi(od::value& value, v1::ImageInfo* image, ErrorTrail& trail) {
  image->clear_dpi();
  return ForEachArrayItemOrNull(value, trail, [&](od::value& item, size_t) {
    double number = 0;
    bool present = false;
    if (!ReadDouble(item, &number, &present, trail)) return false;
    if (!present) return trail.Fail("expected a number");
    image->add_dpi(number);
    return true;
  });
  return true;
}

enum class ImageKey {
  kUnknown,
  kDpi,
  kWidth,
  kFormat,
  kHeight,
  kSequence,
  kColorMode,
  kOrientation,
  kGeoLocation,
  kDatetimeOriginal,
};
constexpr KeyTable<ImageKey, 9> kImageKeys({{
    {"dpi", ImageKey::kDpi},
    {"width", ImageKey::kWidth},
    {"format", ImageKey::kFormat},
    {"height", ImageKey::kHeight},
    {"sequence", ImageKey::kSequence},
    {"color_mode", ImageKey::kColorMode},
    {"orientation", ImageKey::kOrientation},
    {"geo_location", ImageKey::kGeoLocation},
    {"datetime_original", ImageKey::kDatetimeOriginal},
}});

// v0.7 content_info.image and v0.6 image_info share their fields.
bool ReadImage(od::value& value, v1::ImageInfo* image, ErrorTrail& trail) {
  return ForEachField(
      value, kImageKeys, trail, [&](ImageKey id, od::value& field) {
        bool set = false;
        int32_t number = 0;
        switch (id) {
          case ImageKey::kDpi:
            return ReadDpi(field, image, trail);
          case ImageKey::kWidth:
            if (!ReadInt32(field, &number, &set, trail)) return false;
            image->set_width(number);
            return true;
          case ImageKey::kHeight:
            if (!ReadInt32(field, &number, &set, trail)) return false;
            image->set_height(number);
            return true;
          case ImageKey::kFormat:
            return ReadString(field, image->mutable_format(), trail);
          case ImageKey::kSequence: {
            bool flag = false;
            if (!ReadBool(field, &flag, &set, trail)) return false;
            image->set_sequence(flag);
            return true;
          }
          case ImageKey::kColorMode:
            return ReadString(field, image->mutable_color_mode(), trail);
          case ImageKey::kOrientation:
            if (!ReadInt32(field, &number, &set, trail)) return false;
            if (set) {
              image->set_orientation(number);
            } else {
              image->clear_orientation();
            }
            return true;
          case ImageKey::kGeoLocation:
            return ReadMessage(
                field, [&] { return image->mutable_geo_location(); }, trail,
                [&](od::value& object, v1::GeoLocation* location) {
                  return ReadGeoLocation(object, location, trail);
                });
          case ImageKey::kDatetimeOriginal:
            return ReadString(field, image->mutable_datetime_original(), trail);
          case ImageKey::kUnknown:
            break;
        }
        return true;
      });
}

enum class AudioKey { kUnknown, kCodec, kBitrate, kChannels, kSampleRate };
constexpr KeyTable<AudioKey, 4> kAudioKeys({{
    {"codec", AudioKey::kCodec},
    {"bitrate", AudioKey::kBitrate},
    {"channels", AudioKey::kChannels},
    {"sample_rate", AudioKey::kSampleRate},
}});

bool ReadAudio(od::value& value, v1::AudioStream* audio, ErrorTrail& trail) {
  return ForEachField(
      value, kAudioKeys, trail, [&](AudioKey id, od::value& field) {
        bool set = false;
        int64_t number = 0;
        switch (id) {
          case AudioKey::kCodec:
            return ReadString(field, audio->mutable_codec(), trail);
          case AudioKey::kBitrate:
            if (!ReadInt64(field, &number, &set, trail)) return false;
            if (set) audio->set_bitrate(number);
            return true;
          case AudioKey::kChannels: {
            int32_t channels = 0;
            if (!ReadInt32(field, &channels, &set, trail)) return false;
            if (set) audio->set_channels(channels);
            return true;
          }
          case AudioKey::kSampleRate:
            if (!ReadInt64(field, &number, &set, trail)) return false;
            if (set) audio->set_sample_rate(number);
            return true;
          case AudioKey::kUnknown:
            break;
        }
        return true;
      });
}

enum class StreamKey {
  kUnknown,
  kCodec,
  kWidth,
  kHeight,
  kBitrate,
  kFrameRate
};
constexpr KeyTable<StreamKey, 5> kStreamKeys({{
    {"codec", StreamKey::kCodec},
    {"width", StreamKey::kWidth},
    {"height", StreamKey::kHeight},
    {"bitrate", StreamKey::kBitrate},
    {"frame_rate", StreamKey::kFrameRate},
}});

bool ReadVideoStream(od::value& value, v1::VideoStream* video,
                     ErrorTrail& trail) {
  return ForEachField(
      value, kStreamKeys, trail, [&](StreamKey id, od::value& field) {
        bool set = false;
        int32_t number = 0;
        switch (id) {
          case StreamKey::kCodec:
            return ReadString(field, video->mutable_codec(), trail);
          case StreamKey::kWidth:
            if (!ReadInt32(field, &number, &set, trail)) return false;
            video->set_width(number);
            return true;
          case StreamKey::kHeight:
            if (!ReadInt32(field, &number, &set, trail)) return false;
            video->set_height(number);
            return true;
          case StreamKey::kBitrate: {
            int64_t bitrate = 0;
            if (!ReadInt64(field, &bitrate, &set, trail)) return false;
            if (set) video->set_bitrate(bitrate);
            return true;
          }
          case StreamKey::kFrameRate: {
            double rate = 0;
            if (!ReadDouble(field, &rate, &set, trail)) return false;
            video->set_frame_rate(rate);
            return true;
          }
          case StreamKey::kUnknown:
            break;
        }
        return true;
      });
}

// v0.7 sends stream arrays, v0.6 a single object (or null): both end up as
// a repeated field.
template <typename Stream, typename ReadOne>
bool ReadStreams(od::value& value,
                 google::protobuf::RepeatedPtrField<Stream>* streams,
                 ErrorTrail& trail, ReadOne read_one) {
  streams->Clear();
  od::json_type type{};
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) return TakeNull(value, trail);
  if (type == od::json_type::object) {
    return read_one(value, streams->Add(), trail);
  }
  return ForEachArrayItem(value, trail, [&](od::value& item, size_t) {
    return read_one(item, streams->Add(), trail);
  });
}

enum class VideoKey { kUnknown, kAudio, kVideo, kFormat, kBitrate, kDuration };
constexpr KeyTable<VideoKey, 5> kVideoKeys({{
    {"audio", VideoKey::kAudio},
    {"video", VideoKey::kVideo},
    {"format", VideoKey::kFormat},
    {"bitrate", VideoKey::kBitrate},
    {"duration", VideoKey::kDuration},
}});

// v0.7 content_info.video and v0.6 video_info.
bool ReadVideo(od::value& value, v1::VideoInfo* video, ErrorTrail& trail) {
  return ForEachField(
      value, kVideoKeys, trail, [&](VideoKey id, od::value& field) {
        bool set = false;
        int64_t number = 0;
        switch (id) {
          case VideoKey::kAudio:
            return ReadStreams(field, video->mutable_audio(), trail, ReadAudio);
          case VideoKey::kVideo:
            return ReadStreams(field, video->mutable_video(), trail,
                               ReadVideoStream);
          case VideoKey::kFormat:
            return ReadString(field, video->mutable_format(), trail);
          case VideoKey::kBitrate:
            if (!ReadInt64(field, &number, &set, trail)) return false;
            video->set_bitrate(number);
            return true;
          case VideoKey::kDuration:
            if (!ReadInt64(field, &number, &set, trail)) return false;
            video->set_duration(number);
            return true;
          case VideoKey::kUnknown:
            break;
        }
        return true;
      });
}

bool ReadImageInto(od::value& value, v1::ContentInfo* info, ErrorTrail& trail) {
  return ReadMessage(
      value, [&] { return info->mutable_image(); }, trail,
      [&](od::value& object, v1::ImageInfo* image) {
        return ReadImage(object, image, trail);
      });
}

bool ReadVideoInto(od::value& value, v1::ContentInfo* info, ErrorTrail& trail) {
  return ReadMessage(
      value, [&] { return info->mutable_video(); }, trail,
      [&](od::value& object, v1::VideoInfo* video) {
        return ReadVideo(object, video, trail);
      });
}

enum class ContentKey { kUnknown, kMime, kImage, kVideo };
constexpr KeyTable<ContentKey, 3> kContentKeys({{
    {"mime", ContentKey::kMime},
    {"image", ContentKey::kImage},
    {"video", ContentKey::kVideo},
}});

bool ReadContentInfo(od::value& value, v1::ContentInfo* info,
                     ErrorTrail& trail) {
  return ForEachField(
      value, kContentKeys, trail, [&](ContentKey id, od::value& field) {
        switch (id) {
          case ContentKey::kMime:
            return ReadMessage(
                field, [&] { return info->mutable_mime(); }, trail,
                [&](od::value& object, v1::MimeInfo* mime) {
                  return ReadMime(object, mime, trail);
                });
          case ContentKey::kImage:
            return ReadImageInto(field, info, trail);
          case ContentKey::kVideo:
            return ReadVideoInto(field, info, trail);
          case ContentKey::kUnknown:
            break;
        }
        return true;
      });
}

// ---------------------------------------------------------------------------
// appdata and rekognition_info.

enum class AppDataKey {
  kUnknown,
  kData,
  kDatetimeCreated,
  kDatetimeUpdated,
  kVersion
};
constexpr KeyTable<AppDataKey, 4> kAppDataKeys({{
    {"data", AppDataKey::kData},
    {"datetime_created", AppDataKey::kDatetimeCreated},
    {"datetime_updated", AppDataKey::kDatetimeUpdated},
    {"version", AppDataKey::kVersion},
}});

bool ReadAppDataEntry(od::value& value, v1::AppData* appdata,
                      ErrorTrail& trail) {
  return ForEachField(
      value, kAppDataKeys, trail, [&](AppDataKey id, od::value& field) {
        switch (id) {
          case AppDataKey::kData:
            return ReadMessage(
                field, [&] { return appdata->mutable_data(); }, trail,
                [&](od::value& object, Struct* data) {
                  return ReadStruct(object, data, 1, trail);
                });
          case AppDataKey::kDatetimeCreated:
            return ReadTimestamp(
                field, [&] { return appdata->mutable_datetime_created(); },
                trail);
          case AppDataKey::kDatetimeUpdated:
            return ReadTimestamp(
                field, [&] { return appdata->mutable_datetime_updated(); },
                trail);
          case AppDataKey::kVersion:
            return ReadString(field, appdata->mutable_version(), trail);
          case AppDataKey::kUnknown:
            break;
        }
        return true;
      });
}

bool ReadAppData(od::value& value, v1::File* file, ErrorTrail& trail) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  auto& appdata = *file->mutable_appdata();
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view name;
    if (auto error = field.unescaped_key().get(name)) {
      return trail.Malformed(error);
    }
    v1::AppData& entry = appdata[name];
    entry.Clear();
    bool entry_is_null = false;
    if (!TakeIfNull(field.value(), &entry_is_null, trail) ||
        (!entry_is_null && !ReadAppDataEntry(field.value(), &entry, trail))) {
      return trail.InKey(name);
    }
  }
  return true;
}

bool ReadRekognitionInfo(od::value& value, v1::File* file, ErrorTrail& trail) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  auto& labels = *file->mutable_rekognition_info();
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view label;
    if (auto error = field.unescaped_key().get(label)) {
      return trail.Malformed(error);
    }
    double confidence = 0;
    bool present = false;
    if (!ReadDouble(field.value(), &confidence, &present, trail)) {
      return trail.InKey(label);
    }
    if (present) labels[label] = confidence;
  }
  return true;
}

// `tags`: optional; a null list or null item is skipped, like other nulls.
bool ReadTags(od::value& value, v1::File* file, ErrorTrail& trail) {
  file->clear_tags();
  return ReadStringListOrNull(value, file->mutable_tags(), trail);
}

// A search result's `highlight` metadata: key -> highlighted value (as the
// official JS client types it); a list of fragments is joined with spaces.
bool ReadHighlightMetadata(od::value& value,
                           google::protobuf::Map<std::string, std::string>* map,
                           ErrorTrail& trail) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  return ForEachUnescapedField(
      value, trail, [&](std::string_view key, od::value& field) {
        std::string name(key);
        od::json_type type;
        if (auto error = field.type().get(type)) return trail.Malformed(error);
        if (type != od::json_type::array) {
          bool value_is_null = false;
          if (!TakeIfNull(field, &value_is_null, trail)) return false;
          return value_is_null || ReadString(field, &(*map)[name], trail);
        }
        google::protobuf::RepeatedPtrField<std::string> fragments;
        if (!ReadStringListOrNull(field, &fragments, trail)) return false;
        (*map)[name] = absl::StrJoin(fragments, " ");
        return true;
      });
}

bool ReadHighlight(od::value& value, v1::SearchHighlight* highlight,
                   ErrorTrail& trail) {
  return ForEachRootFieldUnlessNull(
      value, trail, [&](std::string_view key, od::value& field) {
        if (key == "original_filename") {
          return ReadStringListOrNull(
              field, highlight->mutable_original_filename(), trail);
        }
        if (key == "detected_mime_type") {
          return ReadStringListOrNull(
              field, highlight->mutable_detected_mime_type(), trail);
        }
        if (key == "metadata") {
          return ReadHighlightMetadata(field, highlight->mutable_metadata(),
                                       trail);
        }
        return true;
      });
}

// ---------------------------------------------------------------------------
// The file object.

enum class FileKey {
  kUnknown,
  kDatetimeRemoved,
  kDatetimeStored,
  kDatetimeUploaded,
  kIsImage,
  kIsReady,
  kMimeType,
  kOriginalFileUrl,
  kOriginalFilename,
  kSize,
  kUrl,
  kUuid,
  kVariations,
  kContentInfo,
  kMetadata,
  kTags,
  kAppData,
  kImageInfo,
  kVideoInfo,
  kSource,
  kRekognitionInfo,
  kHighlight,
};
constexpr KeyTable<FileKey, 21> kFileKeys({{
    {"datetime_removed", FileKey::kDatetimeRemoved},
    {"datetime_stored", FileKey::kDatetimeStored},
    {"datetime_uploaded", FileKey::kDatetimeUploaded},
    {"is_image", FileKey::kIsImage},
    {"is_ready", FileKey::kIsReady},
    {"mime_type", FileKey::kMimeType},
    {"original_file_url", FileKey::kOriginalFileUrl},
    {"original_filename", FileKey::kOriginalFilename},
    {"size", FileKey::kSize},
    {"url", FileKey::kUrl},
    {"uuid", FileKey::kUuid},
    {"variations", FileKey::kVariations},
    {"content_info", FileKey::kContentInfo},
    {"metadata", FileKey::kMetadata},
    {"tags", FileKey::kTags},
    {"appdata", FileKey::kAppData},
    {"image_info", FileKey::kImageInfo},
    {"video_info", FileKey::kVideoInfo},
    {"source", FileKey::kSource},
    {"rekognition_info", FileKey::kRekognitionInfo},
    {"highlight", FileKey::kHighlight},
}});

// content_info.mime for upstreams that do not send it (v0.6, and older v0.7
// answers): "image/jpeg" -> {mime, "image", "jpeg"}.
void DeriveMime(v1::File* file) {
  const std::string& mime_type = file->mime_type();
  if (mime_type.empty()) return;
  v1::MimeInfo* mime = file->mutable_content_info()->mutable_mime();
  mime->set_mime(mime_type);
  const size_t slash = mime_type.find('/');
  if (slash == std::string::npos) {
    mime->set_type(mime_type);
    mime->clear_subtype();
  } else {
    mime->set_type(mime_type.substr(0, slash));
    mime->set_subtype(mime_type.substr(slash + 1));
  }
}

}  // namespace

bool internal::ReadFile(od::value& value, v1::File* file, ErrorTrail& trail,
                        v1::SearchHighlight* highlight) {
  // content_info: null means the service does not know the content yet (a
  // fresh copy); then no MIME parts are made up from mime_type.
  bool content_info_null = false;
  if (!ForEachField(value, kFileKeys, trail, [&](FileKey id, od::value& field) {
        bool set = false;
        switch (id) {
          case FileKey::kDatetimeRemoved:
            return ReadTimestamp(
                field, [&] { return file->mutable_datetime_removed(); }, trail);
          case FileKey::kDatetimeStored:
            return ReadTimestamp(
                field, [&] { return file->mutable_datetime_stored(); }, trail);
          case FileKey::kDatetimeUploaded:
            return ReadTimestamp(
                field, [&] { return file->mutable_datetime_uploaded(); },
                trail);
          case FileKey::kIsImage: {
            bool flag = false;
            if (!ReadBool(field, &flag, &set, trail)) return false;
            if (set) {
              file->set_is_image(flag);
            } else {
              file->clear_is_image();
            }
            return true;
          }
          case FileKey::kIsReady: {
            bool flag = false;
            if (!ReadBool(field, &flag, &set, trail)) return false;
            file->set_is_ready(flag);
            return true;
          }
          case FileKey::kMimeType:
            return ReadString(field, file->mutable_mime_type(), trail);
          case FileKey::kOriginalFileUrl:
            return ReadString(field, file->mutable_original_file_url(), trail);
          case FileKey::kOriginalFilename:
            return ReadString(field, file->mutable_original_filename(), trail);
          case FileKey::kSize: {
            int64_t size = 0;
            if (!ReadInt64(field, &size, &set, trail)) return false;
            file->set_size(size);
            return true;
          }
          case FileKey::kUrl:
            return ReadString(field, file->mutable_url(), trail);
          case FileKey::kUuid:
            return ReadString(field, file->mutable_uuid(), trail);
          case FileKey::kVariations:
            return ReadStringMap(field, file->mutable_variations(), trail);
          case FileKey::kContentInfo:
            if (!TakeIfNull(field, &content_info_null, trail)) return false;
            return content_info_null ||
                   ReadContentInfo(field, file->mutable_content_info(), trail);
          case FileKey::kMetadata:
            return ReadStringMap(field, file->mutable_metadata(), trail);
          case FileKey::kTags:
            return ReadTags(field, file, trail);
          case FileKey::kAppData:
            return ReadAppData(field, file, trail);
          case FileKey::kImageInfo:
            return ReadImageInto(field, file->mutable_content_info(), trail);
          case FileKey::kVideoInfo:
            return ReadVideoInto(field, file->mutable_content_info(), trail);
          case FileKey::kSource:
            return ReadString(field, file->mutable_source(), trail);
          case FileKey::kRekognitionInfo:
            return ReadRekognitionInfo(field, file, trail);
          case FileKey::kHighlight:
            return highlight == nullptr ||
                   ReadHighlight(field, highlight, trail);
          case FileKey::kUnknown:
            break;
        }
        return true;
      })) {
    return false;
  }
  if (!content_info_null && !file->content_info().has_mime()) {
    DeriveMime(file);
  }
  // A null image_info/video_info (v0.6) may have left an empty content_info.
  if (file->has_content_info() && !file->content_info().has_mime() &&
      !file->content_info().has_image() && !file->content_info().has_video()) {
    file->clear_content_info();
  }
  return true;
}

bool internal::ReadFileArray(
    od::value& value, google::protobuf::RepeatedPtrField<v1::File>* files,
    ErrorTrail& trail) {
  return ForEachArrayItemOrNull(value, trail, [&](od::value& item, size_t) {
    return ReadFile(item, files->Add(), trail);
  });
}

namespace {

// ---------------------------------------------------------------------------
// Documents.

enum class TotalsKey { kUnknown, kRemoved, kStored, kUnstored };
constexpr KeyTable<TotalsKey, 3> kTotalsKeys({{
    {"removed", TotalsKey::kRemoved},
    {"stored", TotalsKey::kStored},
    {"unstored", TotalsKey::kUnstored},
}});

bool ReadTotals(od::value& value, v1::FileTotals* totals, ErrorTrail& trail) {
  return ForEachField(value, kTotalsKeys, trail,
                      [&](TotalsKey id, od::value& field) {
                        int64_t count = 0;
                        bool set = false;
                        if (!ReadInt64(field, &count, &set, trail))
                          return false;
                        if (id == TotalsKey::kRemoved)
                          totals->set_removed(count);
                        if (id == TotalsKey::kStored) totals->set_stored(count);
                        if (id == TotalsKey::kUnstored)
                          totals->set_unstored(count);
                        return true;
                      });
}

}  // namespace

absl::Status ParseFile(const std::string& body, v1::File* file) {
  file->Clear();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ReadFile(root, file, trail);
      });
  if (!status.ok()) file->Clear();
  return status;
}

absl::Status ParseFileListPage(const std::string& body,
                               v1::ListFilesResponse* page,
                               std::string* next_url,
                               const NextUrlListener& on_next_url) {
  page->clear_files();
  page->clear_total_size();
  page->clear_totals();
  next_url->clear();
  bool saw_results = false;
  absl::Status status = ParseDocument(body, [&](od::value& root,
                                                ErrorTrail& trail) {
    if (!ForEachRootField(
            root, trail, [&](std::string_view key, od::value& value) {
              if (key == "results") {
                saw_results = true;
                return ReadFileArray(value, page->mutable_files(), trail);
              }
              if (key == "next") {
                return internal::ReadNextUrl(value, next_url, on_next_url,
                                             trail);
              }
              if (key == "per_page") {
                // Sent before `results`: size the list once, not by
                // doubling through a thousand files.
                int64_t per_page = 0;
                bool set = false;
                if (!ReadInt64(value, &per_page, &set, trail)) return false;
                if (per_page > 0 && per_page <= 1000) {
                  page->mutable_files()->Reserve(static_cast<int>(per_page));
                }
                return true;
              }
              if (key == "total") {
                int64_t total = 0;
                bool set = false;
                if (!ReadInt64(value, &total, &set, trail)) return false;
                page->set_total_size(total);
                return true;
              }
              if (key == "totals") {
                return ReadMessage(
                    value, [&] { return page->mutable_totals(); }, trail,
                    [&](od::value& object, v1::FileTotals* totals) {
                      return ReadTotals(object, totals, trail);
                    });
              }
              return true;
            })) {
      return false;
    }
    return RequireKey(saw_results, "results", trail);
  });
  if (!status.ok()) {
    page->clear_files();
    page->clear_total_size();
    page->clear_totals();
    next_url->clear();
  }
  return status;
}

absl::Status ParseBatchResult(
    const std::string& body,
    google::protobuf::RepeatedPtrField<v1::File>* files,
    google::protobuf::Map<std::string, std::string>* problems) {
  return ParseResultAndProblems(body, files, problems, ReadFileArray);
}

absl::Status ParseLocalCopyResult(const std::string& body, v1::File* file) {
  file->Clear();
  bool saw_result = false;
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        if (!ForEachRootField(root, trail,
                              [&](std::string_view key, od::value& value) {
                                if (key != "result") return true;
                                saw_result = true;
                                return ReadFile(value, file, trail);
                              })) {
          return false;
        }
        if (!saw_result) {
          trail.Fail("missing");
          return trail.InKey("result");
        }
        return true;
      });
  if (!status.ok()) file->Clear();
  return status;
}

absl::Status ParseRemoteCopyResult(const std::string& body, std::string* url) {
  url->clear();
  bool saw_result = false;
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        if (!ForEachRootField(root, trail,
                              [&](std::string_view key, od::value& value) {
                                if (key != "result") return true;
                                od::json_type type{};
                                if (!TypeOf(value, &type, trail)) return false;
                                if (type != od::json_type::string) {
                                  return trail.Fail("expected a string");
                                }
                                saw_result = true;
                                return ReadString(value, url, trail);
                              })) {
          return false;
        }
        if (!saw_result) {
          trail.Fail("missing");
          return trail.InKey("result");
        }
        return true;
      });
  if (!status.ok()) url->clear();
  return status;
}

}  // namespace ucgate::restapi
