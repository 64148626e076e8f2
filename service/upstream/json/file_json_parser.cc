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
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/upstream/json/file_json.h"
#include "service/upstream/json/json_time.h"

namespace ucgate::json {
namespace {

namespace od = simdjson::ondemand;
using google::protobuf::Struct;
using google::protobuf::Timestamp;
using google::protobuf::Value;

// appdata's `data` is arbitrary add-on output. Protobuf refuses to parse
// messages nested deeper than 100 (each JSON level costs two: Value and
// Struct), so deeper data would make a response no client can read.
constexpr int kMaxStructDepth = 32;

absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// The first failure and its JSON path. Path segments are pushed innermost
// first by each level as it returns false.
class ErrorTrail {
 public:
  bool Fail(absl::string_view message) {
    message_.assign(message.data(), message.size());
    return false;
  }
  bool Malformed(simdjson::error_code error) {
    return Fail(
        absl::StrCat("malformed JSON (", simdjson::error_message(error), ")"));
  }
  // Types the common "expected X" failure: a simdjson INCORRECT_TYPE means the
  // JSON is well formed but holds something else.
  bool Expected(absl::string_view what, simdjson::error_code error) {
    if (error == simdjson::INCORRECT_TYPE) {
      return Fail(absl::StrCat("expected ", what));
    }
    return Malformed(error);
  }
  bool InKey(std::string_view key) {
    segments_.push_back(std::string(key));
    return false;
  }
  bool AtIndex(size_t index) {
    segments_.push_back(absl::StrCat("[", index, "]"));
    return false;
  }

  absl::Status ToStatus() const {
    std::string path;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
      if (!path.empty() && (*it)[0] != '[') path.push_back('.');
      path.append(*it);
    }
    if (path.empty()) {
      return absl::InternalError(absl::StrCat("upstream JSON: ", message_));
    }
    return absl::InternalError(
        absl::StrCat("upstream JSON: ", path, ": ", message_));
  }

 private:
  std::string message_;
  std::vector<std::string> segments_;
};

// Field names of one object type, listed in the order the service writes
// them: lookups start after the previous match, so a body in the usual
// order costs one comparison per field; any other order still works.
// Every name must be shorter than SIMDJSON_PADDING (see Find).
template <typename Id, size_t N>
class KeyTable {
 public:
  using IdType = Id;
  using Entry = std::pair<std::string_view, Id>;
  explicit constexpr KeyTable(std::array<Entry, N> entries)
      : entries_(entries) {}

  // The id of `key`, compared as written in the input: a key equals a name
  // when its raw bytes are the name followed by the closing quote, so keys
  // with escapes never match (no name has any) and are skipped as unknown.
  // `cursor` carries the position from one lookup to the next; `name` is set
  // to the matching name (for error paths).
  Id Find(const od::raw_json_string& key, size_t* cursor,
          std::string_view* name) const {
    size_t index = *cursor;
    for (size_t tried = 0; tried < N; ++tried) {
      if (index >= N) index = 0;
      // Names are far shorter than the padding, so reading name.size() + 1
      // bytes stays within the buffer even for a shorter key.
      if (key.unsafe_is_equal(entries_[index].first)) {
        *cursor = index + 1;
        *name = entries_[index].first;
        return entries_[index].second;
      }
      ++index;
    }
    return Id::kUnknown;
  }

 private:
  std::array<Entry, N> entries_;
};

// The key as written, without unescaping: every key the API defines is plain
// ASCII, so a key with escapes matches nothing and is skipped as unknown.
// Stage 1 guarantees the closing quote, so the scan stays in bounds.
bool PlainKey(od::field& field, std::string_view* key) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') {
    if (*end == '\\') return false;
    ++end;
  }
  *key = std::string_view(begin, static_cast<size_t>(end - begin));
  return true;
}

bool TypeOf(od::value& value, od::json_type* type, ErrorTrail& trail) {
  if (auto error = value.type().get(*type)) return trail.Malformed(error);
  return true;
}

// Consumes a null, checking it really is the literal (type() only peeks at
// the first character).
bool TakeNull(od::value& value, ErrorTrail& trail) {
  bool is_null = false;
  if (auto error = value.is_null().get(is_null)) return trail.Malformed(error);
  if (!is_null) return trail.Fail("malformed JSON (invalid literal)");
  return true;
}

bool GetObject(od::value& value, od::object* object, ErrorTrail& trail) {
  if (auto error = value.get_object().get(*object)) {
    return trail.Expected("an object", error);
  }
  return true;
}

bool GetArray(od::value& value, od::array* array, ErrorTrail& trail) {
  if (auto error = value.get_array().get(*array)) {
    return trail.Expected("an array", error);
  }
  return true;
}

bool NextField(simdjson::simdjson_result<od::field>& result, od::field* field,
               ErrorTrail& trail) {
  if (auto error = std::move(result).get(*field)) {
    return trail.Malformed(error);
  }
  return true;
}

// Consumes the value when it is null; callers then leave their field unset.
bool TakeIfNull(od::value& value, bool* is_null, ErrorTrail& trail) {
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  *is_null = type == od::json_type::null;
  return *is_null ? TakeNull(value, trail) : true;
}

// After a typed getter failed with `error`: a null is consumed and reported
// as absent (true, *is_null set); a value of the wanted type is malformed;
// anything else is the wrong type.
bool AfterGetterFailed(od::value& value, simdjson::error_code error,
                       od::json_type wanted, absl::string_view expected,
                       bool* is_null, ErrorTrail& trail) {
  *is_null = false;
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) {
    *is_null = true;
    return TakeNull(value, trail);
  }
  if (type == wanted) return trail.Malformed(error);
  return trail.Fail(expected);
}

// Null leaves `out` untouched (fields start cleared).
bool ReadString(od::value& value, std::string* out, ErrorTrail& trail) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::string,
                             "expected a string", &is_null, trail);
  }
  out->assign(text.data(), text.size());
  return true;
}

bool ReadBool(od::value& value, bool* out, bool* present, ErrorTrail& trail) {
  if (auto error = value.get_bool().get(*out)) {
    *present = false;
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::boolean,
                             "expected a boolean", &is_null, trail);
  }
  *present = true;
  return true;
}

// A number as the upstream sends it: an integer, a float, or either one
// inside a string ("channels": "2").
struct Number {
  bool is_integer = false;
  int64_t integer = 0;
  double real = 0;
};

bool NumberFromText(std::string_view text, Number* out) {
  if (absl::SimpleAtoi(ToAbsl(text), &out->integer)) {
    out->is_integer = true;
    return true;
  }
  out->is_integer = false;
  return absl::SimpleAtod(ToAbsl(text), &out->real) && std::isfinite(out->real);
}

bool ReadNumber(od::value& value, Number* out, bool* present,
                ErrorTrail& trail) {
  od::number number;
  if (auto error = value.get_number().get(number)) {
    *present = false;
    // Not a number token: null, a number in a string, or the wrong type.
    std::string_view text;
    if (!value.get_string().get(text)) {
      if (!NumberFromText(text, out)) return trail.Fail("expected a number");
      *present = true;
      return true;
    }
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::number,
                             "expected a number", &is_null, trail);
  }
  switch (number.get_number_type()) {
    case od::number_type::signed_integer:
      out->is_integer = true;
      out->integer = number.get_int64();
      break;
    case od::number_type::unsigned_integer:
      out->is_integer = false;
      out->real = static_cast<double>(number.get_uint64());
      break;
    case od::number_type::floating_point_number:
      out->is_integer = false;
      out->real = number.get_double();
      break;
  }
  *present = true;
  return true;
}

// Integers within [min, max]; integral floats are exact, other floats round
// to the nearest integer (the field is an integer whatever the sender did).
bool ReadInteger(od::value& value, int64_t min, int64_t max, int64_t* out,
                 bool* present, ErrorTrail& trail) {
  Number number;
  if (!ReadNumber(value, &number, present, trail)) return false;
  if (!*present) return true;
  if (number.is_integer) {
    *out = number.integer;
  } else {
    const double rounded = std::nearbyint(number.real);
    // 2^63 is exactly representable; anything at or past it overflows.
    if (!(rounded >= -9223372036854775808.0 &&
          rounded < 9223372036854775808.0)) {
      return trail.Fail("number out of range");
    }
    *out = static_cast<int64_t>(rounded);
  }
  if (*out < min || *out > max) return trail.Fail("number out of range");
  return true;
}

bool ReadInt64(od::value& value, int64_t* out, bool* present,
               ErrorTrail& trail) {
  return ReadInteger(value, std::numeric_limits<int64_t>::min(),
                     std::numeric_limits<int64_t>::max(), out, present, trail);
}

bool ReadInt32(od::value& value, int32_t* out, bool* present,
               ErrorTrail& trail) {
  int64_t wide = 0;
  if (!ReadInteger(value, std::numeric_limits<int32_t>::min(),
                   std::numeric_limits<int32_t>::max(), &wide, present,
                   trail)) {
    return false;
  }
  *out = static_cast<int32_t>(wide);
  return true;
}

bool ReadDouble(od::value& value, double* out, bool* present,
                ErrorTrail& trail) {
  Number number;
  if (!ReadNumber(value, &number, present, trail)) return false;
  if (*present) {
    *out =
        number.is_integer ? static_cast<double>(number.integer) : number.real;
  }
  return true;
}

// `mutable_timestamp` is called only when the value is not null, so unset
// timestamps stay unset.
template <typename MutableTimestamp>
bool ReadTimestamp(od::value& value, MutableTimestamp mutable_timestamp,
                   ErrorTrail& trail) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::string,
                             "expected an ISO-8601 timestamp", &is_null, trail);
  }
  int64_t seconds;
  int32_t nanos;
  if (!internal::ParseTimestamp(text, &seconds, &nanos)) {
    return trail.Fail("expected an ISO-8601 timestamp");
  }
  Timestamp* timestamp = mutable_timestamp();
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(nanos);
  return true;
}

// {"key": "value", ...}; null is an empty map, and a null value no entry.
bool ReadStringMap(od::value& value,
                   google::protobuf::Map<std::string, std::string>* map,
                   ErrorTrail& trail) {
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) return TakeNull(value, trail);
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      return trail.Malformed(error);
    }
    bool is_null = false;
    if (!TakeIfNull(field.value(), &is_null, trail) ||
        (!is_null && !ReadString(field.value(), &(*map)[key], trail))) {
      return trail.InKey(key);
    }
  }
  return true;
}

bool ReadStructValue(od::value& value, Value* out, int depth,
                     ErrorTrail& trail);

bool ReadStruct(od::value& value, Struct* out, int depth, ErrorTrail& trail) {
  if (depth > kMaxStructDepth) {
    return trail.Fail(
        absl::StrCat("nested deeper than ", kMaxStructDepth, " levels"));
  }
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  auto& fields = *out->mutable_fields();
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      return trail.Malformed(error);
    }
    Value& slot = fields[key];
    slot.Clear();  // A repeated key replaces, as in any JSON reader.
    if (!ReadStructValue(field.value(), &slot, depth, trail)) {
      return trail.InKey(key);
    }
  }
  return true;
}

bool ReadStructValue(od::value& value, Value* out, int depth,
                     ErrorTrail& trail) {
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  switch (type) {
    case od::json_type::object:
      return ReadStruct(value, out->mutable_struct_value(), depth + 1, trail);
    case od::json_type::array: {
      if (depth + 1 > kMaxStructDepth) {
        return trail.Fail(
            absl::StrCat("nested deeper than ", kMaxStructDepth, " levels"));
      }
      od::array array;
      if (!GetArray(value, &array, trail)) return false;
      auto* list = out->mutable_list_value();
      size_t index = 0;
      for (auto element : array) {
        od::value item;
        if (auto error = element.get(item)) return trail.Malformed(error);
        if (!ReadStructValue(item, list->add_values(), depth + 1, trail)) {
          return trail.AtIndex(index);
        }
        ++index;
      }
      return true;
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

// Walks an object once, calling `parse_field(id, value)` for each key of
// `table` (others are skipped); a failing field adds its key to the path.
template <typename Table, typename ParseField>
bool ForEachField(od::value& value, const Table& table, ErrorTrail& trail,
                  ParseField parse_field) {
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  size_t cursor = 0;
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view name;
    const auto id = table.Find(field.key(), &cursor, &name);
    if (id == Table::IdType::kUnknown) continue;
    if (!parse_field(id, field.value())) return trail.InKey(name);
  }
  return true;
}

// Sub-messages are parsed in place: `mutable_message()` is called only for a
// non-null value, and a repeated key replaces the earlier one.
template <typename MutableMessage, typename ParseInto>
bool ReadMessage(od::value& value, MutableMessage mutable_message,
                 ErrorTrail& trail, ParseInto parse_into) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  auto* message = mutable_message();
  message->Clear();
  return parse_into(value, message);
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
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  od::array array;
  if (!GetArray(value, &array, trail)) return false;
  size_t index = 0;
  for (auto element : array) {
    od::value item;
    if (auto error = element.get(item)) return trail.Malformed(error);
    double number = 0;
    bool present = false;
    if (!ReadDouble(item, &number, &present, trail)) {
      return trail.AtIndex(index);
    }
    if (!present) {
      trail.Fail("expected a number");
      return trail.AtIndex(index);
    }
    image->add_dpi(number);
    ++index;
  }
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
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) return TakeNull(value, trail);
  if (type == od::json_type::object) {
    return read_one(value, streams->Add(), trail);
  }
  od::array array;
  if (!GetArray(value, &array, trail)) return false;
  size_t index = 0;
  for (auto element : array) {
    od::value item;
    if (auto error = element.get(item)) return trail.Malformed(error);
    if (!read_one(item, streams->Add(), trail)) return trail.AtIndex(index);
    ++index;
  }
  return true;
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
  kAppData,
  kImageInfo,
  kVideoInfo,
  kSource,
  kRekognitionInfo,
};
constexpr KeyTable<FileKey, 19> kFileKeys({{
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
    {"appdata", FileKey::kAppData},
    {"image_info", FileKey::kImageInfo},
    {"video_info", FileKey::kVideoInfo},
    {"source", FileKey::kSource},
    {"rekognition_info", FileKey::kRekognitionInfo},
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

bool ReadFile(od::value& value, v1::File* file, ErrorTrail& trail) {
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

// ---------------------------------------------------------------------------
// Documents.

// One parser per thread, shared by every document kind: it keeps the buffers
// sized for the largest body it has seen, so steady-state parses allocate
// nothing inside simdjson.
od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

// Iterates `body` (in place when its spare capacity allows) and hands the
// root value to `read_root`; rejects empty bodies, scalar roots and trailing
// content.
template <typename ReadRoot>
absl::Status ParseDocument(const std::string& body, ReadRoot read_root) {
  od::parser& parser = ThreadParser();
  ErrorTrail trail;
  simdjson::padded_string copy;
  simdjson::padded_string_view view;
  if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
    view =
        simdjson::padded_string_view(body.data(), body.size(), body.capacity());
  } else {
    copy = simdjson::padded_string(body);
    view = copy;
  }
  od::document document;
  if (auto error = parser.iterate(view).get(document)) {
    if (error == simdjson::EMPTY) {
      trail.Fail("empty body");
    } else {
      trail.Malformed(error);
    }
    return trail.ToStatus();
  }
  od::json_type type;
  if (auto error = document.type().get(type)) {
    if (error == simdjson::EMPTY) {
      trail.Fail("empty body");
    } else {
      trail.Malformed(error);
    }
    return trail.ToStatus();
  }
  if (type != od::json_type::object) {
    trail.Fail("expected an object at the root");
    return trail.ToStatus();
  }
  od::value root;
  if (auto error = document.get_value().get(root)) {
    trail.Malformed(error);
    return trail.ToStatus();
  }
  if (!read_root(root, trail)) return trail.ToStatus();
  // Anything after the root object (a second document, stray characters).
  const auto location = document.current_location();
  if (location.error() != simdjson::OUT_OF_BOUNDS) {
    trail.Fail("malformed JSON (trailing content after the root object)");
    return trail.ToStatus();
  }
  return absl::OkStatus();
}

// {"key": ...} of a root object: calls `read_field(key, value)` for every
// field, skipping none (unknown keys are for `read_field` to ignore).
template <typename ReadField>
bool ForEachRootField(od::value& root, ErrorTrail& trail,
                      ReadField read_field) {
  od::object object;
  if (!GetObject(root, &object, trail)) return false;
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view key;
    if (!PlainKey(field, &key)) continue;
    if (!read_field(key, field.value())) return trail.InKey(key);
  }
  return true;
}

bool ReadFileArray(od::value& value,
                   google::protobuf::RepeatedPtrField<v1::File>* files,
                   ErrorTrail& trail) {
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) return TakeNull(value, trail);
  od::array array;
  if (!GetArray(value, &array, trail)) return false;
  size_t index = 0;
  for (auto element : array) {
    od::value item;
    if (auto error = element.get(item)) return trail.Malformed(error);
    if (!ReadFile(item, files->Add(), trail)) return trail.AtIndex(index);
    ++index;
  }
  return true;
}

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
                               std::string* next_url) {
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
              if (key == "next") return ReadString(value, next_url, trail);
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
    if (!saw_results) {
      trail.Fail("missing");
      return trail.InKey("results");
    }
    return true;
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
  files->Clear();
  problems->clear();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ForEachRootField(
            root, trail, [&](std::string_view key, od::value& value) {
              if (key == "result") return ReadFileArray(value, files, trail);
              if (key == "problems") {
                return ReadStringMap(value, problems, trail);
              }
              return true;
            });
      });
  if (!status.ok()) {
    files->Clear();
    problems->clear();
  }
  return status;
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
                                od::json_type type;
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

}  // namespace ucgate::json
