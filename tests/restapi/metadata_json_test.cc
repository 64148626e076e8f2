// metadata_json.h: bare strings, string objects and arrays, search pages
// (parsing, writing, and the round trip the emulator relies on), and every
// recorded file_metadata_* answer mapped without error or loss.
#include "service/restapi/metadata_json.h"

#include <simdjson.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/http/upstream_error.h"
#include "tests/testing_util/cassettes.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::restapi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(BareStringTest, ParsesAndUnescapes) {
  std::string value = "stale";
  ASSERT_THAT(ParseBareString(R"("new \"test\" value\u00e9")", &value), IsOk());
  EXPECT_EQ(value, "new \"test\" value\xc3\xa9");
}

TEST(BareStringTest, RefusesOtherRootsAndTrailingContent) {
  std::string value = "stale";
  EXPECT_THAT(ParseBareString(R"({"a":"b"})", &value),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("expected a JSON string at the root")));
  EXPECT_EQ(value, "");
  EXPECT_THAT(ParseBareString("", &value),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("empty body")));
  EXPECT_THAT(ParseBareString(R"("a" "b")", &value),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("trailing")));
  EXPECT_THAT(ParseBareString(R"("unterminated)", &value),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("JSON")));
  EXPECT_EQ(value, "");
}

TEST(StringObjectTest, ParsesEmptyAndNullValues) {
  google::protobuf::Map<std::string, std::string> map;
  ASSERT_THAT(ParseStringObject("{}", &map), IsOk());
  EXPECT_THAT(map, IsEmpty());
  ASSERT_THAT(ParseStringObject(R"({"subsystem":"test","gone":null})", &map),
              IsOk());
  EXPECT_THAT(map, UnorderedElementsAre(Pair("subsystem", "test")));
}

TEST(StringObjectTest, WrongValueTypeNamesThePathAndClears) {
  google::protobuf::Map<std::string, std::string> map;
  map["stale"] = "x";
  EXPECT_THAT(
      ParseStringObject(R"({"a":"b","n":3})", &map),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("n: expected a string")));
  EXPECT_THAT(map, IsEmpty());
  EXPECT_THAT(ParseStringObject(R"(["a"])", &map),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("expected an object at the root")));
}

TEST(StringArrayTest, ParsesAndRefusesNonStrings) {
  google::protobuf::RepeatedPtrField<std::string> items;
  ASSERT_THAT(ParseStringArray(R"(["a","b:c"])", &items), IsOk());
  EXPECT_THAT(items, ElementsAre("a", "b:c"));
  ASSERT_THAT(ParseStringArray("[]", &items), IsOk());
  EXPECT_THAT(items, IsEmpty());
  EXPECT_THAT(ParseStringArray(R"(["a",null])", &items),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("[1]: expected a string")));
  EXPECT_THAT(items, IsEmpty());
  EXPECT_THAT(ParseStringArray(R"({"a":1})", &items),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("expected an array at the root")));
}

TEST(StringWritersTest, RoundTrip) {
  google::protobuf::Map<std::string, std::string> map;
  map["b"] = "two \"quoted\"";
  map["a"] = "one";
  std::string json;
  JsonWriter(&json).StringObject(map);
  EXPECT_EQ(json, R"({"a":"one","b":"two \"quoted\""})");
  google::protobuf::Map<std::string, std::string> parsed;
  ASSERT_THAT(ParseStringObject(json, &parsed), IsOk());
  EXPECT_THAT(parsed, UnorderedElementsAre(Pair("a", "one"),
                                           Pair("b", "two \"quoted\"")));

  google::protobuf::RepeatedPtrField<std::string> items;
  items.Add("x");
  items.Add("y");
  json.clear();
  JsonWriter(&json).StringArray(items);
  EXPECT_EQ(json, R"(["x","y"])");
}

TEST(TagsAnswerTest, WritesAndParsesBack) {
  google::protobuf::RepeatedPtrField<std::string> tags, added, deleted;
  tags.Add("zebra");
  tags.Add("cat");
  added.Add("cat");
  deleted.Add("dog");
  std::string json;
  AppendTagsAnswer(tags, &added, &deleted, &json);
  EXPECT_EQ(json,
            R"({"tags":["zebra","cat"],"added":["cat"],"deleted":["dog"]})");
  v1::UpdateFileTagsResponse parsed;
  ASSERT_THAT(
      ParseTagsAnswer(json, {parsed.mutable_tags(), parsed.mutable_added(),
                             parsed.mutable_deleted()}),
      IsOk());
  EXPECT_THAT(parsed.tags(), ElementsAre("zebra", "cat"));
  EXPECT_THAT(parsed.added(), ElementsAre("cat"));
  EXPECT_THAT(parsed.deleted(), ElementsAre("dog"));

  json.clear();
  AppendTagsAnswer(tags, nullptr, nullptr, &json);
  EXPECT_EQ(json, R"({"tags":["zebra","cat"]})");
  EXPECT_THAT(
      ParseTagsAnswer(R"({"added":[]})", {parsed.mutable_tags()}),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("tags: missing")));
  EXPECT_THAT(parsed.tags(), IsEmpty());
}

TEST(SearchPageTest, WritesAndParsesBackWithHighlights) {
  google::protobuf::RepeatedPtrField<v1::File> files;
  google::protobuf::RepeatedPtrField<v1::SearchHighlight> highlights;
  v1::File* file = files.Add();
  file->set_uuid("2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6");
  file->set_original_filename("kitten.jpeg");
  file->set_mime_type("image/jpeg");
  (*file->mutable_metadata())["subsystem"] = "test";
  file->add_tags("pets");
  v1::SearchHighlight* highlight = highlights.Add();
  highlight->add_original_filename("<em>kitten</em>.jpeg");
  (*highlight->mutable_metadata())["subsystem"] = "<em>test</em>";
  files.Add()->set_uuid("8f64f313-e6b1-4731-96c0-6751f1e7a50a");
  highlights.Add();  // matched by filters only
  std::string json;
  SearchPageOptions options;
  options.next = "https://api.example.test/files/search/?limit=2&offset=2";
  options.per_page = 2;
  AppendFileSearchPage(files, highlights, 7, options, &json);
  EXPECT_THAT(json, HasSubstr(R"("next":"https://api.example.test/files/)"
                              R"(search/?limit=2&offset=2","previous":null,)"
                              R"("total":7,"per_page":2,"results":[)"));
  EXPECT_THAT(json, HasSubstr(R"("tags":["pets"],"highlight":{)"
                              R"("original_filename":["<em>kitten</em>.jpeg"],)"
                              R"("metadata":{"subsystem":"<em>test</em>"}}})"));
  EXPECT_THAT(json, HasSubstr(R"("highlight":{}})"));

  v1::SearchFilesResponse page;
  bool has_next = false;
  ASSERT_THAT(ParseFileSearchPage(json, &page, &has_next), IsOk());
  EXPECT_TRUE(has_next);
  EXPECT_EQ(page.total_size(), 7);
  ASSERT_EQ(page.files_size(), 2);
  ASSERT_EQ(page.highlights_size(), 2);
  EXPECT_EQ(page.files(0).uuid(), file->uuid());
  EXPECT_THAT(page.files(0).tags(), ElementsAre("pets"));
  EXPECT_THAT(page.files(0).metadata(),
              UnorderedElementsAre(Pair("subsystem", "test")));
  EXPECT_THAT(page.highlights(0).original_filename(),
              ElementsAre("<em>kitten</em>.jpeg"));
  EXPECT_THAT(page.highlights(0).metadata(),
              UnorderedElementsAre(Pair("subsystem", "<em>test</em>")));
  EXPECT_EQ(page.highlights(1).ByteSizeLong(), 0u);

  // Metadata highlights as lists of fragments (the reference's shape) join.
  ASSERT_THAT(
      ParseFileSearchPage(
          R"({"next":null,"total":1,"results":[{"uuid":"u","highlight":)"
          R"({"metadata":{"trip":["<em>sunny</em>","beach"]}}}]})",
          &page, &has_next),
      IsOk());
  EXPECT_FALSE(has_next);
  EXPECT_THAT(page.highlights(0).metadata(),
              UnorderedElementsAre(Pair("trip", "<em>sunny</em> beach")));
}

TEST(SearchPageTest, MissingResultsAndBadFilesAreErrors) {
  v1::SearchFilesResponse page;
  bool has_next = true;
  EXPECT_THAT(
      ParseFileSearchPage(R"({"next":null,"total":0})", &page, &has_next),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("results: missing")));
  EXPECT_THAT(
      ParseFileSearchPage(
          R"({"next":"https://x/","total":1,"results":[{"size":"x"}]})", &page,
          &has_next),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("results[0].size")));
  EXPECT_FALSE(has_next);
  EXPECT_EQ(page.total_size(), 0);
}

TEST(SearchBodyTest, WritesOnlyTheConditionsSet) {
  v1::SearchFilesRequest request;
  request.set_query("quoted \"q\"");
  request.mutable_datetime_uploaded()->mutable_gt()->set_seconds(1714521600);
  request.mutable_datetime_uploaded()->mutable_gt()->set_nanos(1000);
  request.mutable_size()->set_lt(0);
  request.set_fuzziness(false);
  EXPECT_EQ(SearchFilesBody(request),
            R"({"query":"quoted \"q\"","datetime_uploaded":)"
            R"({"gt":"2024-05-01T00:00:00.000001Z"},"size":{"lt":0},)"
            R"("fuzziness":false})");
  EXPECT_EQ(SearchFilesBody(v1::SearchFilesRequest()), "{}");
}

#ifdef UCGATE_CASSETTES_JSON
std::vector<::ucgate::testing::Interaction> MetadataInteractions() {
  std::vector<::ucgate::testing::Interaction> found;
  for (::ucgate::testing::Interaction& interaction :
       ::ucgate::testing::LoadInteractions(UCGATE_CASSETTES_JSON)) {
    if (absl::StartsWith(interaction.cassette, "file_metadata_")) {
      found.push_back(std::move(interaction));
    }
  }
  return found;
}

// Every recorded metadata answer maps: successes through the parser of their
// route, written back identically (nothing lost), errors to their status.
TEST(MetadataCassetteTest, EveryRecordedAnswerMaps) {
  std::vector<::ucgate::testing::Interaction> interactions =
      MetadataInteractions();
  ASSERT_EQ(interactions.size(), 7u);
  for (const ::ucgate::testing::Interaction& interaction : interactions) {
    SCOPED_TRACE(interaction.cassette);
    if (interaction.status >= 400) {
      http::HttpResponse response;
      response.status_code = static_cast<int>(interaction.status);
      response.body = interaction.body;
      EXPECT_THAT(
          http::StatusFromHttpResponse(response),
          StatusIs(absl::StatusCode::kNotFound, HasSubstr("Not found.")));
      continue;
    }
    if (interaction.status == 204) {
      EXPECT_EQ(interaction.body, "");
      continue;
    }
    if (absl::EndsWith(interaction.uri, "/metadata/")) {
      google::protobuf::Map<std::string, std::string> map;
      ASSERT_THAT(ParseStringObject(interaction.body, &map), IsOk());
      std::string written;
      JsonWriter(&written).StringObject(map);
      EXPECT_EQ(written, interaction.body);
    } else {
      std::string value;
      ASSERT_THAT(ParseBareString(interaction.body, &value), IsOk());
      std::string written;
      JsonWriter(&written).String(value);
      EXPECT_EQ(written, interaction.body);
    }
  }
}
#endif

}  // namespace
}  // namespace ucgate::restapi
