// The parsers: both upstream shapes into one File, the quirks of real
// answers, and INTERNAL errors naming the JSON path for anything malformed.
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
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr absl::StatusCode kInternal = absl::StatusCode::kInternal;

v1::File MustParseFile(const std::string& body) {
  v1::File file;
  const absl::Status status = ParseFile(body, &file);
  EXPECT_THAT(status, IsOk()) << body;
  return file;
}

absl::Status ParseFileStatus(const std::string& body) {
  v1::File file;
  file.set_uuid("left over");
  const absl::Status status = ParseFile(body, &file);
  if (!status.ok()) {
    EXPECT_EQ(file.ByteSizeLong(), 0u) << "half-filled on error: " << body;
  }
  return status;
}

// file_info.yml: a v0.6-shaped answer (image_info, source).
constexpr char kV06Image[] =
    R"({"datetime_removed":null,"datetime_stored":"2020-01-16T15:03:15.315064Z","datetime_uploaded":"2020-01-16T15:03:14.676902Z","image_info":{"color_mode":"RGB","orientation":null,"format":"JPEG","sequence":false,"height":183,"width":190,"geo_location":null,"datetime_original":null,"dpi":null},"is_image":true,"is_ready":true,"mime_type":"image/jpeg","original_file_url":"https://ucarecdn.com/8f64f313-e6b1-4731-96c0-6751f1e7a50a/imagepng.jpeg","original_filename":"image.png.jpeg","size":5345,"url":"https://api.uploadcare.com/files/8f64f313-e6b1-4731-96c0-6751f1e7a50a/","uuid":"8f64f313-e6b1-4731-96c0-6751f1e7a50a","source":null})";

TEST(ParseFileTest, MapsV06ImageInfoIntoContentInfo) {
  const v1::File file = MustParseFile(kV06Image);
  EXPECT_EQ(file.uuid(), "8f64f313-e6b1-4731-96c0-6751f1e7a50a");
  EXPECT_EQ(file.size(), 5345);
  EXPECT_TRUE(file.has_is_image());
  EXPECT_TRUE(file.is_image());
  EXPECT_TRUE(file.is_ready());
  EXPECT_FALSE(file.has_datetime_removed());
  EXPECT_EQ(file.datetime_stored().seconds(), 1579186995);
  EXPECT_EQ(file.datetime_stored().nanos(), 315064000);
  EXPECT_EQ(file.source(), "");
  const v1::ImageInfo& image = file.content_info().image();
  EXPECT_EQ(image.color_mode(), "RGB");
  EXPECT_EQ(image.format(), "JPEG");
  EXPECT_EQ(image.width(), 190);
  EXPECT_EQ(image.height(), 183);
  EXPECT_FALSE(image.has_orientation());
  EXPECT_FALSE(image.has_geo_location());
  EXPECT_TRUE(image.dpi().empty());
  // No content_info.mime upstream: derived from mime_type.
  EXPECT_EQ(file.content_info().mime().mime(), "image/jpeg");
  EXPECT_EQ(file.content_info().mime().type(), "image");
  EXPECT_EQ(file.content_info().mime().subtype(), "jpeg");
  EXPECT_FALSE(file.content_info().has_video());
}

// The v0.6 reference: a single audio/video object, channels as a string.
TEST(ParseFileTest, MapsV06VideoInfoIntoRepeatedStreams) {
  const v1::File file = MustParseFile(
      R"({"image_info":null,"is_image":false,"mime_type":"video/mp4","video_info":{"audio":{"codec":"aac","bitrate":129,"channels":"2","sample_rate":44100},"video":{"codec":"h264","width":640,"height":480,"bitrate":433,"frame_rate":29.97},"format":"mp4","bitrate":579,"duration":200044},"rekognition_info":{"Art":0.60401,"Home Decor":0.719}})");
  const v1::VideoInfo& video = file.content_info().video();
  EXPECT_EQ(video.format(), "mp4");
  EXPECT_EQ(video.bitrate(), 579);
  EXPECT_EQ(video.duration(), 200044);
  ASSERT_EQ(video.audio_size(), 1);
  EXPECT_EQ(video.audio(0).codec(), "aac");
  EXPECT_EQ(video.audio(0).channels(), 2);
  EXPECT_EQ(video.audio(0).bitrate(), 129);
  EXPECT_EQ(video.audio(0).sample_rate(), 44100);
  ASSERT_EQ(video.video_size(), 1);
  EXPECT_EQ(video.video(0).width(), 640);
  EXPECT_DOUBLE_EQ(video.video(0).frame_rate(), 29.97);
  EXPECT_FALSE(file.content_info().has_image());
  EXPECT_EQ(file.content_info().mime().type(), "video");
  EXPECT_THAT(
      file.rekognition_info(),
      UnorderedElementsAre(Pair("Art", 0.60401), Pair("Home Decor", 0.719)));
}

TEST(ParseFileTest, V06NullStreamsAreEmpty) {
  const v1::File file = MustParseFile(
      R"({"video_info":{"audio":null,"video":{"codec":"vp8","width":1,"height":2,"bitrate":null,"frame_rate":30},"format":"webm","bitrate":1,"duration":2}})");
  EXPECT_TRUE(file.content_info().video().audio().empty());
  ASSERT_EQ(file.content_info().video().video_size(), 1);
  EXPECT_FALSE(file.content_info().video().video(0).has_bitrate());
}

TEST(ParseFileTest, MapsV07ContentInfoMetadataAndAppData) {
  const v1::File file = MustParseFile(
      R"({"uuid":"640fe4b7-7352-42ca-8d87-0e4387957157","mime_type":"image/jpeg","content_info":{"mime":{"mime":"image/jpeg","type":"image","subtype":"jpeg"},"image":{"dpi":[72,72],"width":3011,"format":"JPEG","height":4516,"sequence":false,"color_mode":"RGB","orientation":1,"geo_location":{"latitude":55.62013611111111,"longitude":37.66299166666666},"datetime_original":"2023-03-10T16:23:15"}},"metadata":{"subsystem":"test","k\"e\u00e9":"v\n"},"appdata":{"aws_rekognition_detect_labels":{"data":{"Labels":[{"Name":"Dog","Parents":[{"Name":"Animal"}],"Instances":[],"Confidence":97.41680908203125}],"LabelModelVersion":"3.0","Deep":[[1,[true,null]]]},"datetime_created":"2024-02-24T14:00:23.545995Z","datetime_updated":"2024-02-24T14:07:10.598091Z","version":"2016-06-27"},"uc_clamav_virus_scan":{"data":{"infected":false},"datetime_created":"2024-02-16T14:44:29.676188Z","datetime_updated":"2024-02-16T14:44:29.676207Z","version":"1.0.1"}}})");
  const v1::ImageInfo& image = file.content_info().image();
  EXPECT_THAT(image.dpi(), ElementsAre(72, 72));
  EXPECT_EQ(image.orientation(), 1);
  EXPECT_DOUBLE_EQ(image.geo_location().latitude(), 55.62013611111111);
  EXPECT_EQ(image.datetime_original(), "2023-03-10T16:23:15");
  EXPECT_THAT(file.metadata(),
              UnorderedElementsAre(Pair("subsystem", "test"),
                                   Pair("k\"e\xC3\xA9", "v\n")));
  ASSERT_EQ(file.appdata().count("uc_clamav_virus_scan"), 1u);
  const v1::AppData& scan = file.appdata().at("uc_clamav_virus_scan");
  EXPECT_EQ(scan.version(), "1.0.1");
  EXPECT_EQ(scan.datetime_updated().nanos(), 676207000);
  EXPECT_FALSE(scan.data().fields().at("infected").bool_value());
  const auto& labels =
      file.appdata().at("aws_rekognition_detect_labels").data().fields();
  EXPECT_EQ(labels.at("LabelModelVersion").string_value(), "3.0");
  const auto& dog = labels.at("Labels").list_value().values(0).struct_value();
  EXPECT_EQ(dog.fields().at("Name").string_value(), "Dog");
  EXPECT_DOUBLE_EQ(dog.fields().at("Confidence").number_value(),
                   97.41680908203125);
  EXPECT_EQ(dog.fields()
                .at("Parents")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("Name")
                .string_value(),
            "Animal");
  EXPECT_EQ(dog.fields().at("Instances").list_value().values_size(), 0);
  const auto& deep = labels.at("Deep").list_value().values(0).list_value();
  EXPECT_EQ(deep.values(0).number_value(), 1);
  EXPECT_TRUE(deep.values(1).list_value().values(0).bool_value());
  EXPECT_EQ(deep.values(1).list_value().values(1).kind_case(),
            google::protobuf::Value::kNullValue);
}

// rest_file_internal_copy.yml: a fresh copy, content not known yet.
TEST(ParseFileTest, NullContentInfoStaysUnsetWithoutMadeUpMime) {
  const v1::File file = MustParseFile(
      R"({"datetime_removed":null,"datetime_stored":null,"datetime_uploaded":"2022-11-30T13:00:34.811719Z","is_image":null,"is_ready":true,"mime_type":"application/octet-stream","original_file_url":"https://ucarecdn.com/d359955d-665c-4556-b305-6301290ccdec/image.png","original_filename":"image.png","size":0,"url":"https://api.uploadcare.com/files/d359955d-665c-4556-b305-6301290ccdec/","uuid":"d359955d-665c-4556-b305-6301290ccdec","variations":null,"content_info":null,"metadata":{}})");
  EXPECT_FALSE(file.has_is_image());
  EXPECT_FALSE(file.has_content_info());
  EXPECT_TRUE(file.variations().empty());
  EXPECT_TRUE(file.metadata().empty());
}

// rest_file_list_load.yml: older v0.7 answers have content_info without mime.
TEST(ParseFileTest, DerivesMimeWhenContentInfoHasNone) {
  const v1::File file = MustParseFile(
      R"({"mime_type":"video/mp4","content_info":{"video":{"audio":[{"codec":"aac","bitrate":3,"channels":2,"sample_rate":44100}],"video":[{"codec":"h264","width":1280,"height":720,"bitrate":67,"frame_rate":29}],"format":"mpeg4","bitrate":70,"duration":1114}}})");
  EXPECT_EQ(file.content_info().mime().mime(), "video/mp4");
  EXPECT_EQ(file.content_info().mime().subtype(), "mp4");
  EXPECT_EQ(file.content_info().video().audio(0).channels(), 2);
  EXPECT_EQ(file.content_info().video().video(0).frame_rate(), 29);
}

TEST(ParseFileTest, AcceptsNullForEveryOptionalField) {
  const v1::File file = MustParseFile(
      R"({"datetime_removed":null,"datetime_stored":null,"datetime_uploaded":null,"is_image":null,"is_ready":null,"mime_type":null,"original_file_url":null,"original_filename":null,"size":null,"url":null,"uuid":null,"variations":null,"content_info":null,"metadata":null,"appdata":null,"image_info":null,"video_info":null,"source":null,"rekognition_info":null,"tags":null})");
  EXPECT_EQ(file.ByteSizeLong(), 0u) << file.DebugString();
}

TEST(ParseFileTest, TagsAreAnOptionalStringListWithNullsSkipped) {
  EXPECT_THAT(MustParseFile(R"({"uuid":"u"})").tags(), ElementsAre());
  EXPECT_THAT(MustParseFile(R"({"tags":[]})").tags(), ElementsAre());
  EXPECT_THAT(MustParseFile(R"({"tags":["a",null,"b\u00e9"]})").tags(),
              ElementsAre("a", "b\u00e9"));
  // A repeated key replaces, never appends.
  EXPECT_THAT(MustParseFile(R"({"tags":["x"],"tags":["y"]})").tags(),
              ElementsAre("y"));
}

TEST(ParseFileTest, NullMapValuesAreNoEntries) {
  const v1::File file = MustParseFile(
      R"({"metadata":{"a":null,"b":"x"},"variations":{"video/-/format/mp4/":null},"rekognition_info":{"Dog":null}})");
  EXPECT_THAT(file.metadata(), UnorderedElementsAre(Pair("b", "x")));
  EXPECT_TRUE(file.variations().empty());
  EXPECT_TRUE(file.rekognition_info().empty());
}

TEST(ParseFileTest, AcceptsNumbersInStringsAndIntegralFloats) {
  const v1::File file = MustParseFile(
      R"({"size":"1290","content_info":{"image":{"width":50.0,"height":"60","orientation":"6","dpi":["72.5",96]},"video":{"duration":1114.4,"bitrate":"70","audio":[{"channels":"2","bitrate":null,"sample_rate":"44100"}],"video":[{"frame_rate":"29.97"}]}}})");
  EXPECT_EQ(file.size(), 1290);
  EXPECT_EQ(file.content_info().image().width(), 50);
  EXPECT_EQ(file.content_info().image().height(), 60);
  EXPECT_EQ(file.content_info().image().orientation(), 6);
  EXPECT_THAT(file.content_info().image().dpi(), ElementsAre(72.5, 96));
  EXPECT_EQ(file.content_info().video().duration(), 1114);
  EXPECT_EQ(file.content_info().video().bitrate(), 70);
  EXPECT_EQ(file.content_info().video().audio(0).channels(), 2);
  EXPECT_FALSE(file.content_info().video().audio(0).has_bitrate());
  EXPECT_EQ(file.content_info().video().audio(0).sample_rate(), 44100);
  EXPECT_DOUBLE_EQ(file.content_info().video().video(0).frame_rate(), 29.97);
}

TEST(ParseFileTest, AcceptsTimestampVariants) {
  const v1::File file = MustParseFile(
      R"({"datetime_uploaded":"2020-02-12T12:16:47.262363+00:00","datetime_stored":"2020-02-12T12:16:47Z","datetime_removed":"2020-02-12T14:16:47.5+02:00"})");
  EXPECT_EQ(file.datetime_uploaded().seconds(), 1581509807);
  EXPECT_EQ(file.datetime_uploaded().nanos(), 262363000);
  EXPECT_EQ(file.datetime_stored().seconds(), 1581509807);
  EXPECT_EQ(file.datetime_stored().nanos(), 0);
  EXPECT_EQ(file.datetime_removed().seconds(), 1581509807);
  EXPECT_EQ(file.datetime_removed().nanos(), 500000000);
}

TEST(ParseFileTest, SkipsUnknownFieldsOfAnyShape) {
  const v1::File file = MustParseFile(
      R"({"default_effects":"","future":{"a":[1,{"b":null}],"c":"}"},"uuid":"x","\u0075uid":"escaped key is not a known field","content_info":{"mime":{"mime":"a/b","type":"a","subtype":"b","extra":1},"other":[[]]},"size":3,"list":[{"size":"not this one"}]})");
  EXPECT_EQ(file.uuid(), "x");
  EXPECT_EQ(file.size(), 3);
  EXPECT_EQ(file.content_info().mime().mime(), "a/b");
}

TEST(ParseFileTest, UnescapesStringValues) {
  const v1::File file = MustParseFile(
      R"({"original_filename":"a\"b\\c\/d \u00e9\ud83d\udc31\n"})");
  EXPECT_EQ(file.original_filename(), "a\"b\\c/d \xC3\xA9\xF0\x9F\x90\xB1\n");
}

TEST(ParseFileTest, ParsesInPlaceAndFromTightBuffers) {
  std::string padded = kV06Image;
  padded.reserve(padded.size() + 64);
  std::string tight = kV06Image;
  tight.shrink_to_fit();
  v1::File a, b;
  ASSERT_THAT(ParseFile(padded, &a), IsOk());
  ASSERT_THAT(ParseFile(tight, &b), IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(a, b));
  EXPECT_EQ(padded, kV06Image);  // In-place parsing leaves the body intact.
}

TEST(ParseFileTest, LaterDuplicateKeysWin) {
  const v1::File file = MustParseFile(
      R"({"size":1,"size":2,"content_info":{"image":{"dpi":[1,2]}},"image_info":{"dpi":[3]}})");
  EXPECT_EQ(file.size(), 2);
  EXPECT_THAT(file.content_info().image().dpi(), ElementsAre(3));
}

// --- Errors -----------------------------------------------------------------

TEST(ParseFileErrorTest, EmptyBody) {
  EXPECT_THAT(ParseFileStatus(""),
              StatusIs(kInternal, Eq("upstream JSON: empty body")));
  EXPECT_THAT(ParseFileStatus("  \n "),
              StatusIs(kInternal, StartsWith("upstream JSON: ")));
}

TEST(ParseFileErrorTest, NonObjectRoots) {
  for (const char* body :
       {"[]", "[{\"uuid\":\"x\"}]", "42", "\"file\"", "null", "true"}) {
    EXPECT_THAT(ParseFileStatus(body),
                StatusIs(kInternal, Eq("upstream JSON: expected an object at "
                                       "the root")))
        << body;
  }
}

TEST(ParseFileErrorTest, MalformedJson) {
  for (const char* body : {
           R"({"uuid":"abc","size":12)",
           R"({"uuid":"abc)",
           R"({"uuid" "abc"})",
           R"({"uuid":"abc",})",
           R"({"size":12,"content_info":{"image":{"dpi":[1,2})",
           R"({"size":1x})",
           R"({"is_image":tru})",
           R"({"is_image":nul})",
           R"({"uuid":"a"} trailing)",
           R"({"uuid":"a"}{"uuid":"b"})",
           R"({"uuid":"a"}})",
           "{\"uuid\":\"\xff\xfe\"}",
           R"({"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[)",
       }) {
    EXPECT_THAT(ParseFileStatus(body),
                StatusIs(kInternal, StartsWith("upstream JSON: ")))
        << body;
  }
}

TEST(ParseFileErrorTest, WrongTypesNameTheirPath) {
  const std::pair<const char*, const char*> kCases[] = {
      {R"({"size":"abc"})", "upstream JSON: size: expected a number"},
      {R"({"size":true})", "upstream JSON: size: expected a number"},
      {R"({"size":{}})", "upstream JSON: size: expected a number"},
      {R"({"uuid":7})", "upstream JSON: uuid: expected a string"},
      {R"({"is_image":"yes"})", "upstream JSON: is_image: expected a boolean"},
      {R"({"datetime_uploaded":"yesterday"})",
       "upstream JSON: datetime_uploaded: expected an ISO-8601 timestamp"},
      {R"({"datetime_stored":"2020-02-30T00:00:00Z"})",
       "upstream JSON: datetime_stored: expected an ISO-8601 timestamp"},
      {R"({"datetime_stored":1581509807})",
       "upstream JSON: datetime_stored: expected an ISO-8601 timestamp"},
      {R"({"content_info":[]})",
       "upstream JSON: content_info: expected an object"},
      {R"({"content_info":{"image":{"dpi":[72,"x"]}}})",
       "upstream JSON: content_info.image.dpi[1]: expected a number"},
      {R"({"content_info":{"image":{"dpi":[72,null]}}})",
       "upstream JSON: content_info.image.dpi[1]: expected a number"},
      {R"({"content_info":{"image":{"width":3000000000}}})",
       "upstream JSON: content_info.image.width: number out of range"},
      {R"({"content_info":{"video":{"audio":[{"codec":"aac"},7]}}})",
       "upstream JSON: content_info.video.audio[1]: expected an object"},
      {R"({"video_info":{"video":{"frame_rate":"fast"}}})",
       "upstream JSON: video_info.video.frame_rate: expected a number"},
      {R"({"image_info":{"geo_location":{"latitude":"north"}}})",
       "upstream JSON: image_info.geo_location.latitude: expected a number"},
      {R"({"metadata":{"a":"b","c":1}})",
       "upstream JSON: metadata.c: expected a string"},
      {R"({"variations":["a"]})",
       "upstream JSON: variations: expected an object"},
      {R"({"appdata":{"x":{"datetime_created":"then"}}})",
       "upstream JSON: appdata.x.datetime_created: expected an ISO-8601 "
       "timestamp"},
      {R"({"appdata":{"x":{"data":[1]}}})",
       "upstream JSON: appdata.x.data: expected an object"},
      {R"({"rekognition_info":{"Dog":"very"}})",
       "upstream JSON: rekognition_info.Dog: expected a number"},
      {R"({"tags":"a"})", "upstream JSON: tags: expected an array"},
      {R"({"tags":["a",7]})", "upstream JSON: tags[1]: expected a string"},
  };
  for (const auto& [body, message] : kCases) {
    EXPECT_THAT(ParseFileStatus(body), StatusIs(kInternal, Eq(message)))
        << body;
  }
}

std::string Nested(int depth, absl::string_view leaf) {
  std::string json;
  for (int i = 0; i < depth; ++i) json += "{\"a\":[";
  json += std::string(leaf);
  for (int i = 0; i < depth; ++i) json += "]}";
  return json;
}

TEST(ParseFileErrorTest, AppDataPastTheDepthLimitIsKeptAsJsonText) {
  // 12 levels of {"a":[...]} are 24 JSON levels: within the limit.
  v1::File file =
      MustParseFile(R"({"appdata":{"x":{"data":)" + Nested(12, "1") + "}}}");
  EXPECT_EQ(file.appdata().at("x").data().fields().at("a").kind_case(),
            google::protobuf::Value::kListValue);
  {
    // The innermost level is still a number, not text.
    google::protobuf::Value current;
    *current.mutable_struct_value() = file.appdata().at("x").data();
    while (current.has_struct_value() || current.has_list_value()) {
      google::protobuf::Value inner =
          current.has_struct_value() ? current.struct_value().fields().at("a")
                                     : current.list_value().values(0);
      current = std::move(inner);
    }
    EXPECT_EQ(current.kind_case(), google::protobuf::Value::kNumberValue);
  }
  EXPECT_EQ(file.appdata().at("x").data().fields().at("a").kind_case(),
            google::protobuf::Value::kListValue);
  // 40 levels: the file parses; past level 24 the data is its JSON text.
  const std::string deep_json = Nested(40, "1");
  v1::File deep =
      MustParseFile(R"({"appdata":{"x":{"data":)" + deep_json + "}}}");
  google::protobuf::Value current;
  *current.mutable_struct_value() = deep.appdata().at("x").data();
  int levels = 0;
  while (current.has_struct_value() || current.has_list_value()) {
    google::protobuf::Value inner =
        current.has_struct_value() ? current.struct_value().fields().at("a")
                                   : current.list_value().values(0);
    current = std::move(inner);
    ++levels;
  }
  ASSERT_EQ(current.kind_case(), google::protobuf::Value::kStringValue);
  EXPECT_LE(levels, 25);
  // The kept text is the rest of the original document, verbatim.
  EXPECT_NE(deep_json.find(current.string_value()), std::string::npos);
  EXPECT_GT(current.string_value().size(), 10u);
  // And a client can decode the answer (protobuf's own depth limit is 100).
  v1::File decoded;
  EXPECT_TRUE(decoded.ParseFromString(deep.SerializeAsString()));
}

TEST(ParseFileErrorTest, VeryDeepUnknownFieldsAreRefusedNotCrashed) {
  // Skipped fields within simdjson's depth limit are fine...
  MustParseFile(R"({"uuid":"x","other":)" + Nested(200, "1") + "}");
  // ...and past it (1024) the document is refused.
  const std::string deep(100000, '[');
  EXPECT_THAT(ParseFileStatus(R"({"other":)" + deep + "}"),
              StatusIs(kInternal, StartsWith("upstream JSON: ")));
  EXPECT_THAT(ParseFileStatus(deep),
              StatusIs(kInternal, StartsWith("upstream JSON: ")));
}

// --- Pages, batches, copies -------------------------------------------------

TEST(ParseFileListPageTest, FillsFilesTotalsAndNextUrl) {
  v1::ListFilesResponse page;
  std::string next;
  ASSERT_THAT(
      ParseFileListPage(
          R"({"next":"https://api.uploadcare.com/files/?limit=2&from=2022-09-28T15%3A53%3A36.082137%2B00%3A00","previous":null,"total":129,"totals":{"removed":1,"stored":128,"unstored":0},"per_page":2,"results":[{"uuid":"a","size":1},{"uuid":"b","size":2}]})",
          &page, &next),
      IsOk());
  EXPECT_EQ(next,
            "https://api.uploadcare.com/files/"
            "?limit=2&from=2022-09-28T15%3A53%3A36.082137%2B00%3A00");
  EXPECT_EQ(page.total_size(), 129);
  EXPECT_EQ(page.totals().removed(), 1);
  EXPECT_EQ(page.totals().stored(), 128);
  ASSERT_EQ(page.files_size(), 2);
  EXPECT_EQ(page.files(1).uuid(), "b");
  EXPECT_EQ(page.next_page_token(), "");

  ASSERT_THAT(ParseFileListPage(R"({"next":null,"results":[]})", &page, &next),
              IsOk());
  EXPECT_EQ(next, "");
  EXPECT_EQ(page.files_size(), 0);
  EXPECT_EQ(page.total_size(), 0);
}

TEST(ParseFileListPageTest, TellsTheNextUrlBeforeMappingTheResults) {
  v1::ListFilesResponse page;
  std::string next;
  std::vector<std::string> heard;
  int files_when_heard = -1;
  ASSERT_THAT(
      ParseFileListPage(
          R"({"next":"https://api.uploadcare.com/files/?from=x","results":[{"uuid":"a"}]})",
          &page, &next,
          [&](const std::string& url) {
            heard.push_back(url);
            files_when_heard = page.files_size();
          }),
      IsOk());
  EXPECT_THAT(heard, ::testing::ElementsAre(
                         "https://api.uploadcare.com/files/?from=x"));
  EXPECT_EQ(files_when_heard, 0);  // before any file was mapped
  EXPECT_EQ(page.files_size(), 1);
}

TEST(ParseFileListPageTest, ErrorsNameTheFileIndexAndClearTheOutput) {
  v1::ListFilesResponse page;
  page.add_files()->set_uuid("stale");
  std::string next = "stale";
  std::string body =
      R"({"next":"https://x/","total":4,"results":[{"size":1},{"size":2},{"size":3},{"size":"big"}]})";
  EXPECT_THAT(
      ParseFileListPage(body, &page, &next),
      StatusIs(kInternal,
               Eq("upstream JSON: results[3].size: expected a number")));
  EXPECT_EQ(page.files_size(), 0);
  EXPECT_EQ(page.total_size(), 0);
  EXPECT_EQ(next, "");

  EXPECT_THAT(ParseFileListPage(R"({"next":null})", &page, &next),
              StatusIs(kInternal, Eq("upstream JSON: results: missing")));
  EXPECT_THAT(
      ParseFileListPage(R"({"results":{}})", &page, &next),
      StatusIs(kInternal, Eq("upstream JSON: results: expected an array")));
  EXPECT_THAT(
      ParseFileListPage(R"({"results":[1]})", &page, &next),
      StatusIs(kInternal, Eq("upstream JSON: results[0]: expected an object")));
  EXPECT_THAT(
      ParseFileListPage(R"({"next":5,"results":[]})", &page, &next),
      StatusIs(kInternal, Eq("upstream JSON: next: expected a string")));
  EXPECT_THAT(ParseFileListPage(R"({"results":[{"uuid":"a"})", &page, &next),
              StatusIs(kInternal, StartsWith("upstream JSON: ")));
}

TEST(ParseBatchResultTest, FilesAndProblems) {
  google::protobuf::RepeatedPtrField<v1::File> files;
  google::protobuf::Map<std::string, std::string> problems;
  ASSERT_THAT(
      ParseBatchResult(
          R"({"status":"ok","problems":{"other_nonexistent":"Invalid","nonexistent":"Invalid"},"result":[]})",
          &files, &problems),
      IsOk());
  EXPECT_TRUE(files.empty());
  EXPECT_THAT(problems,
              UnorderedElementsAre(Pair("other_nonexistent", "Invalid"),
                                   Pair("nonexistent", "Invalid")));

  ASSERT_THAT(ParseBatchResult(
                  R"({"status":"ok","problems":{},"result":[{"uuid":"a"}]})",
                  &files, &problems),
              IsOk());
  ASSERT_EQ(files.size(), 1);
  EXPECT_EQ(files[0].uuid(), "a");
  EXPECT_TRUE(problems.empty());

  EXPECT_THAT(ParseBatchResult(R"({"problems":{"a":1},"result":[]})", &files,
                               &problems),
              StatusIs(kInternal, Eq("upstream JSON: problems.a: expected a "
                                     "string")));
  EXPECT_THAT(ParseBatchResult(R"({"result":[{"uuid":"a"},{"is_ready":1}]})",
                               &files, &problems),
              StatusIs(kInternal, Eq("upstream JSON: result[1].is_ready: "
                                     "expected a boolean")));
  EXPECT_TRUE(files.empty());
  EXPECT_TRUE(problems.empty());
}

TEST(ParseLocalCopyResultTest, TheResultIsTheFile) {
  v1::File file;
  ASSERT_THAT(
      ParseLocalCopyResult(
          R"({"type":"file","result":{"uuid":"d359955d","size":0}})", &file),
      IsOk());
  EXPECT_EQ(file.uuid(), "d359955d");
  EXPECT_THAT(ParseLocalCopyResult(R"({"type":"file"})", &file),
              StatusIs(kInternal, Eq("upstream JSON: result: missing")));
  EXPECT_THAT(
      ParseLocalCopyResult(R"({"type":"file","result":"s3://x"})", &file),
      StatusIs(kInternal, Eq("upstream JSON: result: expected an "
                             "object")));
  EXPECT_EQ(file.ByteSizeLong(), 0u);
}

TEST(ParseRemoteCopyResultTest, TheResultIsTheUrl) {
  std::string url;
  ASSERT_THAT(
      ParseRemoteCopyResult(
          R"({"type":"url","result":"s3://uploadcare-test/1b959c59/image.png"})",
          &url),
      IsOk());
  EXPECT_EQ(url, "s3://uploadcare-test/1b959c59/image.png");
  EXPECT_THAT(ParseRemoteCopyResult(R"({"type":"url","result":null})", &url),
              StatusIs(kInternal, Eq("upstream JSON: result: expected a "
                                     "string")));
  EXPECT_THAT(ParseRemoteCopyResult(R"({"type":"url"})", &url),
              StatusIs(kInternal, Eq("upstream JSON: result: missing")));
  EXPECT_THAT(ParseRemoteCopyResult(R"(["s3://x"])", &url),
              StatusIs(kInternal, HasSubstr("expected an object")));
  EXPECT_EQ(url, "");
}

}  // namespace
}  // namespace ucgate::restapi
