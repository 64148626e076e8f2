#include "client/ucctl.h"

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "service/common/command_line.h"
#include "tests/client/fake_gateway.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using testing::FakeServer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Pair;
using testing::RecordedCall;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";

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

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

template <typename Message>
Message ParseJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

v1::ListFilesResponse Page(std::vector<std::string> uuids,
                           std::string next_page_token) {
  v1::ListFilesResponse page;
  for (const std::string& uuid : uuids) page.add_files()->set_uuid(uuid);
  page.set_next_page_token(std::move(next_page_token));
  page.set_total_size(6);
  return page;
}

// One StreamFiles message of `uuids`.
v1::StreamFilesResponse Batch(std::vector<std::string> uuids) {
  v1::StreamFilesResponse batch;
  for (const std::string& uuid : uuids) batch.add_files()->set_uuid(uuid);
  batch.set_resume_token(absl::StrCat("after-", uuids.back()));
  batch.set_total_size(6);
  return batch;
}

class UcctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("UCCTL_TARGET");
    unsetenv("UCCTL_PROJECT");
  }
  void TearDown() override { SetUp(); }

  // ucctl --target <fake> args...
  Result Call(std::vector<std::string> args) {
    args.insert(args.begin(), {"--target", server_.target()});
    return Ucctl(args);
  }

  RecordedCall OnlyCall() {
    std::vector<RecordedCall> calls = server_.service().calls();
    EXPECT_THAT(calls, SizeIs(1));
    return calls.empty() ? RecordedCall() : calls[0];
  }

  FakeServer server_;
};

TEST_F(UcctlTest, TopLevelHelpExplainsEveryOption) {
  Result result = Ucctl({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, IsEmpty());
  for (const char* text :
       {"Usage: ucctl", "--target HOST:PORT", "--project NAME",
        "--timeout SECONDS", "--tls", "--ca-file FILE", "--output FORMAT",
        "--help", "files", "UCCTL_TARGET", "UCCTL_PROJECT", "127.0.0.1:50051",
        "Exit status"}) {
    EXPECT_THAT(result.out, HasSubstr(text));
  }
}

TEST_F(UcctlTest, FilesHelpListsEveryCommand) {
  Result result = Ucctl({"files", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* text :
       {"Usage: ucctl [connection options] files <command>", "list", "get UUID",
        "store UUID", "delete UUID", "batch-store UUID...",
        "batch-delete UUID...", "copy-local SOURCE", "copy-remote SOURCE",
        "--output FORMAT"}) {
    EXPECT_THAT(result.out, HasSubstr(text));
  }
}

TEST_F(UcctlTest, EveryCommandHelpExplainsItsOptions) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected =
      {
          {"list",
           {"--page-size N", "--page-token TOKEN", "--stored true|false",
            "--removed true|false", "--ordering ORDER", "--from X",
            "--include-appdata", "--include-rekognition-info", "--all",
            "-datetime_uploaded", "-size"}},
          {"get",
           {"files get UUID", "--include-appdata",
            "--include-rekognition-info"}},
          {"store", {"files store UUID"}},
          {"delete", {"files delete UUID"}},
          {"batch-store", {"files batch-store UUID..."}},
          {"batch-delete", {"files batch-delete UUID..."}},
          {"copy-local",
           {"files copy-local SOURCE", "--store", "--metadata KEY=VALUE"}},
          {"copy-remote",
           {"files copy-remote SOURCE", "--target NAME",
            "--make-public true|false", "--pattern PATTERN"}},
      };
  for (const auto& [verb, texts] : expected) {
    SCOPED_TRACE(verb);
    Result result = Ucctl({"files", verb, "--help"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.err, IsEmpty());
    EXPECT_THAT(result.out, HasSubstr("--output FORMAT"));
    EXPECT_THAT(result.out, HasSubstr("Connection options"));
    for (const std::string& text : texts) {
      EXPECT_THAT(result.out, HasSubstr(text));
    }
  }
  EXPECT_THAT(server_.service().calls(), IsEmpty());
}

TEST_F(UcctlTest, UsageErrorsExitTwoWithOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--bogus"},
      {"--timeout", "0"},
      {"--timeout", "soon", "files", "list"},
      {"--output", "xml", "files", "list"},
      {"buckets", "list"},
      {"files"},
      {"files", "--bogus"},
      {"files", "rename", kUuid},
      {"files", "list", "--bogus"},
      {"files", "list", "extra"},
      {"files", "list", "--page-size", "ten"},
      {"files", "list", "--page-size", "-1"},
      {"files", "list", "--stored", "yes"},
      {"files", "list", "--removed", "1"},
      {"files", "list", "--ordering", "name"},
      {"files", "list", "--output", "yaml"},
      {"files", "list", "--all=1"},
      {"files", "get"},
      {"files", "get", kUuid, kUuid},
      {"files", "get", kUuid, "--project", "demo"},
      {"files", "store"},
      {"files", "delete"},
      {"files", "batch-store"},
      {"files", "batch-delete"},
      {"files", "copy-local"},
      {"files", "copy-local", kUuid, "--metadata", "novalue"},
      {"files", "copy-local", kUuid, "--metadata", "=v"},
      {"files", "copy-remote", kUuid},
      {"files", "copy-remote", kUuid, "--target", "s3", "--make-public",
       "maybe"},
      {"--ca-file", "/nonexistent/ca.pem", "files", "get", kUuid},
  };
  for (const std::vector<std::string>& args : cases) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    Result result = Call(args);
    EXPECT_EQ(result.exit_code, kUsageExitCode);
    EXPECT_THAT(result.out, IsEmpty());
    EXPECT_THAT(Lines(result.err), ElementsAre(StartsWith("ucctl")));
    EXPECT_THAT(result.err, HasSubstr("--help)"));
  }
  EXPECT_THAT(server_.service().calls(), IsEmpty());
}

TEST_F(UcctlTest, UnknownOptionNamesItAndTheCommand) {
  Result result = Call({"files", "list", "--bogus"});
  EXPECT_EQ(result.err,
            "ucctl files list: unknown option --bogus (see ucctl files list "
            "--help)\n");
}

TEST_F(UcctlTest, ListPrintsOnePageAsJsonWithProtoFieldNames) {
  server_.service().SetPages({Page({"a1", "a2"}, "page-2"), Page({"b1"}, "")});
  Result result = Call({"files", "list"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, IsEmpty());
  auto page = ParseJson<v1::ListFilesResponse>(result.out);
  ASSERT_THAT(page.files(), SizeIs(2));
  EXPECT_EQ(page.files(0).uuid(), "a1");
  EXPECT_EQ(page.next_page_token(), "page-2");
  EXPECT_THAT(result.out, HasSubstr("\"next_page_token\": \"page-2\""));
  EXPECT_THAT(result.out, Not(HasSubstr("nextPageToken")));
  EXPECT_THAT(Lines(result.out), SizeIs(::testing::Gt(3)));  // indented
}

TEST_F(UcctlTest, ListMapsEveryOptionToTheRequest) {
  Result result = Call({"files", "list", "--page-size", "20", "--page-token",
                        "", "--stored=true", "--removed", "false", "--ordering",
                        "-datetime_uploaded", "--from", "2015-09-10T10:00:00Z",
                        "--include-appdata", "--include-rekognition-info"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto& sent = OnlyCall().As<v1::ListFilesRequest>();
  EXPECT_EQ(sent.page_size(), 20);
  EXPECT_TRUE(sent.has_stored());
  EXPECT_TRUE(sent.stored());
  EXPECT_TRUE(sent.has_removed());
  EXPECT_FALSE(sent.removed());
  EXPECT_EQ(sent.ordering(), v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  EXPECT_EQ(sent.from(), "2015-09-10T10:00:00Z");
  EXPECT_TRUE(sent.include_appdata());
  EXPECT_TRUE(sent.include_rekognition_info());

  const std::vector<std::pair<std::string, v1::FileOrdering>> orderings = {
      {"datetime_uploaded", v1::FILE_ORDERING_DATETIME_UPLOADED},
      {"size", v1::FILE_ORDERING_SIZE},
      {"-size", v1::FILE_ORDERING_SIZE_DESC}};
  for (const auto& [name, ordering] : orderings) {
    ASSERT_EQ(Call({"files", "list", "--ordering", name}).exit_code, 0);
    EXPECT_EQ(
        server_.service().calls().back().As<v1::ListFilesRequest>().ordering(),
        ordering);
  }
}

TEST_F(UcctlTest, ListLeavesUnsetFiltersUnset) {
  ASSERT_EQ(Call({"files", "list"}).exit_code, 0);
  const auto& sent = OnlyCall().As<v1::ListFilesRequest>();
  EXPECT_FALSE(sent.has_stored());
  EXPECT_FALSE(sent.has_removed());
  EXPECT_EQ(sent.ordering(), v1::FILE_ORDERING_UNSPECIFIED);
  EXPECT_EQ(sent.page_size(), 0);
}

TEST_F(UcctlTest, ListAllStreamsOneJsonArrayOfEveryFile) {
  server_.service().SetStream(
      "StreamFiles",
      std::vector<v1::StreamFilesResponse>{
          Batch({"a1", "a2"}), Batch({"b1", "b2"}), Batch({"c1", "c2"})});
  Result result =
      Call({"files", "list", "--all", "--page-size", "2", "--stored", "true",
            "--ordering", "-datetime_uploaded"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto all = ParseJson<v1::ListFilesResponse>(
      absl::StrCat("{\"files\": ", result.out, "}"));
  std::vector<std::string> uuids;
  for (const v1::File& file : all.files()) uuids.push_back(file.uuid());
  EXPECT_THAT(uuids, ElementsAre("a1", "a2", "b1", "b2", "c1", "c2"));
  // One StreamFiles call carrying the page size and the filters.
  const auto& sent = OnlyCall().As<v1::StreamFilesRequest>();
  EXPECT_EQ(sent.page_size(), 2);
  EXPECT_TRUE(sent.stored());
  EXPECT_EQ(sent.ordering(), v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
}

TEST_F(UcctlTest, ListAllFromAPageTokenPagesWithListFiles) {
  server_.service().SetPages(
      {Page({"a1", "a2"}, "page-2"), Page({"b1", "b2"}, "")});
  Result result = Call({"files", "list", "--all", "--page-token", "page-2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto all = ParseJson<v1::ListFilesResponse>(
      absl::StrCat("{\"files\": ", result.out, "}"));
  ASSERT_THAT(all.files(), SizeIs(2));
  EXPECT_EQ(all.files(0).uuid(), "b1");
  EXPECT_EQ(OnlyCall().method, "ListFiles");
}

TEST_F(UcctlTest, ListAllOfNothingIsAnEmptyArray) {
  server_.service().SetPages({Page({}, "")});
  Result result = Call({"files", "list", "--all"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "[]\n");
}

TEST_F(UcctlTest, ListAllFailingMidwayClosesTheArrayAndExitsOne) {
  // One batch, then an error that resuming cannot cure.
  server_.service().SetStream(
      "StreamFiles", std::vector<v1::StreamFilesResponse>{Batch({"a1"})},
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "upstream: 403"));
  Result result = Call({"files", "list", "--all"});
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode);
  auto printed = ParseJson<v1::ListFilesResponse>(
      absl::StrCat("{\"files\": ", result.out, "}"));
  EXPECT_THAT(printed.files(), SizeIs(1));
  EXPECT_THAT(result.err, StartsWith("ucctl: PERMISSION_DENIED: upstream"));
}

TEST_F(UcctlTest, ListTextIsATableWithTheNextPageToken) {
  v1::ListFilesResponse page = Page({kUuid}, "page-2");
  page.mutable_files(0)->set_original_filename("photo.jpg");
  page.mutable_files(0)->set_size(1234);
  page.mutable_files(0)->mutable_datetime_stored()->set_seconds(1);
  page.mutable_files(0)->mutable_datetime_uploaded()->set_seconds(1500000000);
  page.mutable_files(0)->mutable_datetime_uploaded()->set_nanos(161818000);
  server_.service().SetPages({page});
  Result result = Call({"files", "list", "--output", "text"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_THAT(lines, SizeIs(4));
  EXPECT_THAT(lines[0], AllOf(StartsWith("UUID"), HasSubstr("SIZE"),
                              HasSubstr("STATE"), HasSubstr("FILENAME")));
  EXPECT_THAT(lines[1], AllOf(StartsWith(kUuid), HasSubstr("1234"),
                              HasSubstr("stored"), HasSubstr("photo.jpg")));
  // Whole seconds keep the UPLOADED column aligned with its header.
  EXPECT_EQ(lines[1].find("2017-07-14T02:40:00Z  photo.jpg"),
            lines[0].find("UPLOADED"));
  EXPECT_EQ(lines[2], "1 of 6 files");
  EXPECT_EQ(lines[3], "next page: --page-token page-2");
}

TEST_F(UcctlTest, ListAllTextIsOneTable) {
  server_.service().SetStream(
      "StreamFiles",
      std::vector<v1::StreamFilesResponse>{Batch({"a1", "a2"}), Batch({"b1"})});
  // --output works before the resource too.
  Result result = Call({"--output", "text", "files", "list", "--all"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_THAT(lines, SizeIs(5));
  EXPECT_THAT(lines[0], StartsWith("UUID"));
  EXPECT_THAT(lines[3], StartsWith("b1"));
  EXPECT_EQ(lines[4], "3 files");
}

TEST_F(UcctlTest, GetPrintsTheFileAsJsonOrText) {
  Result json = Call({"files", "get", kUuid, "--include-appdata"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto response = ParseJson<v1::GetFileResponse>(json.out);
  EXPECT_EQ(response.file().uuid(), kUuid);
  EXPECT_TRUE(response.file().appdata().contains("uc_clamav_virus_scan"));
  EXPECT_THAT(json.out, HasSubstr("\"original_filename\": \"photo.jpg\""));
  EXPECT_TRUE(OnlyCall().As<v1::GetFileRequest>().include_appdata());

  Result text = Call({"files", "get", kUuid, "--output=text"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(absl::StrCat("uuid:              ", kUuid)));
  EXPECT_THAT(text.out, HasSubstr("original_filename: photo.jpg"));
  EXPECT_THAT(text.out, HasSubstr("state:             unstored"));
  EXPECT_THAT(text.out, HasSubstr("datetime_uploaded: 2017-07-14T02:40:00Z"));
}

TEST_F(UcctlTest, StoreAndDeleteSendTheUuid) {
  Result stored = Call({"files", "store", kUuid});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_TRUE(ParseJson<v1::StoreFileResponse>(stored.out)
                  .file()
                  .has_datetime_stored());
  Result removed = Call({"files", "delete", kUuid});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_TRUE(ParseJson<v1::DeleteFileResponse>(removed.out)
                  .file()
                  .has_datetime_removed());
  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_EQ(calls[0].As<v1::StoreFileRequest>().uuid(), kUuid);
  EXPECT_EQ(calls[1].As<v1::DeleteFileRequest>().uuid(), kUuid);
}

TEST_F(UcctlTest, BatchesSendEveryUuidAndPrintProblems) {
  Result stored = Call({"files", "batch-store", kUuid, "bad-1"});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  auto store_response = ParseJson<v1::BatchStoreFilesResponse>(stored.out);
  EXPECT_THAT(store_response.files(), SizeIs(1));
  EXPECT_THAT(store_response.problems(),
              UnorderedElementsAre(Pair("bad-1", "Invalid")));

  Result removed =
      Call({"files", "batch-delete", "bad-2", kUuid, "--output", "text"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_THAT(removed.out, HasSubstr("1 files, 1 problems"));
  EXPECT_THAT(removed.out, HasSubstr("  bad-2: Invalid"));

  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_THAT(calls[0].As<v1::BatchStoreFilesRequest>().uuids(),
              ElementsAre(kUuid, "bad-1"));
  EXPECT_THAT(calls[1].As<v1::BatchDeleteFilesRequest>().uuids(),
              ElementsAre("bad-2", kUuid));
}

TEST_F(UcctlTest, CopyLocalSendsStoreAndEveryMetadataEntry) {
  Result result = Call({"files", "copy-local", kUuid, "--store", "--metadata",
                        "owner=docs", "--metadata=note=a=b"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto response = ParseJson<v1::CopyFileToLocalStorageResponse>(result.out);
  EXPECT_EQ(response.file().uuid(), testing::kCopyUuid);
  const auto& sent = OnlyCall().As<v1::CopyFileToLocalStorageRequest>();
  EXPECT_EQ(sent.source(), kUuid);
  EXPECT_TRUE(sent.store());
  EXPECT_THAT(sent.metadata(),
              UnorderedElementsAre(Pair("owner", "docs"), Pair("note", "a=b")));
}

TEST_F(UcctlTest, CopyRemoteSendsTargetVisibilityAndPattern) {
  Result result =
      Call({"files", "copy-remote", kUuid, "--target", "backup",
            "--make-public", "false", "--pattern", "${uuid}/${filename}"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto response = ParseJson<v1::CopyFileToRemoteStorageResponse>(result.out);
  EXPECT_EQ(response.url(), absl::StrCat("s3://backup/", kUuid));
  EXPECT_TRUE(response.already_existed());
  const auto& sent = OnlyCall().As<v1::CopyFileToRemoteStorageRequest>();
  EXPECT_EQ(sent.target(), "backup");
  EXPECT_TRUE(sent.has_make_public());
  EXPECT_FALSE(sent.make_public());
  EXPECT_EQ(sent.pattern(), "${uuid}/${filename}");

  Result text = Call({"files", "copy-remote", kUuid, "--target", "backup",
                      "--output", "text"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, absl::StrCat("url: s3://backup/", kUuid,
                                   "\nalready_existed: true\n"));
  EXPECT_FALSE(server_.service()
                   .calls()
                   .back()
                   .As<v1::CopyFileToRemoteStorageRequest>()
                   .has_make_public());
}

TEST_F(UcctlTest, SendsProjectAndDeadlineFromOptions) {
  ASSERT_EQ(
      Call({"--project", "demo", "--timeout", "2.5", "files", "get", kUuid})
          .exit_code,
      0);
  RecordedCall call = OnlyCall();
  EXPECT_THAT(call.project, Optional(std::string("demo")));
  ASSERT_TRUE(call.time_left.has_value());
  // The grpc-timeout header rounds the timeout up a little.
  EXPECT_LE(*call.time_left, absl::Milliseconds(2600));
  EXPECT_GT(*call.time_left, absl::Seconds(1));
}

TEST_F(UcctlTest, SendsNoProjectByDefaultAndA30SecondDeadline) {
  ASSERT_EQ(Call({"files", "get", kUuid}).exit_code, 0);
  RecordedCall call = OnlyCall();
  EXPECT_EQ(call.project, std::nullopt);
  ASSERT_TRUE(call.time_left.has_value());
  EXPECT_LE(*call.time_left, absl::Seconds(31));
  EXPECT_GT(*call.time_left, absl::Seconds(28));
}

TEST_F(UcctlTest, TakesTargetAndProjectFromTheEnvironment) {
  setenv("UCCTL_TARGET", server_.target().c_str(), 1);
  setenv("UCCTL_PROJECT", "from-env", 1);
  Result result = Ucctl({"files", "get", kUuid});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(OnlyCall().project, Optional(std::string("from-env")));
  // Flags win over the environment.
  ASSERT_EQ(Ucctl({"--project", "flag", "files", "get", kUuid}).exit_code, 0);
  EXPECT_THAT(server_.service().calls().back().project,
              Optional(std::string("flag")));
}

TEST_F(UcctlTest, RpcErrorsExitOneWithCodeMessageAndDetails) {
  server_.service().FailWith(testing::InvalidUuidErrorWithEveryDetail());
  Result result = Call({"files", "get", "nope"});
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(Lines(result.err),
              ElementsAre("ucctl: INVALID_ARGUMENT: uuid: must be a UUID",
                          "  field uuid: must be a UUID", "  retry after: 3.5s",
                          "  reason: INVALID_UUID"));
}

TEST_F(UcctlTest, PlainRpcErrorIsOneLine) {
  server_.service().FailWith(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "file not found"));
  Result result = Call({"files", "delete", kUuid});
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode);
  EXPECT_EQ(result.err, "ucctl: NOT_FOUND: file not found\n");
}

TEST(UcctlUnreachableTest, UnreachableGatewayExitsOne) {
  std::string target;
  {
    FakeServer gone;
    target = gone.target();
  }
  Result result =
      Ucctl({"--target", target, "--timeout", "10", "files", "get", kUuid});
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode);
  EXPECT_THAT(result.err, StartsWith("ucctl: UNAVAILABLE: "));
}

TEST_F(UcctlTest, AnAnswerThatCannotBePrintedFailsTheCommand) {
  // appdata 32 levels deep: decodable, but past what protobuf's JSON printer
  // walks (64 nested messages).
  server_.service().Answer<v1::GetFileRequest, v1::GetFileResponse>(
      "GetFile",
      [](const v1::GetFileRequest& request, v1::GetFileResponse& response) {
        v1::File* file = response.mutable_file();
        file->set_uuid(request.uuid());
        google::protobuf::Struct* level =
            (*file->mutable_appdata())["deep"].mutable_data();
        for (int i = 0; i < 32; ++i) {
          level = (*level->mutable_fields())["a"].mutable_struct_value();
        }
        return grpc::Status::OK;
      });
  Result result = Call({"files", "get", kUuid});
  EXPECT_EQ(result.exit_code, kRpcErrorExitCode) << result.out;
  EXPECT_THAT(result.err, HasSubstr("could not be printed as JSON"));
  // The next command starts with a clean count.
  Result help = Ucctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
}

}  // namespace
}  // namespace ucgate::client
