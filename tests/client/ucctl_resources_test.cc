// ucctl's commands for the RPCs of issue 3: every option reaches the request,
// the JSON answer parses as the RPC's response, RPC errors exit 1, usage
// errors exit 2 with one line, and --help names every option.
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/ucctl.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "service/common/command_line.h"
#include "tests/client/fake_gateway.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using google::protobuf::Message;
using testing::FakeServer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

Result Ucctl(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int exit_code = RunUcctl(args, out, err);
  return {exit_code, out.str(), err.str()};
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
}

struct CommandCase {
  std::vector<std::string> args;
  std::string rpc;
  std::string request_text;  // what the gateway must receive
};

void PrintTo(const CommandCase& command, std::ostream* out) {
  *out << absl::StrJoin(command.args, " ");
}

std::vector<CommandCase> EveryCommand() {
  return {
      {{"files", "metadata", "get", "u1"}, "GetFileMetadata", R"(uuid: "u1")"},
      {{"files", "metadata", "get", "u1", "k"},
       "GetFileMetadataKey",
       R"(uuid: "u1" key: "k")"},
      {{"files", "metadata", "set", "u1", "k", "v v"},
       "UpdateFileMetadataKey",
       R"(uuid: "u1" key: "k" value: "v v")"},
      {{"files", "metadata", "delete", "u1", "k"},
       "DeleteFileMetadataKey",
       R"(uuid: "u1" key: "k")"},
      {{"files", "tags", "get", "u1"}, "GetFileTags", R"(uuid: "u1")"},
      {{"files", "tags", "set", "u1", "a", "b"},
       "ReplaceFileTags",
       R"(uuid: "u1" tags: "a" tags: "b")"},
      {{"files", "tags", "set", "u1"}, "ReplaceFileTags", R"(uuid: "u1")"},
      {{"files", "tags", "add", "u1", "a", "b"},
       "UpdateFileTags",
       R"(uuid: "u1" add: "a" add: "b")"},
      {{"files", "tags", "remove", "u1", "a"},
       "UpdateFileTags",
       R"(uuid: "u1" remove: "a")"},
      {{"files",        "search",     "--query", "holiday",     "--mime-type",
        "image/png",    "--metadata", "k=v",     "--metadata",  "k=v=2",
        "--metadata",   "k2=x",       "--image", "true",        "--tag-all",
        "t1",           "--tag-none", "t2",      "--fuzzy",     "--sort",
        "size:desc",    "--sort",     "score",   "--page-size", "7",
        "--page-token", "p"},
       "SearchFiles",
       R"(query: "holiday"
          exact { detected_mime_types: "image/png"
                  metadata { key: "k" values: "v" values: "v=2" }
                  metadata { key: "k2" values: "x" } }
          is_image: true tags { all: "t1" none: "t2" } fuzziness: true
          sort { field: SEARCH_SORT_FIELD_SIZE descending: true }
          sort { field: SEARCH_SORT_FIELD_SCORE }
          page_size: 7 page_token: "p")"},
      {{"groups", "list", "--page-size", "3", "--page-token", "p", "--ordering",
        "-datetime_created", "--from", "2015-01-01T00:00:00Z"},
       "ListGroups",
       R"(page_size: 3 page_token: "p"
          ordering: GROUP_ORDERING_DATETIME_CREATED_DESC
          from: "2015-01-01T00:00:00Z")"},
      {{"groups", "get", "g~2"}, "GetGroup", R"(id: "g~2")"},
      {{"groups", "delete", "g~2"}, "DeleteGroup", R"(id: "g~2")"},
      {{"groups", "store", "g~2"}, "StoreGroup", R"(id: "g~2")"},
      {{"project", "get"}, "GetProject", ""},
      {{"webhooks", "list"}, "ListWebhooks", ""},
      {{"webhooks", "create", "--target-url", "https://h/", "--event",
        "file.info_updated", "--inactive", "--signing-secret", "s", "--version",
        "0.7"},
       "CreateWebhook",
       R"(target_url: "https://h/" event: WEBHOOK_EVENT_FILE_INFO_UPDATED
          is_active: false signing_secret: "s" version: "0.7")"},
      {{"webhooks", "create", "--target-url", "https://h/", "--event",
        "file.uploaded"},
       "CreateWebhook",
       R"(target_url: "https://h/" event: WEBHOOK_EVENT_FILE_UPLOADED)"},
      {{"webhooks", "update", "7", "--target-url", "https://h2/", "--event",
        "file.stored", "--active", "--signing-secret", "s2"},
       "UpdateWebhook",
       R"(id: 7 target_url: "https://h2/" event: WEBHOOK_EVENT_FILE_STORED
          is_active: true signing_secret: "s2")"},
      {{"webhooks", "update", "7", "--inactive"},
       "UpdateWebhook",
       R"(id: 7 is_active: false)"},
      {{"webhooks", "delete", "--target-url", "https://h/"},
       "DeleteWebhook",
       R"(target_url: "https://h/")"},
      {{"webhooks", "delete", "--id", "9"}, "DeleteWebhook", R"(id: 9)"},
      {{"convert", "document", "u1", "u2", "--to", "png", "--page", "2",
        "--store", "--save-in-group"},
       "ConvertDocument",
       R"(conversions { uuid: "u1" format: DOCUMENT_FORMAT_PNG page: 2 }
          conversions { uuid: "u2" format: DOCUMENT_FORMAT_PNG page: 2 }
          store: true save_in_group: true)"},
      {{"convert", "video", "u1", "--format", "webm", "--quality", "lightest",
        "--size", "640x0", "--resize-mode", "scale_crop", "--cut",
        "0:0:1.5/end", "--thumbnails", "4", "--store"},
       "ConvertVideo",
       R"(conversions { uuid: "u1" format: VIDEO_FORMAT_WEBM
          quality: VIDEO_QUALITY_LIGHTEST
          size { width: 640 resize_mode: VIDEO_RESIZE_MODE_SCALE_CROP }
          cut { start_time: "0:0:1.5" length: "end" } thumbnails: 4 }
          store: true)"},
      {{"convert", "status", "document", "42"},
       "GetDocumentConversionStatus",
       "token: 42"},
      {{"convert", "status", "video", "43"},
       "GetVideoConversionStatus",
       "token: 43"},
      {{"convert", "info", "u1"}, "GetDocumentConversionInfo", R"(uuid: "u1")"},
      {{"addons",
        "run",
        "remove_bg",
        "u1",
        "--crop",
        "true",
        "--crop-margin",
        "10%",
        "--scale",
        "80%",
        "--add-shadow",
        "false",
        "--type-level",
        "2",
        "--type",
        "car",
        "--semitransparency",
        "false",
        "--channels",
        "alpha",
        "--roi",
        "0% 0% 50% 50%",
        "--position",
        "center"},
       "ExecuteAddon",
       R"(addon: ADDON_REMOVE_BG target: "u1"
          remove_bg { crop: true crop_margin: "10%" scale: "80%"
          add_shadow: false type_level: "2" type: "car"
          semitransparency: false channels: "alpha" roi: "0% 0% 50% 50%"
          position: "center" })"},
      {{"addons", "run", "uc_clamav_virus_scan", "u1", "--purge-infected"},
       "ExecuteAddon",
       R"(addon: ADDON_UC_CLAMAV_VIRUS_SCAN target: "u1"
          clamav_virus_scan { purge_infected: true })"},
      {{"addons", "run", "aws_rekognition_detect_moderation_labels", "u1"},
       "ExecuteAddon",
       R"(addon: ADDON_AWS_REKOGNITION_DETECT_MODERATION_LABELS
          target: "u1")"},
      {{"addons", "status", "aws_rekognition_detect_labels", "req-1"},
       "GetAddonExecutionStatus",
       R"(addon: ADDON_AWS_REKOGNITION_DETECT_LABELS request_id: "req-1")"},
  };
}

class UcctlCommandTest : public ::testing::TestWithParam<CommandCase> {
 protected:
  void SetUp() override {
    unsetenv("UCCTL_TARGET");
    unsetenv("UCCTL_PROJECT");
  }

  Result Call(std::vector<std::string> args) {
    args.insert(args.begin(), {"--target", server_.target(), "--project", "p"});
    return Ucctl(args);
  }

  FakeServer server_;
};

TEST_P(UcctlCommandTest, SendsEveryOptionAndPrintsTheAnswerAsJson) {
  const CommandCase& command = GetParam();
  const auto* method = testing::FindRpc(command.rpc);
  ASSERT_NE(method, nullptr);
  Result result = Call(command.args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, IsEmpty());
  std::unique_ptr<Message> answer = NewMessage(method->output_type());
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(result.out, answer.get())
          .ok())
      << result.out;
  std::vector<testing::RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_EQ(calls[0].method, command.rpc);
  EXPECT_EQ(calls[0].project, "p");
  std::unique_ptr<Message> expected = NewMessage(method->input_type());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      command.request_text, expected.get()));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      *calls[0].request, *expected))
      << calls[0].request->DebugString();
}

TEST_P(UcctlCommandTest, RpcErrorsExitOneWithTheCode) {
  server_.service().FailWith(testing::InvalidUuidErrorWithEveryDetail());
  Result result = Call(GetParam().args);
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err,
              HasSubstr("ucctl: INVALID_ARGUMENT: uuid: must be a UUID"));
  EXPECT_THAT(result.err, HasSubstr("field uuid: must be a UUID"));
}

TEST_P(UcctlCommandTest, TextOutputSucceeds) {
  std::vector<std::string> args = GetParam().args;
  args.insert(args.end(), {"--output", "text"});
  Result result = Call(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, UcctlCommandTest,
                         ::testing::ValuesIn(EveryCommand()));

// Each command path and the options its --help must explain.
struct HelpCase {
  std::vector<std::string> path;
  std::vector<std::string> texts;
};

TEST(UcctlResourcesHelpTest, HelpAtEveryLevelNamesEveryOptionAndCommand) {
  const std::vector<HelpCase> cases = {
      {{}, {"groups", "project", "webhooks", "convert", "addons"}},
      {{"files"}, {"metadata", "tags", "search"}},
      {{"files", "metadata"},
       {"get UUID [KEY]", "set UUID KEY VALUE", "delete UUID KEY"}},
      {{"files", "tags"},
       {"get UUID", "set UUID [TAG...]", "add UUID TAG...",
        "remove UUID TAG..."}},
      {{"files", "search"},
       {"--query TEXT", "--name TEXT", "--mime-type T", "--metadata K=V",
        "--image true|false", "--tag-any T", "--tag-all T", "--tag-none T",
        "--fuzzy", "--sort FIELD[:desc]", "--include-appdata", "--page-size N",
        "--page-token TOKEN", "--all", "--output FORMAT"}},
      {{"groups"}, {"list", "get ID", "delete ID", "store ID"}},
      {{"groups", "list"},
       {"--page-size N", "--page-token TOKEN", "--ordering ORDER",
        "datetime_created", "-datetime_created", "--from X", "--all"}},
      {{"groups", "get"}, {"--output FORMAT"}},
      {{"project", "get"}, {"--output FORMAT"}},
      {{"webhooks"}, {"list", "create", "update ID", "delete"}},
      {{"webhooks", "create"},
       {"--target-url URL", "--event EVENT", "file.uploaded", "file.infected",
        "file.stored", "file.deleted", "file.info_updated", "--inactive",
        "--signing-secret S", "--version V"}},
      {{"webhooks", "update"},
       {"--target-url URL", "--event EVENT", "--inactive", "--active",
        "--signing-secret S"}},
      {{"webhooks", "delete"}, {"--target-url URL"}},
      {{"convert"},
       {"document UUID...", "video UUID...", "status document|video TOKEN",
        "info UUID"}},
      {{"convert", "document"},
       {"--to FORMAT", "pdf", "docx", "png", "--page N", "--store",
        "--save-in-group"}},
      {{"convert", "video"},
       {"--format FORMAT", "mp4", "webm", "ogg", "--quality Q", "lightest",
        "--size WxH", "--resize-mode MODE", "preserve_ratio", "add_padding",
        "--cut START/LENGTH", "--thumbnails N", "--store"}},
      {{"convert", "status"}, {"document", "video", "TOKEN"}},
      {{"addons"}, {"run ADDON UUID", "status ADDON REQUEST_ID"}},
      {{"addons", "run"},
       {"remove_bg", "uc_clamav_virus_scan", "aws_rekognition_detect_labels",
        "aws_rekognition_detect_moderation_labels", "--purge-infected",
        "--crop true|false", "--crop-margin M", "--scale S",
        "--add-shadow true|false", "--type-level L", "--type T",
        "--semitransparency true|false", "--channels C", "--roi R",
        "--position P"}},
      {{"addons", "status"}, {"remove_bg", "REQUEST_ID"}},
  };
  for (const HelpCase& help : cases) {
    std::vector<std::string> args = help.path;
    args.push_back("--help");
    Result result = Ucctl(args);
    EXPECT_EQ(result.exit_code, 0) << absl::StrJoin(args, " ");
    for (const std::string& text : help.texts) {
      EXPECT_THAT(result.out, HasSubstr(text)) << absl::StrJoin(args, " ");
    }
  }
}

TEST(UcctlResourcesUsageTest, UsageErrorsExitTwoWithOneLineAndNoCall) {
  FakeServer server;
  const std::vector<std::vector<std::string>> bad = {
      {"groups"},
      {"groups", "nope"},
      {"groups", "get"},
      {"groups", "get", "a", "b"},
      {"groups", "list", "--ordering", "size"},
      {"groups", "list", "--page-size", "-1"},
      {"project", "get", "extra"},
      {"files", "metadata", "get"},
      {"files", "metadata", "set", "u1", "k"},
      {"files", "tags", "add", "u1"},
      {"files", "tags", "nope", "u1"},
      {"files", "search", "--metadata", "novalue"},
      {"files", "search", "--stored", "maybe"},
      {"webhooks", "create", "--event", "file.uploaded"},
      {"webhooks", "create", "--target-url", "https://h/"},
      {"webhooks", "create", "--target-url", "https://h/", "--event", "x"},
      {"webhooks", "update", "seven"},
      {"webhooks", "update", "7", "--active", "--inactive"},
      {"webhooks", "delete"},
      {"convert", "document", "u1"},
      {"convert", "document", "u1", "--to", "exe"},
      {"convert", "document", "--to", "pdf"},
      {"convert", "video", "u1", "--size", "640"},
      {"convert", "video", "u1", "--resize-mode", "scale_crop"},
      {"convert", "video", "u1", "--cut", "5"},
      {"convert", "video", "u1", "--quality", "great"},
      {"convert", "status", "audio", "1"},
      {"convert", "status", "video", "abc"},
      {"addons", "run", "nope", "u1"},
      {"addons", "run", "remove_bg", "u1", "--purge-infected"},
      {"addons", "run", "uc_clamav_virus_scan", "u1", "--crop", "true"},
      {"addons", "run", "remove_bg", "u1", "--crop", "yes"},
      {"addons", "status", "remove_bg"},
  };
  for (const std::vector<std::string>& args : bad) {
    std::vector<std::string> full = {"--target", server.target()};
    full.insert(full.end(), args.begin(), args.end());
    Result result = Ucctl(full);
    EXPECT_EQ(result.exit_code, kUsageExitCode) << absl::StrJoin(args, " ");
    EXPECT_THAT(result.out, IsEmpty()) << absl::StrJoin(args, " ");
    std::vector<std::string> lines =
        absl::StrSplit(result.err, '\n', absl::SkipEmpty());
    EXPECT_THAT(lines, SizeIs(1)) << absl::StrJoin(args, " ");
  }
  EXPECT_THAT(server.service().calls(), IsEmpty());
}

TEST(UcctlResourcesListTest, GroupsListAllStreamsOneArrayOfEveryGroup) {
  FakeServer server;
  v1::StreamGroupsResponse first, second;
  first.add_groups()->set_id("a~1");
  first.set_resume_token("r1");
  second.add_groups()->set_id("b~1");
  server.service().SetStream(
      "StreamGroups", std::vector<v1::StreamGroupsResponse>{first, second});
  Result result =
      Ucctl({"--target", server.target(), "groups", "list", "--all"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  v1::ListGroupsResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  "{\"groups\": " + result.out + "}", &parsed)
                  .ok())
      << result.out;
  ASSERT_EQ(parsed.groups_size(), 2);
  EXPECT_EQ(parsed.groups(1).id(), "b~1");

  result = Ucctl({"--target", server.target(), "groups", "list", "--all",
                  "--output", "text"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("a~1"));
  EXPECT_THAT(result.out, HasSubstr("2 groups"));
}

TEST(UcctlResourcesListTest, TagsTextIsOneTagPerLine) {
  FakeServer server;
  v1::GetFileTagsResponse tags;
  tags.add_tags("a");
  tags.add_tags("b");
  server.service().SetResponse("GetFileTags", tags);
  Result result = Ucctl({"--target", server.target(), "files", "tags", "get",
                         "u1", "--output", "text"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "a\nb\n");
}

TEST(UcctlWatchTest, ConvertWatchPrintsEveryStatusAsOneJsonArray) {
  FakeServer server;
  v1::WatchConversionJobResponse processing, finished;
  processing.set_status(v1::CONVERSION_STATUS_PROCESSING);
  finished.set_status(v1::CONVERSION_STATUS_FINISHED);
  finished.set_result_uuid("r1");
  server.service().SetStream(
      "WatchConversionJob",
      std::vector<v1::WatchConversionJobResponse>{processing, finished});
  Result result =
      Ucctl({"--target", server.target(), "convert", "watch", "--video", "42"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("CONVERSION_STATUS_PROCESSING"));
  EXPECT_THAT(result.out, HasSubstr("\"result_uuid\": \"r1\""));
  EXPECT_EQ(result.out.front(), '[');
  ASSERT_THAT(server.service().calls(), SizeIs(1));
  const auto& sent =
      server.service().calls()[0].As<v1::WatchConversionJobRequest>();
  EXPECT_EQ(sent.kind(), v1::CONVERSION_KIND_VIDEO);
  EXPECT_EQ(sent.token(), 42);

  result = Ucctl({"--target", server.target(), "--output", "text", "convert",
                  "watch", "--document", "7"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("status: CONVERSION_STATUS_FINISHED"));
  EXPECT_EQ(server.service()
                .calls()
                .back()
                .As<v1::WatchConversionJobRequest>()
                .kind(),
            v1::CONVERSION_KIND_DOCUMENT);
}

TEST(UcctlWatchTest, ConvertWatchNeedsExactlyOneKindAndANumber) {
  FakeServer server;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"convert", "watch", "42"},
           {"convert", "watch", "--document", "--video", "42"},
           {"convert", "watch", "--document", "nope"}}) {
    std::vector<std::string> full = {"--target", server.target()};
    full.insert(full.end(), args.begin(), args.end());
    Result result = Ucctl(full);
    EXPECT_EQ(result.exit_code, kUsageExitCode) << absl::StrJoin(args, " ");
  }
  EXPECT_THAT(server.service().calls(), IsEmpty());
}

TEST(UcctlWatchTest, AddonsWatchFollowsTheRunAndFailsWithTheStreamError) {
  FakeServer server;
  v1::WatchAddonExecutionResponse in_progress;
  in_progress.set_status(v1::ADDON_EXECUTION_STATUS_IN_PROGRESS);
  server.service().SetStream(
      "WatchAddonExecution",
      std::vector<v1::WatchAddonExecutionResponse>{in_progress},
      grpc::Status(grpc::StatusCode::NOT_FOUND, "no such run"));
  Result result = Ucctl(
      {"--target", server.target(), "addons", "watch", "remove_bg", "req-1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("ADDON_EXECUTION_STATUS_IN_PROGRESS"));
  EXPECT_THAT(result.err, HasSubstr("NOT_FOUND"));
  const auto& sent =
      server.service().calls()[0].As<v1::WatchAddonExecutionRequest>();
  EXPECT_EQ(sent.addon(), v1::ADDON_REMOVE_BG);
  EXPECT_EQ(sent.request_id(), "req-1");
}

TEST(UcctlWatchTest, WatchHelpExplainsTheCommands) {
  Result convert = Ucctl({"convert", "watch", "--help"});
  EXPECT_EQ(convert.exit_code, 0);
  EXPECT_THAT(convert.out, HasSubstr("--document"));
  EXPECT_THAT(convert.out, HasSubstr("--video"));
  EXPECT_THAT(convert.out, HasSubstr("finished, failed or cancelled"));
  Result addons = Ucctl({"addons", "watch", "--help"});
  EXPECT_EQ(addons.exit_code, 0);
  EXPECT_THAT(addons.out, HasSubstr("remove_bg"));
  Result list = Ucctl({"convert", "--help"});
  EXPECT_THAT(list.out, HasSubstr("watch"));
}

}  // namespace
}  // namespace ucgate::client
