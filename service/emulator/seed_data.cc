#include "service/emulator/seed_data.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "service/common/uuid.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

enum class Kind { kJpeg, kPng, kWebp, kGif, kMp4, kWebm, kPdf, kDocx, kPlain };

struct KindInfo {
  Kind kind;
  int weight;  // out of 100
  int64_t min_size;
  int64_t max_size;
};

constexpr std::array<KindInfo, 9> kKinds = {{
    {Kind::kJpeg, 30, 2000, 8000000},
    {Kind::kPng, 15, 500, 3000000},
    {Kind::kWebp, 8, 1000, 600000},
    {Kind::kGif, 5, 800, 4000000},
    {Kind::kMp4, 8, 200000, 90000000},
    {Kind::kWebm, 4, 100000, 40000000},
    {Kind::kPdf, 10, 10000, 5000000},
    {Kind::kDocx, 6, 8000, 2000000},
    {Kind::kPlain, 14, 10, 1000000},
}};

// 2015-01-01T00:00:00Z.
constexpr int64_t kFirstUploadMicros = 1420070400LL * 1000000;

uint64_t FileState(uint64_t seed, uint32_t index) {
  return seed * 0x9E3779B97F4A7C15ULL +
         (uint64_t{index} + 1) * 0xD1B54A32D192ED03ULL;
}

// The draws every use of file `index` makes first, in the same order, so
// that seeding and materializing agree.
struct Draws {
  Uuid128 uuid;
  Kind kind;
  int64_t size;
  int storage_roll;  // 0..99: <2 removed, <77 stored, else unstored
  int64_t stored_delay_us;
  int64_t removed_delay_us;
};

Draws DrawBasics(SplitMix64& rng) {
  Draws draws;
  draws.uuid = RandomUuid(rng);
  uint64_t roll = rng.Below(100);
  const KindInfo* info = &kKinds.back();
  uint64_t acc = 0;
  for (const KindInfo& candidate : kKinds) {
    acc += candidate.weight;
    if (roll < acc) {
      info = &candidate;
      break;
    }
  }
  draws.kind = info->kind;
  draws.size = info->min_size +
               static_cast<int64_t>(rng.Below(info->max_size - info->min_size));
  draws.storage_roll = static_cast<int>(rng.Below(100));
  draws.stored_delay_us = 50000 + static_cast<int64_t>(rng.Below(2000000));
  draws.removed_delay_us =
      3600LL * 1000000 + static_cast<int64_t>(rng.Below(86400LL * 1000000));
  return draws;
}

template <typename T, size_t N>
const T& Pick(SplitMix64& rng, const std::array<T, N>& items) {
  return items[rng.Below(N)];
}

void SetMime(absl::string_view mime, v1::File* file) {
  file->set_mime_type(std::string(mime));
  v1::MimeInfo* info = file->mutable_content_info()->mutable_mime();
  info->set_mime(std::string(mime));
  size_t slash = mime.find('/');
  info->set_type(std::string(mime.substr(0, slash)));
  info->set_subtype(std::string(mime.substr(slash + 1)));
}

struct Dimensions {
  int width;
  int height;
};

constexpr std::array<Dimensions, 10> kImageSizes = {{{640, 480},
                                                     {800, 600},
                                                     {1024, 768},
                                                     {1920, 1080},
                                                     {3000, 2000},
                                                     {536, 354},
                                                     {300, 300},
                                                     {50, 50},
                                                     {2560, 1440},
                                                     {1080, 1920}}};

constexpr std::array<absl::string_view, 10> kLabels = {
    "Animal", "Pet",      "Dog",  "Cat",      "Nature",
    "Person", "Building", "Road", "Portrait", "Text"};

void FillImage(SplitMix64& rng, Kind kind, const SeededBasics& basics,
               v1::File* file) {
  file->set_is_image(true);
  v1::ImageInfo* image = file->mutable_content_info()->mutable_image();
  Dimensions dims = Pick(rng, kImageSizes);
  image->set_width(dims.width);
  image->set_height(dims.height);
  int dpi_roll = static_cast<int>(rng.Below(4));
  switch (kind) {
    case Kind::kJpeg:
      image->set_format("JPEG");
      image->set_color_mode(rng.Percent(95) ? "RGB" : "L");
      if (rng.Percent(40)) {
        image->set_orientation(1 + static_cast<int>(rng.Below(8)));
      }
      if (rng.Percent(20)) {
        v1::GeoLocation* geo = image->mutable_geo_location();
        geo->set_latitude(-60.0 +
                          static_cast<double>(rng.Below(120000000)) / 1e6);
        geo->set_longitude(-180.0 +
                           static_cast<double>(rng.Below(360000000)) / 1e6);
      }
      if (rng.Percent(50)) {
        absl::Time taken = absl::FromUnixMicros(
            basics.uploaded_us -
            static_cast<int64_t>(rng.Below(400LL * 86400)) * 1000000);
        image->set_datetime_original(
            absl::FormatTime("%Y-%m-%dT%H:%M:%S", taken, absl::UTCTimeZone()));
      }
      break;
    case Kind::kPng:
      image->set_format("PNG");
      image->set_color_mode("RGBA");
      break;
    case Kind::kWebp:
      image->set_format("WEBP");
      image->set_color_mode("RGB");
      break;
    default:
      image->set_format("GIF");
      image->set_color_mode("P");
      image->set_sequence(rng.Percent(50));
      break;
  }
  if (dpi_roll > 0) {
    static constexpr std::array<double, 3> kDpi = {72, 96, 300};
    image->add_dpi(kDpi[dpi_roll - 1]);
    image->add_dpi(kDpi[dpi_roll - 1]);
  }

  absl::Time created = absl::FromUnixMicros(basics.uploaded_us + 5000000);
  auto set_times = [&](v1::AppData* app) {
    int64_t seconds = absl::ToUnixSeconds(created);
    app->mutable_datetime_created()->set_seconds(seconds);
    app->mutable_datetime_updated()->set_seconds(seconds);
  };
  if (rng.Percent(15)) {
    v1::AppData& scan = (*file->mutable_appdata())["uc_clamav_virus_scan"];
    scan.set_version("0.104.2");
    set_times(&scan);
    auto& fields = *scan.mutable_data()->mutable_fields();
    fields["infected"].set_bool_value(false);
    fields["infected_with"].set_null_value(google::protobuf::NULL_VALUE);
  }
  if (rng.Percent(10)) {
    v1::AppData& labels =
        (*file->mutable_appdata())["aws_rekognition_detect_labels"];
    labels.set_version("2016-06-27");
    set_times(&labels);
    auto& fields = *labels.mutable_data()->mutable_fields();
    fields["LabelModelVersion"].set_string_value("3.0");
    google::protobuf::ListValue* list = fields["Labels"].mutable_list_value();
    int count = 2 + static_cast<int>(rng.Below(4));
    size_t first = rng.Below(kLabels.size());
    for (int i = 0; i < count; ++i) {
      absl::string_view name = kLabels[(first + i) % kLabels.size()];
      double confidence = 50.0 + static_cast<double>(rng.Below(4999999)) / 1e5;
      auto& label =
          *list->add_values()->mutable_struct_value()->mutable_fields();
      label["Confidence"].set_number_value(confidence);
      label["Instances"].mutable_list_value();
      label["Name"].set_string_value(std::string(name));
      label["Parents"].mutable_list_value();
      (*file->mutable_rekognition_info())[std::string(name)] =
          static_cast<double>(static_cast<int64_t>(confidence * 1000)) / 100000;
    }
  }
}

void FillVideo(SplitMix64& rng, Kind kind, v1::File* file) {
  file->set_is_image(false);
  v1::VideoInfo* video = file->mutable_content_info()->mutable_video();
  bool mp4 = kind == Kind::kMp4;
  video->set_format(mp4 ? "mp4" : "webm");
  video->set_duration(1000 + static_cast<int64_t>(rng.Below(600000)));
  int64_t bitrate = 300 + static_cast<int64_t>(rng.Below(5000));
  video->set_bitrate(bitrate);
  static constexpr std::array<Dimensions, 3> kVideoSizes = {
      {{640, 480}, {1280, 720}, {1920, 1080}}};
  static constexpr std::array<double, 4> kFrameRates = {24, 25, 30, 60};
  Dimensions dims = Pick(rng, kVideoSizes);
  v1::VideoStream* stream = video->add_video();
  stream->set_codec(mp4 ? "h264" : "vp9");
  stream->set_width(dims.width);
  stream->set_height(dims.height);
  stream->set_bitrate(bitrate * 4 / 5);
  stream->set_frame_rate(Pick(rng, kFrameRates));
  if (rng.Percent(70)) {
    v1::AudioStream* audio = video->add_audio();
    audio->set_codec(mp4 ? "aac" : "opus");
    audio->set_bitrate(mp4 ? 128 : 96);
    audio->set_channels(2);
    audio->set_sample_rate(mp4 ? 44100 : 48000);
  }
}

}  // namespace

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Uuid128 RandomUuid(SplitMix64& rng) {
  Uuid128 uuid;
  uuid.hi = (rng.Next() & ~0xF000ULL) | 0x4000ULL;        // version 4
  uuid.lo = (rng.Next() & ~(3ULL << 62)) | (2ULL << 62);  // RFC 4122 variant
  return uuid;
}

std::string FormatUuid(const Uuid128& uuid) {
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", uuid.hi >> 32,
                         (uuid.hi >> 16) & 0xFFFF, uuid.hi & 0xFFFF,
                         uuid.lo >> 48, uuid.lo & 0xFFFFFFFFFFFFULL);
}

bool ParseUuid(absl::string_view text, Uuid128* uuid) {
  if (!IsValidUuid(text)) return false;
  uint64_t parts[2] = {0, 0};
  int nibble = 0;
  for (char c : text) {
    if (c == '-') continue;
    int value = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    uint64_t& part = parts[nibble / 16];
    part = (part << 4) | static_cast<uint64_t>(value);
    ++nibble;
  }
  uuid->hi = parts[0];
  uuid->lo = parts[1];
  return true;
}

SeedTimeline::SeedTimeline(uint64_t seed)
    : seed_(seed),
      gaps_(seed ^ 0x5EED5EED5EED5EEDULL),
      uploaded_us_(kFirstUploadMicros) {}

SeededBasics SeedTimeline::Next(uint32_t index) {
  if (index > 0 && !gaps_.Percent(5)) {
    uploaded_us_ += 1000000 + static_cast<int64_t>(gaps_.Below(600000000));
  }
  SplitMix64 rng(FileState(seed_, index));
  Draws draws = DrawBasics(rng);
  SeededBasics basics;
  basics.uuid = draws.uuid;
  basics.uploaded_us = uploaded_us_;
  basics.size = draws.size;
  if (draws.storage_roll < 2) {
    basics.removed_us = uploaded_us_ + draws.removed_delay_us;
  } else if (draws.storage_roll < 77) {
    basics.stored_us = uploaded_us_ + draws.stored_delay_us;
  }
  return basics;
}

void SetTimestampMicros(int64_t micros,
                        google::protobuf::Timestamp* timestamp) {
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(static_cast<int32_t>(rest * 1000));
}

int64_t TimestampMicros(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1000000 + timestamp.nanos() / 1000;
}

void MaterializeSeededFile(uint64_t seed, uint32_t index,
                           const SeededBasics& basics,
                           absl::string_view base_url, v1::File* file) {
  file->Clear();
  SplitMix64 rng(FileState(seed, index));
  Draws draws = DrawBasics(rng);
  std::string uuid = FormatUuid(basics.uuid);
  int number = static_cast<int>(rng.Below(10000));

  std::string name;
  switch (draws.kind) {
    case Kind::kJpeg:
      name = rng.Percent(50) ? absl::StrFormat("IMG_%04d.jpg", number)
                             : absl::StrCat("photo-", number, ".jpeg");
      SetMime("image/jpeg", file);
      break;
    case Kind::kPng:
      name = absl::StrCat("screenshot-", number, ".png");
      SetMime("image/png", file);
      break;
    case Kind::kWebp:
      name = absl::StrCat("banner-", number, ".webp");
      SetMime("image/webp", file);
      break;
    case Kind::kGif:
      name = absl::StrCat("animation-", number, ".gif");
      SetMime("image/gif", file);
      break;
    case Kind::kMp4:
      name = absl::StrCat("clip-", number, ".mp4");
      SetMime("video/mp4", file);
      break;
    case Kind::kWebm:
      name = absl::StrCat("recording-", number, ".webm");
      SetMime("video/webm", file);
      break;
    case Kind::kPdf:
      name = absl::StrCat("invoice-", number, ".pdf");
      SetMime("application/pdf", file);
      break;
    case Kind::kDocx:
      name = absl::StrCat("report-", number, ".docx");
      SetMime(
          "application/"
          "vnd.openxmlformats-officedocument.wordprocessingml.document",
          file);
      break;
    case Kind::kPlain: {
      struct Plain {
        absl::string_view prefix, extension, mime;
      };
      static constexpr std::array<Plain, 4> kPlain = {
          {{"notes-", ".txt", "text/plain"},
           {"archive-", ".zip", "application/zip"},
           {"data-", ".csv", "text/csv"},
           {"blob-", ".bin", "application/octet-stream"}}};
      const Plain& plain = Pick(rng, kPlain);
      name = absl::StrCat(plain.prefix, number, plain.extension);
      SetMime(plain.mime, file);
      break;
    }
  }

  file->set_uuid(uuid);
  file->set_original_filename(name);
  file->set_size(basics.size);
  file->set_is_ready(true);
  file->set_url(absl::StrCat(base_url, "/files/", uuid, "/"));
  file->set_original_file_url(
      absl::StrCat("https://ucarecdn.com/", uuid, "/", name));
  SetTimestampMicros(basics.uploaded_us, file->mutable_datetime_uploaded());
  if (basics.stored_us != 0) {
    SetTimestampMicros(basics.stored_us, file->mutable_datetime_stored());
  }
  if (basics.removed_us != 0) {
    SetTimestampMicros(basics.removed_us, file->mutable_datetime_removed());
    file->clear_original_file_url();  // the service answers null once removed
  }

  switch (draws.kind) {
    case Kind::kJpeg:
    case Kind::kPng:
    case Kind::kWebp:
    case Kind::kGif:
      FillImage(rng, draws.kind, basics, file);
      break;
    case Kind::kMp4:
    case Kind::kWebm:
      FillVideo(rng, draws.kind, file);
      break;
    default:
      file->set_is_image(false);
      break;
  }

  if (rng.Percent(25)) {
    static constexpr std::array<absl::string_view, 4> kSubsystems = {
        "uploader", "cms", "tests", "billing"};
    static constexpr std::array<absl::string_view, 3> kPets = {"cat", "dog",
                                                               "parrot"};
    auto& metadata = *file->mutable_metadata();
    metadata["subsystem"] = std::string(Pick(rng, kSubsystems));
    if (rng.Percent(50)) metadata["pet"] = std::string(Pick(rng, kPets));
  }
}

}  // namespace ucgate::emulator
