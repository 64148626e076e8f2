// Every recorded conversion and add-on answer (document_convert_*,
// video_convert_*, remove_bg*, uc_clamav_*, ws_rekognition_*; extracted to
// JSON at build time by extract_cassettes.py) maps without error and without
// losing anything: parsed, then written back by the emulator's writer, every
// non-null value of the original is at the same JSON path. The error answers
// map through the HTTP error edge to the codes and field violations callers
// see.
#include <simdjson.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "service/restapi/addon_json.h"
#include "service/restapi/conversion_json.h"
#include "service/upstream/http/upstream_error.h"
#include "tests/testing_util/cassettes.h"
#include "tests/testing_util/status_matchers.h"

#ifndef UCGATE_CASSETTES_JSON
#error "UCGATE_CASSETTES_JSON must name the extracted cassettes file"
#endif

namespace ucgate::restapi {
namespace {

namespace dom = ::simdjson::dom;
using ::testing::Contains;
using ::testing::Pair;

using ::ucgate::testing::Interaction;

bool IsOurs(const std::string& cassette) {
  for (const char* prefix : {"document_convert_", "video_convert_", "remove_bg",
                             "uc_clamav_", "ws_rekognition_"}) {
    if (absl::StartsWith(cassette, prefix)) return true;
  }
  return false;
}

std::vector<Interaction> LoadOurInteractions() {
  std::vector<Interaction> ours;
  for (Interaction& interaction :
       ::ucgate::testing::LoadInteractions(UCGATE_CASSETTES_JSON)) {
    if (IsOurs(interaction.cassette)) ours.push_back(std::move(interaction));
  }
  return ours;
}

// Every non-null value of `original` is in `written` at the same path.
void ExpectSubset(dom::element original, dom::element written,
                  const std::string& path, const std::string& name) {
  switch (original.type()) {
    case dom::element_type::NULL_VALUE:
      return;
    case dom::element_type::OBJECT: {
      ASSERT_TRUE(written.is_object()) << name << " " << path;
      for (auto [key, value] : original.get_object()) {
        if (value.is_null()) continue;
        dom::element counterpart;
        ASSERT_EQ(written.get_object()[key].get(counterpart), simdjson::SUCCESS)
            << name << " lost " << path << "." << key;
        ExpectSubset(value, counterpart, path + "." + std::string(key), name);
      }
      return;
    }
    case dom::element_type::ARRAY: {
      ASSERT_TRUE(written.is_array()) << name << " " << path;
      dom::array items = original.get_array();
      dom::array written_items = written.get_array();
      ASSERT_EQ(items.size(), written_items.size()) << name << " " << path;
      for (size_t i = 0; i < items.size(); ++i) {
        ExpectSubset(items.at(i), written_items.at(i),
                     absl::StrCat(path, "[", i, "]"), name);
      }
      return;
    }
    default:
      EXPECT_EQ(simdjson::minify(original), simdjson::minify(written))
          << name << " " << path;
  }
}

void ExpectNothingLost(const std::string& original, const std::string& written,
                       const std::string& name) {
  dom::parser original_parser, written_parser;
  dom::element original_root = original_parser.parse(original);
  dom::element written_root;
  ASSERT_EQ(written_parser.parse(written).get(written_root), simdjson::SUCCESS)
      << name << ": " << written;
  ExpectSubset(original_root, written_root, "", name);
}

// Parses a successful answer with the parser its route calls for and writes
// it back; false when the route is not one of ours.
bool RoundTrip(const Interaction& interaction, std::string* written) {
  const std::string& uri = interaction.uri;
  if (absl::StrContains(uri, "/convert/") && interaction.method == "post") {
    v1::ConvertDocumentResponse response;
    EXPECT_THAT(ParseConversionJobs(interaction.body, response.mutable_jobs(),
                                    response.mutable_problems()),
                IsOk())
        << interaction.Name();
    for (const auto& job : response.jobs()) {
      EXPECT_NE(job.token(), 0) << interaction.Name();
      EXPECT_FALSE(job.uuid().empty()) << interaction.Name();
    }
    AppendConversionJobsJson(response.jobs(), response.problems(), written);
    return true;
  }
  if (absl::StrContains(uri, "/convert/") &&
      absl::StrContains(uri, "/status/")) {
    ConversionStatusAnswer answer;
    EXPECT_THAT(ParseConversionStatus(interaction.body, &answer), IsOk())
        << interaction.Name();
    EXPECT_EQ(answer.status, v1::CONVERSION_STATUS_FINISHED)
        << interaction.Name();
    AppendConversionStatusJson(answer, written);
    return true;
  }
  if (absl::StrContains(uri, "/convert/document/")) {
    v1::GetDocumentConversionInfoResponse info;
    EXPECT_THAT(ParseDocumentConversionInfo(interaction.body, &info), IsOk())
        << interaction.Name();
    EXPECT_FALSE(info.format().empty()) << interaction.Name();
    EXPECT_FALSE(info.conversion_formats().empty()) << interaction.Name();
    AppendDocumentConversionInfoJson(info, written);
    return true;
  }
  if (absl::StrContains(uri, "/addons/") &&
      absl::StrContains(uri, "/execute/status/")) {
    v1::GetAddonExecutionStatusResponse response;
    EXPECT_THAT(ParseAddonExecutionStatus(interaction.body, &response), IsOk())
        << interaction.Name();
    EXPECT_EQ(response.status(), v1::ADDON_EXECUTION_STATUS_DONE)
        << interaction.Name();
    AppendAddonExecutionStatusJson(response, written);
    return true;
  }
  if (absl::StrContains(uri, "/addons/") && interaction.method == "post") {
    v1::ExecuteAddonResponse response;
    EXPECT_THAT(ParseAddonExecution(interaction.body, &response), IsOk())
        << interaction.Name();
    EXPECT_EQ(response.request_id().size(), 36u) << interaction.Name();
    AppendAddonExecutionJson(response, written);
    return true;
  }
  return false;
}

TEST(ConversionAddonJsonCassetteTest, EverySuccessfulAnswerMapsLosslessly) {
  int mapped = 0;
  for (const Interaction& interaction : LoadOurInteractions()) {
    if (interaction.status >= 300) continue;
    std::string written;
    if (!RoundTrip(interaction, &written)) continue;  // /files/: file tests.
    ExpectNothingLost(interaction.body, written, interaction.Name());
    ++mapped;
  }
  // 12 conversion answers (convert, status, info) and 8 add-on answers.
  EXPECT_EQ(mapped, 20);
}

TEST(ConversionAddonJsonCassetteTest, ProblemsArePerPath) {
  for (const Interaction& interaction : LoadOurInteractions()) {
    if (!absl::StrContains(interaction.cassette, "convert_many_with_error")) {
      continue;
    }
    v1::ConvertVideoResponse response;
    ASSERT_THAT(ParseConversionJobs(interaction.body, response.mutable_jobs(),
                                    response.mutable_problems()),
                IsOk());
    EXPECT_TRUE(response.jobs().empty());
    ASSERT_EQ(response.problems_size(), 1) << interaction.Name();
    const auto& [path, reason] = *response.problems().begin();
    EXPECT_TRUE(absl::StrContains(path, "/-/format/")) << path;
    EXPECT_TRUE(absl::StrContains(reason, "jpg") ||
                absl::StrContains(reason, "OneOrTwoDimensionsDivisibleByFour"))
        << reason;
  }
}

TEST(ConversionAddonJsonCassetteTest, ErrorAnswersMapToFieldViolations) {
  int errors = 0;
  for (const Interaction& interaction : LoadOurInteractions()) {
    if (interaction.status < 400) continue;
    ++errors;
    http::HttpResponse response;
    response.status_code = static_cast<int>(interaction.status);
    response.body = interaction.body;
    absl::Status status = http::StatusFromHttpResponse(response);
    const std::string field = absl::StrContains(interaction.body, "\"target\"")
                                  ? "target"
                                  : "request_id";
    if (interaction.status == 400) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
          << interaction.Name();
      EXPECT_THAT(FieldViolations(status),
                  Contains(Pair(field, "Must be a valid UUID.")))
          << interaction.Name();
    } else {
      // ws_rekognition_detect_moderation_labels_nonexistent_uuid: the service
      // answered 403 with a field map; the keys were fine, so it is no
      // credentials problem, but a refusal quoted as the service gave it.
      EXPECT_EQ(interaction.status, 403) << interaction.Name();
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition)
          << interaction.Name();
      EXPECT_THAT(std::string(status.message()),
                  ::testing::HasSubstr("request_id: Must be a valid UUID."))
          << interaction.Name();
    }
  }
  // Seven 400s (request_id and target) and the one 403.
  EXPECT_EQ(errors, 8);
}

TEST(ConversionAddonJsonTest, MalformedAnswersNameThePathAndClearOutputs) {
  v1::ConvertDocumentResponse response;
  response.add_jobs()->set_uuid("stale");
  EXPECT_THAT(
      ParseConversionJobs(R"({"result":[{"token":"x1"}],"problems":{}})",
                          response.mutable_jobs(), response.mutable_problems()),
      StatusIs(absl::StatusCode::kInternal,
               ::testing::HasSubstr("result[0].token")));
  EXPECT_TRUE(response.jobs().empty());
  ConversionStatusAnswer answer;
  EXPECT_THAT(
      ParseConversionStatus(R"({"status":"pending","result":[]})", &answer),
      StatusIs(absl::StatusCode::kInternal, ::testing::HasSubstr("result")));
  EXPECT_EQ(answer.status, v1::CONVERSION_STATUS_UNSPECIFIED);
  v1::GetAddonExecutionStatusResponse addon_status;
  EXPECT_THAT(
      ParseAddonExecutionStatus(R"({"status":1})", &addon_status),
      StatusIs(absl::StatusCode::kInternal, ::testing::HasSubstr("status")));
}

TEST(ConversionAddonJsonTest, StatusNamesMapBothWays) {
  for (const char* name :
       {"pending", "processing", "finished", "failed", "cancelled"}) {
    EXPECT_EQ(ConversionStatusName(ConversionStatusFromName(name)), name);
  }
  EXPECT_EQ(ConversionStatusFromName("exploded"),
            v1::CONVERSION_STATUS_UNSPECIFIED);
  for (const char* name : {"in_progress", "error", "done", "unknown"}) {
    EXPECT_EQ(AddonExecutionStatusName(AddonExecutionStatusFromName(name)),
              name);
  }
  EXPECT_EQ(AddonFromName("remove_bg"), v1::ADDON_REMOVE_BG);
  EXPECT_EQ(AddonFromName("nope"), v1::ADDON_UNSPECIFIED);
  EXPECT_EQ(AddonName(v1::ADDON_AWS_REKOGNITION_DETECT_MODERATION_LABELS),
            "aws_rekognition_detect_moderation_labels");
}

TEST(ConversionAddonJsonTest, ExecuteBodiesMatchTheRecordedRequests) {
  v1::ExecuteAddonRequest remove_bg;
  remove_bg.set_addon(v1::ADDON_REMOVE_BG);
  remove_bg.set_target("ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768");
  remove_bg.mutable_remove_bg()->set_crop(true);
  remove_bg.mutable_remove_bg()->set_type_level("2");
  // remove_bg.yml
  EXPECT_EQ(AddonExecuteBody(remove_bg),
            R"({"target":"ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768",)"
            R"("params":{"crop":true,"type_level":"2"}})");
  v1::ExecuteAddonRequest parsed;
  ASSERT_THAT(ParseAddonExecuteBody(AddonExecuteBody(remove_bg),
                                    v1::ADDON_REMOVE_BG, &parsed),
              IsOk());
  EXPECT_EQ(parsed.DebugString(), remove_bg.DebugString());

  v1::ExecuteAddonRequest clamav;
  clamav.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  clamav.set_target("ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768");
  clamav.mutable_clamav_virus_scan()->set_purge_infected(true);
  // uc_clamav_virus_scan.yml
  EXPECT_EQ(AddonExecuteBody(clamav),
            R"({"target":"ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768",)"
            R"("params":{"purge_infected":true}})");

  v1::ExecuteAddonRequest labels;
  labels.set_addon(v1::ADDON_AWS_REKOGNITION_DETECT_LABELS);
  labels.set_target("ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768");
  // ws_rekognition_detect_labels.yml
  EXPECT_EQ(AddonExecuteBody(labels),
            R"({"target":"ff4d3d37-4de0-4f6d-a7db-8cdabe7fc768"})");
}

}  // namespace
}  // namespace ucgate::restapi
