// Writes File messages in the upstream's own JSON shapes. Key order follows
// the recorded live answers, so emulator bodies read like the service's.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/common/json_string.h"
#include "service/upstream/json/file_json.h"
#include "service/upstream/json/json_time.h"
#include "service/upstream/json/metadata_json.h"

namespace ucgate::json {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Timestamp;
using google::protobuf::Value;

void AppendKey(absl::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

void AppendNull(std::string* out) { out->append("null"); }

void AppendBool(bool value, std::string* out) {
  out->append(value ? "true" : "false");
}

void AppendInt(int64_t value, std::string* out) { absl::StrAppend(out, value); }

// Shortest text that reads back as the same double (Python's repr does the
// same, so 30.0 is "30" and 97.583984375 stays as it is). JSON has no NaN or
// infinity: those become null.
void AppendDouble(double value, std::string* out) {
  if (!std::isfinite(value)) {
    AppendNull(out);
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}

void AppendTimestampOrNull(bool present, const Timestamp& timestamp,
                           std::string* out) {
  if (!present) {
    AppendNull(out);
    return;
  }
  out->push_back('"');
  internal::AppendTimestamp(timestamp.seconds(), timestamp.nanos(), out);
  out->push_back('"');
}

void AppendStringOrNull(absl::string_view text, std::string* out) {
  if (text.empty()) {
    AppendNull(out);
  } else {
    AppendJsonString(text, out);
  }
}

// Proto maps iterate in no particular order; sorted keys keep bodies stable.
template <typename Map>
std::vector<typename Map::const_pointer> SortedEntries(const Map& map) {
  std::vector<typename Map::const_pointer> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](auto a, auto b) { return a->first < b->first; });
  return entries;
}

void AppendValue(const Value& value, std::string* out);

void AppendStruct(const Struct& object, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto* entry : SortedEntries(object.fields())) {
    if (!first) out->push_back(',');
    first = false;
    AppendKey(entry->first, out);
    AppendValue(entry->second, out);
  }
  out->push_back('}');
}

void AppendList(const ListValue& list, std::string* out) {
  out->push_back('[');
  for (int i = 0; i < list.values_size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendValue(list.values(i), out);
  }
  out->push_back(']');
}

void AppendValue(const Value& value, std::string* out) {
  switch (value.kind_case()) {
    case Value::kNumberValue:
      AppendDouble(value.number_value(), out);
      break;
    case Value::kStringValue:
      AppendJsonString(value.string_value(), out);
      break;
    case Value::kBoolValue:
      AppendBool(value.bool_value(), out);
      break;
    case Value::kStructValue:
      AppendStruct(value.struct_value(), out);
      break;
    case Value::kListValue:
      AppendList(value.list_value(), out);
      break;
    case Value::kNullValue:
    case Value::KIND_NOT_SET:
      AppendNull(out);
      break;
  }
}

void AppendMime(const v1::MimeInfo& mime, std::string* out) {
  out->append("{\"mime\":");
  AppendJsonString(mime.mime(), out);
  out->append(",\"type\":");
  AppendJsonString(mime.type(), out);
  out->append(",\"subtype\":");
  AppendJsonString(mime.subtype(), out);
  out->push_back('}');
}

void AppendDpi(const v1::ImageInfo& image, std::string* out) {
  if (image.dpi().empty()) {
    AppendNull(out);
    return;
  }
  out->push_back('[');
  for (int i = 0; i < image.dpi_size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendDouble(image.dpi(i), out);
  }
  out->push_back(']');
}

void AppendOrientation(const v1::ImageInfo& image, std::string* out) {
  if (image.has_orientation()) {
    AppendInt(image.orientation(), out);
  } else {
    AppendNull(out);
  }
}

void AppendGeoLocation(const v1::ImageInfo& image, std::string* out) {
  if (!image.has_geo_location()) {
    AppendNull(out);
    return;
  }
  out->append("{\"latitude\":");
  AppendDouble(image.geo_location().latitude(), out);
  out->append(",\"longitude\":");
  AppendDouble(image.geo_location().longitude(), out);
  out->push_back('}');
}

// v0.7 content_info.image.
void AppendImageV07(const v1::ImageInfo& image, std::string* out) {
  out->append("{\"dpi\":");
  AppendDpi(image, out);
  out->append(",\"width\":");
  AppendInt(image.width(), out);
  out->append(",\"format\":");
  AppendJsonString(image.format(), out);
  out->append(",\"height\":");
  AppendInt(image.height(), out);
  out->append(",\"sequence\":");
  AppendBool(image.sequence(), out);
  out->append(",\"color_mode\":");
  AppendJsonString(image.color_mode(), out);
  out->append(",\"orientation\":");
  AppendOrientation(image, out);
  out->append(",\"geo_location\":");
  AppendGeoLocation(image, out);
  out->append(",\"datetime_original\":");
  AppendStringOrNull(image.datetime_original(), out);
  out->push_back('}');
}

// v0.6 image_info.
void AppendImageV06(const v1::ImageInfo& image, std::string* out) {
  out->append("{\"color_mode\":");
  AppendJsonString(image.color_mode(), out);
  out->append(",\"orientation\":");
  AppendOrientation(image, out);
  out->append(",\"format\":");
  AppendJsonString(image.format(), out);
  out->append(",\"sequence\":");
  AppendBool(image.sequence(), out);
  out->append(",\"height\":");
  AppendInt(image.height(), out);
  out->append(",\"width\":");
  AppendInt(image.width(), out);
  out->append(",\"geo_location\":");
  AppendGeoLocation(image, out);
  out->append(",\"datetime_original\":");
  AppendStringOrNull(image.datetime_original(), out);
  out->append(",\"dpi\":");
  AppendDpi(image, out);
  out->push_back('}');
}

void AppendOptionalInt(bool present, int64_t value, std::string* out) {
  if (present) {
    AppendInt(value, out);
  } else {
    AppendNull(out);
  }
}

// v0.6 sends the channel count as a string ("2"); v0.7 as a number.
void AppendAudio(const v1::AudioStream& audio, ApiVersion version,
                 std::string* out) {
  out->append("{\"codec\":");
  AppendJsonString(audio.codec(), out);
  out->append(",\"bitrate\":");
  AppendOptionalInt(audio.has_bitrate(), audio.bitrate(), out);
  out->append(",\"channels\":");
  if (!audio.has_channels()) {
    AppendNull(out);
  } else if (version == ApiVersion::kV06) {
    out->push_back('"');
    AppendInt(audio.channels(), out);
    out->push_back('"');
  } else {
    AppendInt(audio.channels(), out);
  }
  out->append(",\"sample_rate\":");
  AppendOptionalInt(audio.has_sample_rate(), audio.sample_rate(), out);
  out->push_back('}');
}

void AppendVideoStream(const v1::VideoStream& video, std::string* out) {
  out->append("{\"codec\":");
  AppendJsonString(video.codec(), out);
  out->append(",\"width\":");
  AppendInt(video.width(), out);
  out->append(",\"height\":");
  AppendInt(video.height(), out);
  out->append(",\"bitrate\":");
  AppendOptionalInt(video.has_bitrate(), video.bitrate(), out);
  out->append(",\"frame_rate\":");
  AppendDouble(video.frame_rate(), out);
  out->push_back('}');
}

// v0.7 content_info.video (stream arrays) or v0.6 video_info (at most one
// stream of each kind, as an object or null).
void AppendVideo(const v1::VideoInfo& video, ApiVersion version,
                 std::string* out) {
  out->append("{\"audio\":");
  if (version == ApiVersion::kV06) {
    if (video.audio().empty()) {
      AppendNull(out);
    } else {
      AppendAudio(video.audio(0), version, out);
    }
    out->append(",\"video\":");
    if (video.video().empty()) {
      AppendNull(out);
    } else {
      AppendVideoStream(video.video(0), out);
    }
  } else {
    out->push_back('[');
    for (int i = 0; i < video.audio_size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendAudio(video.audio(i), version, out);
    }
    out->append("],\"video\":[");
    for (int i = 0; i < video.video_size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendVideoStream(video.video(i), out);
    }
    out->push_back(']');
  }
  out->append(",\"format\":");
  AppendJsonString(video.format(), out);
  out->append(",\"bitrate\":");
  AppendInt(video.bitrate(), out);
  out->append(",\"duration\":");
  AppendInt(video.duration(), out);
  out->push_back('}');
}

void AppendContentInfo(const v1::File& file, std::string* out) {
  const v1::ContentInfo& info = file.content_info();
  if (!file.has_content_info() ||
      (!info.has_mime() && !info.has_image() && !info.has_video())) {
    AppendNull(out);
    return;
  }
  out->push_back('{');
  bool first = true;
  const auto separator = [&] {
    if (!first) out->push_back(',');
    first = false;
  };
  if (info.has_mime()) {
    separator();
    out->append("\"mime\":");
    AppendMime(info.mime(), out);
  }
  if (info.has_image()) {
    separator();
    out->append("\"image\":");
    AppendImageV07(info.image(), out);
  }
  if (info.has_video()) {
    separator();
    out->append("\"video\":");
    AppendVideo(info.video(), ApiVersion::kV07, out);
  }
  out->push_back('}');
}

void AppendAppData(const v1::File& file, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto* entry : SortedEntries(file.appdata())) {
    if (!first) out->push_back(',');
    first = false;
    const v1::AppData& appdata = entry->second;
    AppendKey(entry->first, out);
    out->append("{\"data\":");
    if (appdata.has_data()) {
      AppendStruct(appdata.data(), out);
    } else {
      AppendNull(out);
    }
    out->append(",\"datetime_created\":");
    AppendTimestampOrNull(appdata.has_datetime_created(),
                          appdata.datetime_created(), out);
    out->append(",\"datetime_updated\":");
    AppendTimestampOrNull(appdata.has_datetime_updated(),
                          appdata.datetime_updated(), out);
    out->append(",\"version\":");
    AppendJsonString(appdata.version(), out);
    out->push_back('}');
  }
  out->push_back('}');
}

void AppendRekognitionInfo(const v1::File& file, std::string* out) {
  if (file.rekognition_info().empty()) {
    AppendNull(out);
    return;
  }
  out->push_back('{');
  bool first = true;
  for (const auto* entry : SortedEntries(file.rekognition_info())) {
    if (!first) out->push_back(',');
    first = false;
    AppendKey(entry->first, out);
    AppendDouble(entry->second, out);
  }
  out->push_back('}');
}

// The fields both versions share, from "is_image" to "uuid".
void AppendCommonScalars(const v1::File& file, std::string* out) {
  out->append("\"is_image\":");
  if (file.has_is_image()) {
    AppendBool(file.is_image(), out);
  } else {
    AppendNull(out);
  }
  out->append(",\"is_ready\":");
  AppendBool(file.is_ready(), out);
  out->append(",\"mime_type\":");
  AppendJsonString(file.mime_type(), out);
  out->append(",\"original_file_url\":");
  AppendStringOrNull(file.original_file_url(), out);
  out->append(",\"original_filename\":");
  AppendJsonString(file.original_filename(), out);
  out->append(",\"size\":");
  AppendInt(file.size(), out);
  out->append(",\"url\":");
  AppendJsonString(file.url(), out);
  out->append(",\"uuid\":");
  AppendJsonString(file.uuid(), out);
  out->append(",\"variations\":");
  if (file.variations().empty()) {
    AppendNull(out);
  } else {
    AppendStringObject(file.variations(), out);
  }
}

void AppendDatetimes(const v1::File& file, std::string* out) {
  out->append("\"datetime_removed\":");
  AppendTimestampOrNull(file.has_datetime_removed(), file.datetime_removed(),
                        out);
  out->append(",\"datetime_stored\":");
  AppendTimestampOrNull(file.has_datetime_stored(), file.datetime_stored(),
                        out);
  out->append(",\"datetime_uploaded\":");
  AppendTimestampOrNull(file.has_datetime_uploaded(), file.datetime_uploaded(),
                        out);
}

void AppendFileV07(const v1::File& file, const FileJsonOptions& options,
                   std::string* out) {
  out->push_back('{');
  AppendDatetimes(file, out);
  out->push_back(',');
  AppendCommonScalars(file, out);
  out->append(",\"content_info\":");
  AppendContentInfo(file, out);
  out->append(",\"metadata\":");
  AppendStringObject(file.metadata(), out);
  // Recorded answers carry no `tags`; written only when there are some.
  if (file.tags_size() > 0) {
    out->append(",\"tags\":");
    AppendStringArray(file.tags(), out);
  }
  if (options.include_appdata) {
    out->append(",\"appdata\":");
    AppendAppData(file, out);
  }
  // The current service no longer reports `source`; keep it when known so
  // that nothing a copy carries is lost.
  if (!file.source().empty()) {
    out->append(",\"source\":");
    AppendJsonString(file.source(), out);
  }
  out->push_back('}');
}

void AppendFileV06(const v1::File& file, const FileJsonOptions& options,
                   std::string* out) {
  out->push_back('{');
  AppendDatetimes(file, out);
  out->append(",\"image_info\":");
  if (file.content_info().has_image()) {
    AppendImageV06(file.content_info().image(), out);
  } else {
    AppendNull(out);
  }
  out->push_back(',');
  AppendCommonScalars(file, out);
  out->append(",\"video_info\":");
  if (file.content_info().has_video()) {
    AppendVideo(file.content_info().video(), ApiVersion::kV06, out);
  } else {
    AppendNull(out);
  }
  out->append(",\"source\":");
  AppendStringOrNull(file.source(), out);
  if (options.include_rekognition_info) {
    out->append(",\"rekognition_info\":");
    AppendRekognitionInfo(file, out);
  }
  out->push_back('}');
}

}  // namespace

void AppendStringObject(
    const google::protobuf::Map<std::string, std::string>& map,
    std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto* entry : SortedEntries(map)) {
    if (!first) out->push_back(',');
    first = false;
    AppendKey(entry->first, out);
    AppendJsonString(entry->second, out);
  }
  out->push_back('}');
}

void AppendJsonString(absl::string_view text, std::string* out) {
  ::ucgate::AppendJsonString(text, out);
}

void AppendFileJson(const v1::File& file, const FileJsonOptions& options,
                    std::string* out) {
  if (options.version == ApiVersion::kV06) {
    AppendFileV06(file, options, out);
  } else {
    AppendFileV07(file, options, out);
  }
}

}  // namespace ucgate::json
