// Every RPC of the client library added with issue 3 (FileService metadata,
// tags and search; GroupService, ProjectService, WebhookService,
// ConversionService, AddonService): the request reaches the gateway as sent
// with the project and a deadline, the answer comes back as the gateway sent
// it, and errors keep their details. Plus the ForEachGroup and
// ForEachFoundFile page walkers.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/ucgate_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "tests/client/fake_gateway.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using testing::FakeServer;
using ::testing::Optional;
using ::testing::Pair;
using testing::RecordedCall;

using MessageOr = absl::StatusOr<std::unique_ptr<Message>>;

struct RpcCase {
  std::string rpc;
  std::string request_text;   // text proto
  std::string response_text;  // text proto the fake answers
  // Makes the call with a client of `options` over `channel`.
  std::function<MessageOr(std::shared_ptr<grpc::Channel>, ClientOptions,
                          const std::string& request_text)>
      call;
};

void PrintTo(const RpcCase& rpc, std::ostream* out) { *out << rpc.rpc; }

template <typename Message>
Message ParseText(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

template <typename Client, typename Request, typename Response>
RpcCase Case(std::string rpc,
             absl::StatusOr<Response> (Client::*method)(const Request&),
             std::string request_text, std::string response_text) {
  return RpcCase{
      std::move(rpc), std::move(request_text), std::move(response_text),
      [method](std::shared_ptr<grpc::Channel> channel, ClientOptions options,
               const std::string& text) -> MessageOr {
        Client client(std::move(channel), std::move(options));
        absl::StatusOr<Response> response =
            (client.*method)(ParseText<Request>(text));
        if (!response.ok()) return response.status();
        return std::make_unique<Response>(*std::move(response));
      }};
}

std::vector<RpcCase> EveryNewRpc() {
  return {
      Case("GetFileMetadata", &FileClient::GetFileMetadata, R"(uuid: "u1")",
           R"(metadata { key: "k" value: "v" })"),
      Case("GetFileMetadataKey", &FileClient::GetFileMetadataKey,
           R"(uuid: "u1" key: "k")", R"(value: "v")"),
      Case("UpdateFileMetadataKey", &FileClient::UpdateFileMetadataKey,
           R"(uuid: "u1" key: "k" value: "v")", R"(value: "v")"),
      Case("DeleteFileMetadataKey", &FileClient::DeleteFileMetadataKey,
           R"(uuid: "u1" key: "k")", ""),
      Case("GetFileTags", &FileClient::GetFileTags, R"(uuid: "u1")",
           R"(tags: "a" tags: "b")"),
      Case("ReplaceFileTags", &FileClient::ReplaceFileTags,
           R"(uuid: "u1" tags: "a")", R"(tags: "a" added: "a")"),
      Case("UpdateFileTags", &FileClient::UpdateFileTags,
           R"(uuid: "u1" add: "a" remove: "b")",
           R"(tags: "a" added: "a" deleted: "b")"),
      Case("SearchFiles", &FileClient::SearchFiles,
           R"(page_size: 5 query: "cats" tags { any: "t" } is_image: true
              sort { field: SEARCH_SORT_FIELD_SIZE descending: true })",
           R"(files { uuid: "u1" tags: "t" } next_page_token: "n"
              total_size: 9 highlights { original_filename: "<em>cats</em>" })"),
      Case("ListGroups", &GroupClient::ListGroups,
           R"(page_size: 2 ordering: GROUP_ORDERING_DATETIME_CREATED_DESC
              from: "2015-01-01T00:00:00Z")",
           R"(groups { id: "g~2" files_count: 2 } total_size: 1)"),
      Case("GetGroup", &GroupClient::GetGroup, R"(id: "g~2")",
           R"(group { id: "g~2" files { index: 1 removed: true } })"),
      Case("DeleteGroup", &GroupClient::DeleteGroup, R"(id: "g~2")", ""),
      Case("StoreGroup", &GroupClient::StoreGroup, R"(id: "g~2")",
           R"(group { id: "g~2" } problems { key: "u2" value: "gone" })"),
      Case("GetProject", &ProjectClient::GetProject, "",
           R"(project { name: "demo" pub_key: "pk" autostore_enabled: true
              collaborators { email: "a@b.c" name: "A" } })"),
      Case("ListWebhooks", &WebhookClient::ListWebhooks, "",
           R"(webhooks { id: 7 event: WEBHOOK_EVENT_FILE_STORED
              target_url: "https://h/" is_active: true })"),
      Case("CreateWebhook", &WebhookClient::CreateWebhook,
           R"(target_url: "https://h/" event: WEBHOOK_EVENT_FILE_UPLOADED
              is_active: false signing_secret: "s" version: "0.7")",
           R"(webhook { id: 7 has_signing_secret: true })"),
      Case("UpdateWebhook", &WebhookClient::UpdateWebhook,
           R"(id: 7 target_url: "https://h2/" is_active: true)",
           R"(webhook { id: 7 target_url: "https://h2/" })"),
      Case("DeleteWebhook", &WebhookClient::DeleteWebhook,
           R"(target_url: "https://h/")", ""),
      Case("ConvertDocument", &ConversionClient::ConvertDocument,
           R"(conversions { uuid: "u1" format: DOCUMENT_FORMAT_PNG page: 2 }
              store: true save_in_group: true)",
           R"(jobs { original_source: "u1/document/-/format/png/-/page/2/"
              uuid: "r1" token: 42 } problems { key: "x" value: "bad" })"),
      Case("GetDocumentConversionStatus",
           &ConversionClient::GetDocumentConversionStatus, "token: 42",
           R"(status: CONVERSION_STATUS_FINISHED result_uuid: "r1")"),
      Case("GetDocumentConversionInfo",
           &ConversionClient::GetDocumentConversionInfo, R"(uuid: "u1")",
           R"(format: "docx" conversion_formats: "pdf")"),
      Case("ConvertVideo", &ConversionClient::ConvertVideo,
           R"(conversions { uuid: "u1" format: VIDEO_FORMAT_WEBM
              quality: VIDEO_QUALITY_BEST size { width: 640 height: 480
              resize_mode: VIDEO_RESIZE_MODE_ADD_PADDING }
              cut { start_time: "0:0:1" length: "end" } thumbnails: 3 })",
           R"(jobs { uuid: "r1" token: 43 thumbnails_group_uuid: "g~3" })"),
      Case("GetVideoConversionStatus",
           &ConversionClient::GetVideoConversionStatus, "token: 43",
           R"(status: CONVERSION_STATUS_PROCESSING)"),
      Case("ExecuteAddon", &AddonClient::ExecuteAddon,
           R"(addon: ADDON_REMOVE_BG target: "u1"
              remove_bg { crop: true scale: "80%" })",
           R"(request_id: "req-1")"),
      Case("GetAddonExecutionStatus", &AddonClient::GetAddonExecutionStatus,
           R"(addon: ADDON_UC_CLAMAV_VIRUS_SCAN request_id: "req-1")",
           R"(status: ADDON_EXECUTION_STATUS_DONE)"),
  };
}

class ServiceClientsTest : public ::testing::TestWithParam<RpcCase> {
 protected:
  ClientOptions Options() {
    ClientOptions options;
    options.project = "demo";
    options.timeout = absl::Seconds(20);
    return options;
  }

  std::unique_ptr<Message> Prototype(bool request) {
    const auto* method = testing::FindRpc(GetParam().rpc);
    EXPECT_NE(method, nullptr) << GetParam().rpc;
    const auto* type = request ? method->input_type() : method->output_type();
    std::unique_ptr<Message> message(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(type)
            ->New());
    return message;
  }

  FakeServer server_;
};

TEST_P(ServiceClientsTest, SendsTheRequestWithProjectAndDeadline) {
  const RpcCase& rpc = GetParam();
  std::unique_ptr<Message> canned = Prototype(/*request=*/false);
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(rpc.response_text,
                                                            canned.get()));
  server_.service().SetResponse(rpc.rpc, *canned);

  MessageOr response =
      rpc.call(server_.InProcessChannel(), Options(), rpc.request_text);

  ASSERT_THAT(response, IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(**response, *canned))
      << (*response)->DebugString();
  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, rpc.rpc);
  EXPECT_EQ(calls[0].project, "demo");
  ASSERT_TRUE(calls[0].time_left.has_value());
  EXPECT_GT(*calls[0].time_left, absl::Seconds(10));
  // gRPC rounds deadlines up to its timer's granularity.
  EXPECT_LE(*calls[0].time_left, absl::Seconds(21));
  std::unique_ptr<Message> sent = Prototype(/*request=*/true);
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(rpc.request_text,
                                                            sent.get()));
  EXPECT_TRUE(MessageDifferencer::Equals(*calls[0].request, *sent))
      << calls[0].request->DebugString();
}

TEST_P(ServiceClientsTest, ErrorsKeepCodeMessageAndDetails) {
  const RpcCase& rpc = GetParam();
  server_.service().FailWith(testing::InvalidUuidErrorWithEveryDetail());
  MessageOr response =
      rpc.call(server_.InProcessChannel(), Options(), rpc.request_text);
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kInvalidArgument,
                                 "uuid: must be a UUID"));
  EXPECT_THAT(FieldViolations(response.status()),
              ElementsAre(Pair("uuid", "must be a UUID")));
  EXPECT_EQ(RetryAfter(response.status()), absl::Milliseconds(3500));
  EXPECT_EQ(ErrorReason(response.status()), "INVALID_UUID");
}

TEST_P(ServiceClientsTest, SendsNoProjectWhenUnset) {
  const RpcCase& rpc = GetParam();
  ClientOptions options;
  options.timeout = absl::InfiniteDuration();
  ASSERT_THAT(rpc.call(server_.InProcessChannel(), options, rpc.request_text),
              IsOk());
  std::vector<RecordedCall> calls = server_.service().calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].project, std::nullopt);
  EXPECT_EQ(calls[0].time_left, std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(EveryNewRpc, ServiceClientsTest,
                         ::testing::ValuesIn(EveryNewRpc()),
                         [](const ::testing::TestParamInfo<RpcCase>& info) {
                           return info.param.rpc;
                         });

TEST(ServiceClientsCreateTest, CreateConnectsEveryClientToTheTarget) {
  FakeServer server;
  ClientOptions options;
  options.target = server.target();
  absl::StatusOr<std::unique_ptr<ProjectClient>> client =
      ProjectClient::Create(options);
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->GetProject(v1::GetProjectRequest()), IsOk());
  options.target = "";
  EXPECT_THAT(GroupClient::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

v1::ListGroupsResponse GroupPage(std::vector<std::string> ids,
                                 std::string next_page_token) {
  v1::ListGroupsResponse page;
  for (const std::string& id : ids) page.add_groups()->set_id(id);
  page.set_next_page_token(std::move(next_page_token));
  return page;
}

TEST(ForEachGroupTest, WalksEveryPageKeepingTheRequest) {
  FakeServer server;
  server.service().SetPages("ListGroups", std::vector<v1::ListGroupsResponse>{
                                              GroupPage({"a~1", "a~2"}, "p2"),
                                              GroupPage({"b~1"}, "")});
  GroupClient client(server.InProcessChannel(), ClientOptions());
  v1::ListGroupsRequest request;
  request.set_page_size(2);
  request.set_ordering(v1::GROUP_ORDERING_DATETIME_CREATED_DESC);
  std::vector<std::string> seen;
  EXPECT_THAT(client.ForEachGroup(request,
                                  [&](const v1::Group& group) {
                                    seen.push_back(group.id());
                                    return true;
                                  }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre("a~1", "a~2", "b~1"));
  std::vector<RecordedCall> calls = server.service().calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].As<v1::ListGroupsRequest>().page_token(), "p2");
  EXPECT_EQ(calls[1].As<v1::ListGroupsRequest>().page_size(), 2);
  EXPECT_EQ(calls[1].As<v1::ListGroupsRequest>().ordering(),
            v1::GROUP_ORDERING_DATETIME_CREATED_DESC);
}

TEST(ForEachGroupTest, StopsEarlyAndRefusesARepeatedToken) {
  FakeServer server;
  server.service().SetPages("ListGroups", std::vector<v1::ListGroupsResponse>{
                                              GroupPage({"a~1", "a~2"}, "p2"),
                                              GroupPage({"b~1"}, "p2")});
  GroupClient client(server.InProcessChannel(), ClientOptions());
  int visited = 0;
  EXPECT_THAT(client.ForEachGroup(v1::ListGroupsRequest(),
                                  [&](const v1::Group&) {
                                    ++visited;
                                    return false;
                                  }),
              IsOk());
  EXPECT_EQ(visited, 1);
  EXPECT_THAT(client.ForEachGroup(v1::ListGroupsRequest(),
                                  [](const v1::Group&) { return true; }),
              StatusIs(absl::StatusCode::kInternal,
                       "ListGroups returned the same page token it was given"));
}

TEST(ForEachFoundFileTest, WalksEverySearchPageAndFailsWithTheFailingPage) {
  FakeServer server;
  v1::SearchFilesResponse first, second;
  first.add_files()->set_uuid("f1");
  first.set_next_page_token("p2");
  second.add_files()->set_uuid("f2");
  server.service().SetPages(
      "SearchFiles", std::vector<v1::SearchFilesResponse>{first, second});
  FileClient client(server.InProcessChannel(), ClientOptions());
  v1::SearchFilesRequest request;
  request.mutable_tags()->add_all("t");
  std::vector<std::string> seen;
  EXPECT_THAT(client.ForEachFoundFile(request,
                                      [&](const v1::File& file) {
                                        seen.push_back(file.uuid());
                                        return true;
                                      }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre("f1", "f2"));
  EXPECT_THAT(
      server.service().calls()[1].As<v1::SearchFilesRequest>().tags().all(),
      ElementsAre("t"));

  request.set_page_token("unknown");
  EXPECT_THAT(
      client.ForEachFoundFile(request, [](const v1::File&) { return true; }),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

}  // namespace
}  // namespace ucgate::client
