// Every file object in the recorded live answers (tests/data/recorded/*.yml,
// extracted to JSON at build time by extract_cassettes.py)
// maps without error and without losing anything: the parsed File, written
// back in the same upstream shape, must hold every non-null value of the
// original at the same JSON path.
#include <simdjson.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "service/common/uuid.h"
#include "service/restapi/file_json.h"
#include "tests/testing_util/cassettes.h"
#include "tests/testing_util/status_matchers.h"

#ifndef UCGATE_CASSETTES_JSON
#error "UCGATE_CASSETTES_JSON must name the extracted cassettes file"
#endif

namespace ucgate::restapi {
namespace {

using ::google::protobuf::util::MessageDifferencer;
namespace dom = ::simdjson::dom;

using ::ucgate::testing::Interaction;

// Which parser an answer goes through, from its method and path.
enum class Route {
  kNone,
  kFile,
  kPage,
  kBatch,
  kCopy,  // local_copy, remote_copy, and the older POST /files/.
  kGroup,
};

Route RouteOf(const Interaction& interaction) {
  const std::string path = interaction.Path();
  const std::vector<std::string> parts =
      absl::StrSplit(path, '/', absl::SkipEmpty());
  const std::string& method = interaction.method;
  if (parts.empty()) return Route::kNone;
  if (parts[0] == "files") {
    if (parts.size() == 1) {
      return method == "get" ? Route::kPage : Route::kCopy;
    }
    if (parts[1] == "storage") return Route::kBatch;
    if (parts[1] == "local_copy" || parts[1] == "remote_copy") {
      return Route::kCopy;
    }
    if (parts.size() == 2 || (parts.size() == 3 && parts[2] == "storage")) {
      return Route::kFile;
    }
    return Route::kNone;  // metadata
  }
  if (parts[0] == "groups" && parts.size() == 2 && method == "get") {
    return Route::kGroup;
  }
  return Route::kNone;
}

// JSON paths ("results[3]", "result", "") of every object that looks like a
// file: it has a "uuid" and a "datetime_uploaded".
void FindFileObjects(dom::element element, const std::string& path,
                     std::map<std::string, dom::element>* found) {
  if (element.is_object()) {
    dom::object object = element.get_object();
    if (!object["uuid"].error() && !object["datetime_uploaded"].error()) {
      (*found)[path] = element;
      return;
    }
    for (auto [key, value] : object) {
      FindFileObjects(value,
                      path.empty() ? std::string(key)
                                   : absl::StrCat(path, ".", std::string(key)),
                      found);
    }
  } else if (element.is_array()) {
    size_t index = 0;
    for (dom::element value : element.get_array()) {
      FindFileObjects(value, absl::StrCat(path, "[", index++, "]"), found);
    }
  }
}

bool AsNumber(dom::element element, double* number) {
  if (element.is_number()) {
    *number = element.get_double();
    return true;
  }
  if (element.is_string()) {
    std::string_view text = element.get_string();
    return absl::SimpleAtod(absl::string_view(text.data(), text.size()),
                            number);
  }
  return false;
}

bool SameInstant(std::string_view a, std::string_view b) {
  absl::Time time_a, time_b;
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, std::string(a), &time_a, &error) &&
         absl::ParseTime(absl::RFC3339_full, std::string(b), &time_b, &error) &&
         time_a == time_b;
}

// File-level keys that have no place in File, and why.
const std::set<std::string>& IgnoredFileKeys() {
  static const auto* keys = new std::set<std::string>{
      "default_effects",  // Only in files listed inside a group.
  };
  return *keys;
}

// Adds to `failures` every non-null value of `original` that `written` lacks
// or holds differently. Empty objects and arrays must exist (as anything).
void ExpectSubset(dom::element original, dom::element written,
                  const std::string& path, bool at_file_root,
                  std::set<std::string>* ignored,
                  std::vector<std::string>* failures) {
  const auto fail = [&](absl::string_view what) {
    failures->push_back(absl::StrCat(path.empty() ? "<root>" : path, ": ", what,
                                     " (original ", simdjson::minify(original),
                                     ", written ", simdjson::minify(written),
                                     ")"));
  };
  switch (original.type()) {
    case dom::element_type::NULL_VALUE:
      return;
    case dom::element_type::OBJECT: {
      dom::object object = original.get_object();
      if (object.size() == 0) return;
      if (!written.is_object()) return fail("not an object");
      for (auto [key, value] : object) {
        const std::string child =
            path.empty() ? std::string(key)
                         : absl::StrCat(path, ".", std::string(key));
        if (value.is_null()) continue;
        if (at_file_root && IgnoredFileKeys().count(std::string(key))) {
          ignored->insert(std::string(key));
          continue;
        }
        dom::element written_value;
        if (written.get_object()[key].get(written_value)) {
          failures->push_back(absl::StrCat(child, ": missing"));
          continue;
        }
        ExpectSubset(value, written_value, child, false, ignored, failures);
      }
      return;
    }
    case dom::element_type::ARRAY: {
      dom::array array = original.get_array();
      if (array.size() == 0) return;
      if (!written.is_array()) return fail("not an array");
      dom::array written_array = written.get_array();
      if (written_array.size() != array.size()) return fail("size differs");
      for (size_t i = 0; i < array.size(); ++i) {
        ExpectSubset(array.at(i), written_array.at(i),
                     absl::StrCat(path, "[", i, "]"), false, ignored, failures);
      }
      return;
    }
    case dom::element_type::STRING: {
      const std::string_view text = original.get_string();
      if (written.is_string()) {
        const std::string_view written_text = written.get_string();
        if (written_text == text || SameInstant(text, written_text)) return;
      }
      double a, b;
      if (AsNumber(original, &a) && AsNumber(written, &b) && a == b) return;
      return fail("differs");
    }
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: {
      double a, b;
      if (AsNumber(original, &a) && AsNumber(written, &b) && a == b) return;
      return fail("differs");
    }
    case dom::element_type::BOOL:
      if (written.is_bool() &&
          written.get_bool().value() == original.get_bool().value()) {
        return;
      }
      return fail("differs");
  }
}

struct Totals {
  int files = 0;
  std::set<std::string> cassettes_with_files;
  std::set<std::string> ignored_keys;
};

// Writes `file` in the shape of `original` and checks nothing was lost.
void ExpectLossless(const std::string& context, dom::element original,
                    const v1::File& file, Totals* totals) {
  dom::object object = original.get_object();
  FileJsonOptions options;
  options.version =
      !object["image_info"].error() || !object["video_info"].error()
          ? ApiVersion::kV06
          : ApiVersion::kV07;
  options.include_appdata = !object["appdata"].error();
  options.include_rekognition_info = !object["rekognition_info"].error();
  std::string json;
  AppendFileJson(file, options, &json);
  dom::parser parser;
  dom::element written;
  ASSERT_EQ(parser.parse(json).get(written), simdjson::SUCCESS)
      << context << ": the writer's output is not JSON: " << json;
  std::vector<std::string> failures;
  ExpectSubset(original, written, "", true, &totals->ignored_keys, &failures);
  EXPECT_THAT(failures, ::testing::IsEmpty()) << context;
  // Sanity of what every file carries.
  EXPECT_TRUE(IsValidUuid(file.uuid())) << context << ": " << file.uuid();
  EXPECT_TRUE(file.has_datetime_uploaded()) << context;
  ++totals->files;
}

// Parses one answer with the parser its route calls for, returning the files
// by their JSON path, and checks the non-file parts of the answer.
std::map<std::string, v1::File> MapAnswer(const Interaction& interaction,
                                          Route route, dom::element original) {
  std::map<std::string, v1::File> files;
  const std::string& body = interaction.body;
  const std::string context = interaction.Name();
  switch (route) {
    case Route::kFile: {
      v1::File file;
      EXPECT_THAT(ParseFile(body, &file), IsOk()) << context;
      files[""] = file;
      break;
    }
    case Route::kPage: {
      v1::ListFilesResponse page;
      std::string next;
      EXPECT_THAT(ParseFileListPage(body, &page, &next), IsOk()) << context;
      for (int i = 0; i < page.files_size(); ++i) {
        files[absl::StrCat("results[", i, "]")] = page.files(i);
      }
      dom::object object = original.get_object();
      if (object["next"].is_string()) {
        EXPECT_EQ(next, object["next"].get_string().value()) << context;
      } else {
        EXPECT_EQ(next, "") << context;
      }
      EXPECT_EQ(page.total_size(), object["total"].get_int64().value())
          << context;
      dom::object counts;
      if (!object["totals"].get(counts)) {
        EXPECT_EQ(page.totals().removed(),
                  counts["removed"].get_int64().value());
        EXPECT_EQ(page.totals().stored(), counts["stored"].get_int64().value());
        EXPECT_EQ(page.totals().unstored(),
                  counts["unstored"].get_int64().value());
      }
      EXPECT_EQ(page.next_page_token(), "");
      break;
    }
    case Route::kBatch: {
      google::protobuf::RepeatedPtrField<v1::File> result;
      google::protobuf::Map<std::string, std::string> problems;
      EXPECT_THAT(ParseBatchResult(body, &result, &problems), IsOk())
          << context;
      for (int i = 0; i < result.size(); ++i) {
        files[absl::StrCat("result[", i, "]")] = result[i];
      }
      dom::object expected = original["problems"].get_object();
      EXPECT_EQ(problems.size(), expected.size()) << context;
      for (auto [key, value] : expected) {
        EXPECT_EQ(problems[std::string(key)], value.get_string().value())
            << context;
      }
      break;
    }
    case Route::kCopy: {
      if (original["type"].get_string().value() == "url") {
        std::string url;
        EXPECT_THAT(ParseRemoteCopyResult(body, &url), IsOk()) << context;
        EXPECT_EQ(url, original["result"].get_string().value()) << context;
      } else {
        v1::File file;
        EXPECT_THAT(ParseLocalCopyResult(body, &file), IsOk()) << context;
        files["result"] = file;
      }
      break;
    }
    case Route::kGroup: {
      // Groups are another resource; their file entries are file objects
      // all the same, fed to ParseFile one by one.
      size_t index = 0;
      for (dom::element entry : original["files"].get_array()) {
        const std::string path = absl::StrCat("files[", index++, "]");
        if (entry.is_null()) continue;  // A removed file.
        v1::File file;
        EXPECT_THAT(ParseFile(simdjson::minify(entry), &file), IsOk())
            << context << " " << path;
        files[path] = file;
      }
      break;
    }
    case Route::kNone:
      break;
  }
  return files;
}

class CassetteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    interactions_ = new std::vector<Interaction>(
        ::ucgate::testing::LoadInteractions(UCGATE_CASSETTES_JSON));
  }
  static void TearDownTestSuite() { delete interactions_; }
  static std::vector<Interaction>* interactions_;
};
std::vector<Interaction>* CassetteTest::interactions_ = nullptr;

TEST_F(CassetteTest, ExtractionFoundTheRecordings) {
  // 73 cassettes, 157 interactions at the time of writing.
  EXPECT_GE(interactions_->size(), 150u);
}

TEST_F(CassetteTest, EveryFileObjectMapsWithoutLoss) {
  Totals totals;
  for (const Interaction& interaction : *interactions_) {
    if (interaction.status < 200 || interaction.status > 299) continue;
    if (!absl::StartsWith(interaction.body, "{")) continue;
    SCOPED_TRACE(interaction.Name());
    dom::parser parser;
    dom::element original;
    ASSERT_EQ(parser.parse(interaction.body).get(original), simdjson::SUCCESS);

    std::map<std::string, dom::element> found;
    FindFileObjects(original, "", &found);
    const Route route = RouteOf(interaction);
    if (absl::StartsWith(interaction.cassette, "rest_file_")) {
      EXPECT_NE(route, Route::kNone)
          << "a files answer no parser handles: " << interaction.uri;
    }
    const std::map<std::string, v1::File> mapped =
        MapAnswer(interaction, route, original);

    for (const auto& [path, object] : found) {
      auto it = mapped.find(path);
      if (it == mapped.end()) {
        ADD_FAILURE() << "file object at '" << path << "' of "
                      << interaction.uri << " is not mapped";
        continue;
      }
      ExpectLossless(absl::StrCat(interaction.Name(), " ", path), object,
                     it->second, &totals);
      totals.cassettes_with_files.insert(interaction.cassette);
    }
    for (const auto& [path, file] : mapped) {
      EXPECT_EQ(found.count(path), 1u)
          << "mapped '" << path << "' is no file object";
    }
  }
  // Every file object of the recordings, counted once per answer.
  EXPECT_EQ(totals.files, 188);
  EXPECT_THAT(totals.ignored_keys,
              ::testing::IsSubsetOf({std::string("default_effects")}));
  for (const char* cassette : {"file_info.yml",
                               "http_fail.yml",
                               "throttling.yml",
                               "rest_file_batch_delete.yml",
                               "rest_file_batch_store.yml",
                               "rest_file_copy_dont_strip_operations.yml",
                               "rest_file_copy_strip_operations.yml",
                               "rest_file_delete.yml",
                               "rest_file_external_copy.yml",
                               "rest_file_info.yml",
                               "rest_file_internal_copy.yml",
                               "rest_file_list.yml",
                               "rest_file_list_each.yml",
                               "rest_file_list_limited.yml",
                               "rest_file_list_load.yml",
                               "rest_file_list_pages.yml",
                               "rest_file_list_params.yml",
                               "rest_file_list_previous_page.yml",
                               "rest_file_remote_copy.yml",
                               "rest_file_store.yml",
                               "rest_info_group.yml",
                               "rest_store_group.yml",
                               "document_convert_file_info.yml",
                               "video_convert_file_info.yml"}) {
    EXPECT_EQ(totals.cassettes_with_files.count(cassette), 1u) << cassette;
  }
}

// The answers no files parser is meant for still never crash them, and
// non-object bodies (bare metadata strings, webhook arrays, HTML) are errors.
TEST_F(CassetteTest, OtherAnswersNeverCrashTheParsers) {
  for (const Interaction& interaction : *interactions_) {
    SCOPED_TRACE(interaction.Name());
    v1::File file;
    v1::ListFilesResponse page;
    std::string next, url;
    google::protobuf::RepeatedPtrField<v1::File> files;
    google::protobuf::Map<std::string, std::string> problems;
    const absl::Status status = ParseFile(interaction.body, &file);
    ParseFileListPage(interaction.body, &page, &next).IgnoreError();
    ParseBatchResult(interaction.body, &files, &problems).IgnoreError();
    ParseLocalCopyResult(interaction.body, &file).IgnoreError();
    ParseRemoteCopyResult(interaction.body, &url).IgnoreError();
    if (!absl::StartsWith(interaction.body, "{")) {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal,
                                   ::testing::StartsWith("upstream JSON: ")));
    }
  }
}

// rest_file_list_load.yml pages through 129 files two at a time; the same
// files as one page of 129 parse to the same messages.
TEST_F(CassetteTest, LoadListingAsOneLargePage) {
  std::vector<v1::File> expected;
  std::vector<std::string> results;
  dom::parser parser;
  for (const Interaction& interaction : *interactions_) {
    if (interaction.cassette != "rest_file_list_load.yml") continue;
    v1::ListFilesResponse page;
    std::string next;
    ASSERT_THAT(ParseFileListPage(interaction.body, &page, &next), IsOk());
    for (const v1::File& file : page.files()) expected.push_back(file);
    dom::element root = parser.parse(interaction.body);
    for (dom::element file : root["results"].get_array()) {
      results.push_back(simdjson::minify(file));
    }
  }
  ASSERT_EQ(expected.size(), 129u);
  const std::string body = absl::StrCat(
      R"({"next":null,"previous":null,"total":129,"totals":{"removed":0,"stored":129,"unstored":0},"per_page":1000,"results":[)",
      absl::StrJoin(results, ","), "]}");
  v1::ListFilesResponse page;
  std::string next;
  ASSERT_THAT(ParseFileListPage(body, &page, &next), IsOk());
  ASSERT_EQ(page.files_size(), 129);
  for (int i = 0; i < page.files_size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(page.files(i), expected[i])) << i;
  }
  EXPECT_EQ(page.total_size(), 129);
  EXPECT_EQ(page.totals().stored(), 129);

  // A truncated copy of it is an error naming where it broke, never a
  // half-filled page.
  const std::string truncated = body.substr(0, body.size() / 2);
  EXPECT_THAT(ParseFileListPage(truncated, &page, &next),
              StatusIs(absl::StatusCode::kInternal,
                       ::testing::StartsWith("upstream JSON: ")));
  EXPECT_EQ(page.files_size(), 0);
}

}  // namespace
}  // namespace ucgate::restapi
