// Writes File messages in the upstream's own JSON shapes. Key order follows
// the recorded live answers, so emulator bodies read like the service's.
#include <string>

#include "google/protobuf/struct.pb.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"

namespace ucgate::restapi {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

void WriteValue(const Value& value, JsonWriter& json);

void WriteStruct(const Struct& object, JsonWriter& json) {
  json.BeginObject();
  for (const auto* entry : SortedEntries(object.fields())) {
    json.Key(entry->first);
    WriteValue(entry->second, json);
  }
  json.EndObject();
}

void WriteList(const ListValue& list, JsonWriter& json) {
  json.BeginArray();
  for (const Value& value : list.values()) WriteValue(value, json);
  json.EndArray();
}

void WriteValue(const Value& value, JsonWriter& json) {
  switch (value.kind_case()) {
    case Value::kNumberValue:
      json.Double(value.number_value());
      break;
    case Value::kStringValue:
      json.String(value.string_value());
      break;
    case Value::kBoolValue:
      json.Bool(value.bool_value());
      break;
    case Value::kStructValue:
      WriteStruct(value.struct_value(), json);
      break;
    case Value::kListValue:
      WriteList(value.list_value(), json);
      break;
    case Value::kNullValue:
    case Value::KIND_NOT_SET:
      json.Null();
      break;
  }
}

void WriteOptionalInt(bool present, int64_t value, JsonWriter& json) {
  if (present) {
    json.Int(value);
  } else {
    json.Null();
  }
}

void WriteMime(const v1::MimeInfo& mime, JsonWriter& json) {
  json.BeginObject()
      .Key("mime")
      .String(mime.mime())
      .Key("type")
      .String(mime.type())
      .Key("subtype")
      .String(mime.subtype())
      .EndObject();
}

void WriteDpi(const v1::ImageInfo& image, JsonWriter& json) {
  if (image.dpi().empty()) {
    json.Null();
    return;
  }
  json.BeginArray();
  for (double dpi : image.dpi()) json.Double(dpi);
  json.EndArray();
}

void WriteGeoLocation(const v1::ImageInfo& image, JsonWriter& json) {
  if (!image.has_geo_location()) {
    json.Null();
    return;
  }
  json.BeginObject()
      .Key("latitude")
      .Double(image.geo_location().latitude())
      .Key("longitude")
      .Double(image.geo_location().longitude())
      .EndObject();
}

// v0.7 content_info.image.
void WriteImageV07(const v1::ImageInfo& image, JsonWriter& json) {
  json.BeginObject().Key("dpi");
  WriteDpi(image, json);
  json.Key("width")
      .Int(image.width())
      .Key("format")
      .String(image.format())
      .Key("height")
      .Int(image.height())
      .Key("sequence")
      .Bool(image.sequence())
      .Key("color_mode")
      .String(image.color_mode())
      .Key("orientation");
  WriteOptionalInt(image.has_orientation(), image.orientation(), json);
  json.Key("geo_location");
  WriteGeoLocation(image, json);
  json.Key("datetime_original")
      .StringOrNull(image.datetime_original())
      .EndObject();
}

// v0.6 image_info.
void WriteImageV06(const v1::ImageInfo& image, JsonWriter& json) {
  json.BeginObject().Key("color_mode").String(image.color_mode());
  json.Key("orientation");
  WriteOptionalInt(image.has_orientation(), image.orientation(), json);
  json.Key("format")
      .String(image.format())
      .Key("sequence")
      .Bool(image.sequence())
      .Key("height")
      .Int(image.height())
      .Key("width")
      .Int(image.width())
      .Key("geo_location");
  WriteGeoLocation(image, json);
  json.Key("datetime_original").StringOrNull(image.datetime_original());
  json.Key("dpi");
  WriteDpi(image, json);
  json.EndObject();
}

// v0.6 sends the channel count as a string ("2"); v0.7 as a number.
void WriteAudio(const v1::AudioStream& audio, ApiVersion version,
                JsonWriter& json) {
  json.BeginObject().Key("codec").String(audio.codec()).Key("bitrate");
  WriteOptionalInt(audio.has_bitrate(), audio.bitrate(), json);
  json.Key("channels");
  if (!audio.has_channels()) {
    json.Null();
  } else if (version == ApiVersion::kV06) {
    json.String(absl::StrCat(audio.channels()));
  } else {
    json.Int(audio.channels());
  }
  json.Key("sample_rate");
  WriteOptionalInt(audio.has_sample_rate(), audio.sample_rate(), json);
  json.EndObject();
}

void WriteVideoStream(const v1::VideoStream& video, JsonWriter& json) {
  json.BeginObject()
      .Key("codec")
      .String(video.codec())
      .Key("width")
      .Int(video.width())
      .Key("height")
      .Int(video.height())
      .Key("bitrate");
  WriteOptionalInt(video.has_bitrate(), video.bitrate(), json);
  json.Key("frame_rate").Double(video.frame_rate()).EndObject();
}

// v0.7 content_info.video (stream arrays) or v0.6 video_info (at most one
// stream of each kind, as an object or null).
void WriteVideo(const v1::VideoInfo& video, ApiVersion version,
                JsonWriter& json) {
  json.BeginObject().Key("audio");
  if (version == ApiVersion::kV06) {
    if (video.audio().empty()) {
      json.Null();
    } else {
      WriteAudio(video.audio(0), version, json);
    }
    json.Key("video");
    if (video.video().empty()) {
      json.Null();
    } else {
      WriteVideoStream(video.video(0), json);
    }
  } else {
    json.BeginArray();
    for (const v1::AudioStream& audio : video.audio()) {
      WriteAudio(audio, version, json);
    }
    json.EndArray().Key("video").BeginArray();
    for (const v1::VideoStream& stream : video.video()) {
      WriteVideoStream(stream, json);
    }
    json.EndArray();
  }
  json.Key("format")
      .String(video.format())
      .Key("bitrate")
      .Int(video.bitrate())
      .Key("duration")
      .Int(video.duration())
      .EndObject();
}

void WriteContentInfo(const v1::File& file, JsonWriter& json) {
  const v1::ContentInfo& info = file.content_info();
  if (!file.has_content_info() ||
      (!info.has_mime() && !info.has_image() && !info.has_video())) {
    json.Null();
    return;
  }
  json.BeginObject();
  if (info.has_mime()) {
    json.Key("mime");
    WriteMime(info.mime(), json);
  }
  if (info.has_image()) {
    json.Key("image");
    WriteImageV07(info.image(), json);
  }
  if (info.has_video()) {
    json.Key("video");
    WriteVideo(info.video(), ApiVersion::kV07, json);
  }
  json.EndObject();
}

void WriteAppData(const v1::File& file, JsonWriter& json) {
  json.BeginObject();
  for (const auto* entry : SortedEntries(file.appdata())) {
    const v1::AppData& appdata = entry->second;
    json.Key(entry->first).BeginObject().Key("data");
    if (appdata.has_data()) {
      WriteStruct(appdata.data(), json);
    } else {
      json.Null();
    }
    json.Key("datetime_created")
        .TimestampOrNull(appdata.has_datetime_created(),
                         appdata.datetime_created())
        .Key("datetime_updated")
        .TimestampOrNull(appdata.has_datetime_updated(),
                         appdata.datetime_updated())
        .Key("version")
        .String(appdata.version())
        .EndObject();
  }
  json.EndObject();
}

void WriteRekognitionInfo(const v1::File& file, JsonWriter& json) {
  if (file.rekognition_info().empty()) {
    json.Null();
    return;
  }
  json.BeginObject();
  for (const auto* entry : SortedEntries(file.rekognition_info())) {
    json.Key(entry->first).Double(entry->second);
  }
  json.EndObject();
}

// The members both versions share, from "is_image" to "variations".
void WriteCommonScalars(const v1::File& file, JsonWriter& json) {
  json.Key("is_image");
  if (file.has_is_image()) {
    json.Bool(file.is_image());
  } else {
    json.Null();
  }
  json.Key("is_ready")
      .Bool(file.is_ready())
      .Key("mime_type")
      .String(file.mime_type())
      .Key("original_file_url")
      .StringOrNull(file.original_file_url())
      .Key("original_filename")
      .String(file.original_filename())
      .Key("size")
      .Int(file.size())
      .Key("url")
      .String(file.url())
      .Key("uuid")
      .String(file.uuid())
      .Key("variations");
  if (file.variations().empty()) {
    json.Null();
  } else {
    json.StringObject(file.variations());
  }
}

void WriteDatetimes(const v1::File& file, JsonWriter& json) {
  json.Key("datetime_removed")
      .TimestampOrNull(file.has_datetime_removed(), file.datetime_removed())
      .Key("datetime_stored")
      .TimestampOrNull(file.has_datetime_stored(), file.datetime_stored())
      .Key("datetime_uploaded")
      .TimestampOrNull(file.has_datetime_uploaded(), file.datetime_uploaded());
}

void WriteFileV07(const v1::File& file, const FileJsonOptions& options,
                  JsonWriter& json) {
  json.BeginObject();
  WriteDatetimes(file, json);
  WriteCommonScalars(file, json);
  json.Key("content_info");
  WriteContentInfo(file, json);
  json.Key("metadata").StringObject(file.metadata());
  // Every v0.7 file carries `tags` since the 2026 additions (older recorded
  // answers have none; the parser takes both).
  json.Key("tags").StringArray(file.tags());
  if (options.include_appdata) {
    json.Key("appdata");
    WriteAppData(file, json);
  }
  // The current service no longer reports `source`; keep it when known so
  // that nothing a copy carries is lost.
  if (!file.source().empty()) json.Key("source").String(file.source());
  json.EndObject();
}

void WriteFileV06(const v1::File& file, const FileJsonOptions& options,
                  JsonWriter& json) {
  json.BeginObject();
  WriteDatetimes(file, json);
  json.Key("image_info");
  if (file.content_info().has_image()) {
    WriteImageV06(file.content_info().image(), json);
  } else {
    json.Null();
  }
  WriteCommonScalars(file, json);
  json.Key("video_info");
  if (file.content_info().has_video()) {
    WriteVideo(file.content_info().video(), ApiVersion::kV06, json);
  } else {
    json.Null();
  }
  json.Key("source").StringOrNull(file.source());
  if (options.include_rekognition_info) {
    json.Key("rekognition_info");
    WriteRekognitionInfo(file, json);
  }
  json.EndObject();
}

}  // namespace

void WriteFileJson(const v1::File& file, const FileJsonOptions& options,
                   JsonWriter& json) {
  if (options.version == ApiVersion::kV06) {
    WriteFileV06(file, options, json);
  } else {
    WriteFileV07(file, options, json);
  }
}

void AppendFileJson(const v1::File& file, const FileJsonOptions& options,
                    std::string* out) {
  JsonWriter json(out);
  WriteFileJson(file, options, json);
}

}  // namespace ucgate::restapi
