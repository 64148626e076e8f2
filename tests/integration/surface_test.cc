// The REST surface beyond files, through the gateway to the emulator, on a
// v0.6 and a v0.7 upstream: groups, project, webhooks, conversions and
// add-ons (jobs moved by the emulator's clock, no sleeps), file metadata,
// tags and search. Every RPC succeeds once and fails at least once (404s,
// validation errors naming their field, 409, faults, and what a v0.6
// upstream cannot do, refused before going upstream).
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "tests/integration/gateway_fixture.h"
#include "uploadcare/gateway/v1/addon_service.grpc.pb.h"
#include "uploadcare/gateway/v1/conversion_service.grpc.pb.h"
#include "uploadcare/gateway/v1/file_service.grpc.pb.h"
#include "uploadcare/gateway/v1/group_service.grpc.pb.h"
#include "uploadcare/gateway/v1/project_service.grpc.pb.h"
#include "uploadcare/gateway/v1/webhook_service.grpc.pb.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::_;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kUnknownUuid[] = "00000000-0000-4000-8000-000000000000";

// Calls `method` on `stub` with a 10 s deadline; OK or the error as the
// client library reads it (details included).
template <typename Stub, typename Request, typename Response>
absl::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  return client::FromGrpcStatus((stub.*method)(&context, request, response));
}

// Refused by the gateway naming `field`.
MATCHER_P(NamesField, field, "") {
  return arg.code() == absl::StatusCode::kInvalidArgument &&
         ::testing::Value(FieldViolations(arg), Contains(Pair(field, _)));
}

std::string VersionName(const ::testing::TestParamInfo<ApiVersion>& info) {
  return info.param == ApiVersion::kV06 ? "V06" : "V07";
}

class SurfaceTest : public ::testing::TestWithParam<ApiVersion> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(absl::Now());
    GatewaySetup setup;
    setup.api_version = GetParam();
    setup.emulator_clock = clock_;
    fixture_ = std::make_unique<GatewayFixture>(setup);
    fixture_->Start();
    files_ = v1::FileService::NewStub(fixture_->channel());
    groups_ = v1::GroupService::NewStub(fixture_->channel());
    project_ = v1::ProjectService::NewStub(fixture_->channel());
    webhooks_ = v1::WebhookService::NewStub(fixture_->channel());
    conversions_ = v1::ConversionService::NewStub(fixture_->channel());
    addons_ = v1::AddonService::NewStub(fixture_->channel());
  }

  bool v06() const { return GetParam() == ApiVersion::kV06; }

  // A present file whose MIME type starts with `prefix`.
  v1::File FileOfType(absl::string_view prefix) {
    for (const auto& file : fixture_->emulator().Files(kPublicKey)) {
      if (!file.has_datetime_removed() &&
          absl::StartsWith(file.mime_type(), prefix)) {
        return file;
      }
    }
    ADD_FAILURE() << "no " << prefix << " file in the seed";
    return {};
  }

  // "PUT /groups/..." for every request the emulator answered.
  std::vector<std::string> UpstreamRequests() {
    std::vector<std::string> lines;
    for (const auto& request : fixture_->emulator().requests()) {
      lines.push_back(
          absl::StrCat(request.method, " ", request.path_and_query));
    }
    return lines;
  }

  v1::File GetFile(const std::string& uuid) {
    v1::GetFileRequest request;
    request.set_uuid(uuid);
    v1::GetFileResponse response;
    EXPECT_THAT(
        Call(*files_, &v1::FileService::Stub::GetFile, request, &response),
        IsOk());
    return response.file();
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<GatewayFixture> fixture_;
  std::unique_ptr<v1::FileService::Stub> files_;
  std::unique_ptr<v1::GroupService::Stub> groups_;
  std::unique_ptr<v1::ProjectService::Stub> project_;
  std::unique_ptr<v1::WebhookService::Stub> webhooks_;
  std::unique_ptr<v1::ConversionService::Stub> conversions_;
  std::unique_ptr<v1::AddonService::Stub> addons_;
};

INSTANTIATE_TEST_SUITE_P(BothUpstreams, SurfaceTest,
                         ::testing::Values(ApiVersion::kV06, ApiVersion::kV07),
                         VersionName);

TEST_P(SurfaceTest, ProjectNeverCarriesASecretAndOutagesAreUnavailable) {
  v1::GetProjectResponse response;
  ASSERT_THAT(Call(*project_, &v1::ProjectService::Stub::GetProject,
                   v1::GetProjectRequest(), &response),
              IsOk());
  EXPECT_EQ(response.project().pub_key(), kPublicKey);
  EXPECT_FALSE(response.project().name().empty());
  EXPECT_THAT(response.SerializeAsString(), Not(HasSubstr(kSecretKey)));

  emulator::Fault outage;
  outage.path_prefix = "/project/";
  outage.status = 503;
  fixture_->emulator().AddFault(outage);
  EXPECT_THAT(Call(*project_, &v1::ProjectService::Stub::GetProject,
                   v1::GetProjectRequest(), &response),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("HTTP 503")));
  EXPECT_THAT(fixture_->sleeps(), Not(IsEmpty()));  // retried
}

TEST_P(SurfaceTest, GroupsListGetStoreDelete) {
  v1::ListGroupsRequest list;
  list.set_page_size(5);
  v1::ListGroupsResponse page;
  ASSERT_THAT(Call(*groups_, &v1::GroupService::Stub::ListGroups, list, &page),
              IsOk());
  ASSERT_THAT(page.groups(), SizeIs(5));
  EXPECT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  v1::ListGroupsResponse next;
  ASSERT_THAT(Call(*groups_, &v1::GroupService::Stub::ListGroups, list, &next),
              IsOk());
  EXPECT_NE(next.groups(0).id(), page.groups(0).id());

  const std::string id = page.groups(0).id();
  v1::GetGroupRequest get;
  get.set_id(id);
  v1::GetGroupResponse group;
  ASSERT_THAT(Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group),
              IsOk());
  EXPECT_EQ(group.group().files_size(), group.group().files_count());

  fixture_->emulator().ClearRequests();
  v1::StoreGroupRequest store;
  store.set_id(id);
  v1::StoreGroupResponse stored;
  ASSERT_THAT(
      Call(*groups_, &v1::GroupService::Stub::StoreGroup, store, &stored),
      IsOk());
  for (const auto& entry : stored.group().files()) {
    if (!entry.removed()) {
      EXPECT_TRUE(entry.file().has_datetime_stored());
    }
  }
  // v0.6 stores the group itself; v0.7 dropped that and stores its files.
  EXPECT_THAT(UpstreamRequests(),
              Contains(v06() ? absl::StrCat("PUT /groups/", id, "/storage/")
                             : "PUT /files/storage/"));
  EXPECT_THAT(
      UpstreamRequests(),
      Not(Contains(v06() ? "PUT /files/storage/"
                         : absl::StrCat("PUT /groups/", id, "/storage/"))));

  v1::DeleteGroupRequest del;
  del.set_id(id);
  v1::DeleteGroupResponse deleted;
  if (v06()) {
    // The v0.6 API has no DELETE /groups/{id}/: refused before upstream.
    EXPECT_THAT(
        Call(*groups_, &v1::GroupService::Stub::DeleteGroup, del, &deleted),
        StatusIs(absl::StatusCode::kFailedPrecondition,
                 HasSubstr("group deletions exist only on API v0.7")));
    EXPECT_THAT(UpstreamRequests(),
                Not(Contains(absl::StrCat("DELETE /groups/", id, "/"))));
  } else {
    ASSERT_THAT(
        Call(*groups_, &v1::GroupService::Stub::DeleteGroup, del, &deleted),
        IsOk());
    EXPECT_THAT(Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group),
                StatusIs(absl::StatusCode::kNotFound, _));
    EXPECT_THAT(
        Call(*groups_, &v1::GroupService::Stub::DeleteGroup, del, &deleted),
        StatusIs(absl::StatusCode::kNotFound, _));
  }
  store.set_id(absl::StrCat(kUnknownUuid, "~2"));
  EXPECT_THAT(
      Call(*groups_, &v1::GroupService::Stub::StoreGroup, store, &stored),
      StatusIs(absl::StatusCode::kNotFound, _));

  get.set_id("not-a-group");
  EXPECT_THAT(Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group),
              NamesField("id"));
  list.clear_page_token();
  list.set_page_size(-1);
  EXPECT_THAT(Call(*groups_, &v1::GroupService::Stub::ListGroups, list, &page),
              NamesField("page_size"));
}

TEST_P(SurfaceTest, WebhooksLifecycleKeepsTheSecretWriteOnly) {
  v1::CreateWebhookRequest create;
  create.set_target_url("https://hooks.example.com/uploadcare");
  create.set_event(v1::WEBHOOK_EVENT_FILE_UPLOADED);
  create.set_signing_secret("s3cr3t-signing");
  v1::CreateWebhookResponse created;
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::CreateWebhook, create,
                   &created),
              IsOk());
  EXPECT_GT(created.webhook().id(), 0);
  EXPECT_TRUE(created.webhook().has_signing_secret());
  EXPECT_THAT(created.SerializeAsString(), Not(HasSubstr("s3cr3t-signing")));
  // The same target and event again: the service's 400.
  EXPECT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::CreateWebhook, create,
                   &created),
              StatusIs(absl::StatusCode::kInvalidArgument, _));

  v1::UpdateWebhookRequest update;
  update.set_id(created.webhook().id());
  update.set_is_active(false);
  v1::UpdateWebhookResponse updated;
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::UpdateWebhook, update,
                   &updated),
              IsOk());
  EXPECT_FALSE(updated.webhook().is_active());

  v1::ListWebhooksResponse listed;
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::ListWebhooks,
                   v1::ListWebhooksRequest(), &listed),
              IsOk());
  ASSERT_THAT(listed.webhooks(), SizeIs(1));
  EXPECT_EQ(listed.webhooks(0).target_url(),
            "https://hooks.example.com/uploadcare");

  v1::DeleteWebhookRequest del;
  del.set_target_url("https://hooks.example.com/uploadcare");
  v1::DeleteWebhookResponse deleted;
  ASSERT_THAT(
      Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook, del, &deleted),
      IsOk());
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::ListWebhooks,
                   v1::ListWebhooksRequest(), &listed),
              IsOk());
  EXPECT_THAT(listed.webhooks(), IsEmpty());

  // By id, as the live service deletes one (204).
  create.set_target_url("https://hooks.example.com/by-id");
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::CreateWebhook, create,
                   &created),
              IsOk());
  v1::DeleteWebhookRequest by_created_id;
  by_created_id.set_id(created.webhook().id());
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook,
                   by_created_id, &deleted),
              IsOk());
  ASSERT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::ListWebhooks,
                   v1::ListWebhooksRequest(), &listed),
              IsOk());
  EXPECT_THAT(listed.webhooks(), IsEmpty());

  // Failures: gone, unknown, and refused before going upstream.
  EXPECT_THAT(
      Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook, del, &deleted),
      StatusIs(absl::StatusCode::kNotFound, _));
  v1::DeleteWebhookRequest by_id;
  by_id.set_id(424242);
  EXPECT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook, by_id,
                   &deleted),
              StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook,
                   v1::DeleteWebhookRequest(), &deleted),
              NamesField("id"));
  update.set_id(424242);
  EXPECT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::UpdateWebhook, update,
                   &updated),
              StatusIs(absl::StatusCode::kNotFound, _));
  create.set_target_url("ftp://nope");
  EXPECT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::CreateWebhook, create,
                   &created),
              NamesField("target_url"));
  update.set_id(0);
  EXPECT_THAT(Call(*webhooks_, &v1::WebhookService::Stub::UpdateWebhook, update,
                   &updated),
              NamesField("id"));
  del.set_target_url("");
  EXPECT_THAT(
      Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook, del, &deleted),
      NamesField("target_url"));
}

// Recorded: rest_webhook_list_unpaid.yml. The keys are fine; the plan is
// not: the caller is told so, in the service's words, and nothing retries.
TEST_P(SurfaceTest, APlanWithoutWebhooksIsAFailedPrecondition) {
  emulator::Fault unpaid;
  unpaid.path_prefix = "/webhooks/";
  unpaid.status = 403;
  unpaid.body = R"({"detail":"You can't use webhooks"})";
  fixture_->emulator().AddFault(unpaid);
  fixture_->emulator().ClearRequests();
  v1::ListWebhooksResponse listed;
  const absl::Status status =
      Call(*webhooks_, &v1::WebhookService::Stub::ListWebhooks,
           v1::ListWebhooksRequest(), &listed);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("You can't use webhooks")));
  EXPECT_THAT(ErrorReason(status),
              Optional(std::string("UPSTREAM_FEATURE_NOT_AVAILABLE")));
  EXPECT_THAT(UpstreamRequests(), SizeIs(1));
}

TEST_P(SurfaceTest, MetadataOnV07RefusedOnV06BeforeGoingUpstream) {
  const v1::File file = FileOfType("image/");
  v1::UpdateFileMetadataKeyRequest set;
  set.set_uuid(file.uuid());
  set.set_key("owner");
  set.set_value("integration-test");
  v1::UpdateFileMetadataKeyResponse set_response;
  v1::GetFileMetadataKeyRequest get_key;
  get_key.set_uuid(file.uuid());
  get_key.set_key("owner");
  v1::GetFileMetadataKeyResponse value;
  v1::GetFileMetadataRequest get_all;
  get_all.set_uuid(file.uuid());
  v1::GetFileMetadataResponse metadata;
  v1::DeleteFileMetadataKeyRequest del;
  del.set_uuid(file.uuid());
  del.set_key("owner");
  v1::DeleteFileMetadataKeyResponse deleted;

  if (v06()) {
    fixture_->emulator().ClearRequests();
    for (const absl::Status& status :
         {Call(*files_, &v1::FileService::Stub::UpdateFileMetadataKey, set,
               &set_response),
          Call(*files_, &v1::FileService::Stub::GetFileMetadataKey, get_key,
               &value),
          Call(*files_, &v1::FileService::Stub::GetFileMetadata, get_all,
               &metadata),
          Call(*files_, &v1::FileService::Stub::DeleteFileMetadataKey, del,
               &deleted)}) {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr("v0.7")));
    }
    EXPECT_THAT(UpstreamRequests(), IsEmpty());
    return;
  }

  ASSERT_THAT(Call(*files_, &v1::FileService::Stub::UpdateFileMetadataKey, set,
                   &set_response),
              IsOk());
  EXPECT_EQ(set_response.value(), "integration-test");
  ASSERT_THAT(Call(*files_, &v1::FileService::Stub::GetFileMetadataKey, get_key,
                   &value),
              IsOk());
  EXPECT_EQ(value.value(), "integration-test");
  ASSERT_THAT(Call(*files_, &v1::FileService::Stub::GetFileMetadata, get_all,
                   &metadata),
              IsOk());
  EXPECT_THAT(metadata.metadata(), Contains(Pair("owner", "integration-test")));
  EXPECT_THAT(GetFile(file.uuid()).metadata(),
              Contains(Pair("owner", "integration-test")));
  ASSERT_THAT(Call(*files_, &v1::FileService::Stub::DeleteFileMetadataKey, del,
                   &deleted),
              IsOk());

  // Failures: a gone key, an unknown file, and limits checked first.
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::GetFileMetadataKey, get_key,
                   &value),
              StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::DeleteFileMetadataKey, del,
                   &deleted),
              StatusIs(absl::StatusCode::kNotFound, _));
  get_all.set_uuid(kUnknownUuid);
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::GetFileMetadata, get_all,
                   &metadata),
              StatusIs(absl::StatusCode::kNotFound, _));
  set.set_key("bad key!");
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::UpdateFileMetadataKey, set,
                   &set_response),
              NamesField("key"));
  set.set_key("owner");
  set.set_value(std::string(513, 'v'));
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::UpdateFileMetadataKey, set,
                   &set_response),
              NamesField("value"));
}

TEST_P(SurfaceTest, TagsAndSearchOnV07RefusedOnV06BeforeGoingUpstream) {
  const v1::File file = FileOfType("image/");
  v1::ReplaceFileTagsRequest tags;
  tags.set_uuid(file.uuid());
  tags.add_tags("Beta");
  tags.add_tags(" alpha ");
  v1::ReplaceFileTagsResponse tagged;
  v1::UpdateFileTagsRequest patch;
  patch.set_uuid(file.uuid());
  patch.add_add("gamma");
  patch.add_remove("alpha");
  v1::UpdateFileTagsResponse patched;
  v1::GetFileTagsRequest get;
  get.set_uuid(file.uuid());
  v1::GetFileTagsResponse read;
  v1::SearchFilesRequest search;
  search.mutable_tags()->add_all("gamma");
  search.set_is_image(true);
  v1::SearchFilesResponse found;

  if (v06()) {
    fixture_->emulator().ClearRequests();
    for (const absl::Status& status :
         {Call(*files_, &v1::FileService::Stub::ReplaceFileTags, tags, &tagged),
          Call(*files_, &v1::FileService::Stub::UpdateFileTags, patch,
               &patched),
          Call(*files_, &v1::FileService::Stub::GetFileTags, get, &read),
          Call(*files_, &v1::FileService::Stub::SearchFiles, search, &found)}) {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr("v0.7")));
    }
    EXPECT_THAT(UpstreamRequests(), IsEmpty());
    return;
  }

  // Normalized by the service, in its order; changes reported.
  ASSERT_THAT(
      Call(*files_, &v1::FileService::Stub::ReplaceFileTags, tags, &tagged),
      IsOk());
  EXPECT_THAT(tagged.tags(), ElementsAre("beta", "alpha"));
  EXPECT_THAT(tagged.added(), ElementsAre("alpha", "beta"));
  ASSERT_THAT(
      Call(*files_, &v1::FileService::Stub::UpdateFileTags, patch, &patched),
      IsOk());
  EXPECT_THAT(patched.tags(), ElementsAre("beta", "gamma"));
  EXPECT_THAT(patched.added(), ElementsAre("gamma"));
  EXPECT_THAT(patched.deleted(), ElementsAre("alpha"));
  ASSERT_THAT(Call(*files_, &v1::FileService::Stub::GetFileTags, get, &read),
              IsOk());
  EXPECT_THAT(read.tags(), ElementsAre("beta", "gamma"));
  EXPECT_THAT(GetFile(file.uuid()).tags(), ElementsAre("beta", "gamma"));

  ASSERT_THAT(
      Call(*files_, &v1::FileService::Stub::SearchFiles, search, &found),
      IsOk());
  ASSERT_THAT(found.files(), SizeIs(1));
  EXPECT_EQ(found.files(0).uuid(), file.uuid());
  ASSERT_THAT(found.highlights(), SizeIs(1));
  search.set_is_image(false);
  ASSERT_THAT(
      Call(*files_, &v1::FileService::Stub::SearchFiles, search, &found),
      IsOk());
  EXPECT_THAT(found.files(), IsEmpty());

  // Failures.
  get.set_uuid(kUnknownUuid);
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::GetFileTags, get, &read),
              StatusIs(absl::StatusCode::kNotFound, _));
  tags.set_uuid(kUnknownUuid);
  EXPECT_THAT(
      Call(*files_, &v1::FileService::Stub::ReplaceFileTags, tags, &tagged),
      StatusIs(absl::StatusCode::kNotFound, _));
  patch.add_add("no spaces allowed");
  EXPECT_THAT(
      Call(*files_, &v1::FileService::Stub::UpdateFileTags, patch, &patched),
      NamesField("add"));
  EXPECT_THAT(Call(*files_, &v1::FileService::Stub::SearchFiles,
                   v1::SearchFilesRequest(), &found),
              NamesField("query"));
}

// The result file exists as soon as the clock says the job is done: a plain
// GetFile finds it without anyone polling the job first.
// The server streams on both upstream versions: listings walk every upstream
// page, a watch of a finished job answers once and ends OK, and add-on
// watches exist only on v0.7.
TEST_P(SurfaceTest, StreamsServeBothUpstreams) {
  v1::StreamFilesRequest stream_files;
  stream_files.set_page_size(100);
  grpc::ClientContext files_context;
  auto files = files_->StreamFiles(&files_context, stream_files);
  v1::StreamFilesResponse files_message;
  int streamed_files = 0;
  while (files->Read(&files_message)) {
    EXPECT_FALSE(files_message.resume_token().empty());
    streamed_files += files_message.files_size();
  }
  const grpc::Status files_end = files->Finish();
  ASSERT_TRUE(files_end.ok()) << files_end.error_message();
  v1::ListFilesRequest list_files;
  list_files.set_page_size(1);
  v1::ListFilesResponse first_page;
  ASSERT_THAT(
      Call(*files_, &v1::FileService::Stub::ListFiles, list_files, &first_page),
      IsOk());
  EXPECT_EQ(streamed_files, first_page.total_size());
  EXPECT_GT(streamed_files, 100);  // More than one upstream page.

  v1::StreamGroupsRequest stream_groups;
  grpc::ClientContext groups_context;
  auto groups = groups_->StreamGroups(&groups_context, stream_groups);
  v1::StreamGroupsResponse groups_message;
  int streamed_groups = 0;
  while (groups->Read(&groups_message)) {
    streamed_groups += groups_message.groups_size();
  }
  const grpc::Status groups_end = groups->Finish();
  ASSERT_TRUE(groups_end.ok()) << groups_end.error_message();
  EXPECT_GT(streamed_groups, 0);

  v1::ConvertDocumentRequest convert;
  auto* conversion = convert.add_conversions();
  conversion->set_uuid(FileOfType("application/pdf").uuid());
  conversion->set_format(v1::DOCUMENT_FORMAT_PNG);
  v1::ConvertDocumentResponse jobs;
  ASSERT_THAT(Call(*conversions_, &v1::ConversionService::Stub::ConvertDocument,
                   convert, &jobs),
              IsOk());
  ASSERT_THAT(jobs.jobs(), SizeIs(1));
  clock_->Advance(absl::Minutes(1));  // The emulator finishes the job.
  v1::WatchConversionJobRequest watch;
  watch.set_kind(v1::CONVERSION_KIND_DOCUMENT);
  watch.set_token(jobs.jobs(0).token());
  grpc::ClientContext watch_context;
  auto updates = conversions_->WatchConversionJob(&watch_context, watch);
  v1::WatchConversionJobResponse update;
  ASSERT_TRUE(updates->Read(&update));
  EXPECT_EQ(update.status(), v1::CONVERSION_STATUS_FINISHED);
  EXPECT_FALSE(updates->Read(&update));
  const grpc::Status watch_end = updates->Finish();
  EXPECT_TRUE(watch_end.ok()) << watch_end.error_message();

  if (v06()) {
    v1::WatchAddonExecutionRequest addon_watch;
    addon_watch.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
    addon_watch.set_request_id("8db3c8b4-2dea-4146-bcdb-63387e2b33c1");
    grpc::ClientContext addon_context;
    auto addon = addons_->WatchAddonExecution(&addon_context, addon_watch);
    v1::WatchAddonExecutionResponse addon_update;
    EXPECT_FALSE(addon->Read(&addon_update));
    const grpc::Status refused = addon->Finish();
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(refused.error_message(),
                HasSubstr("add-ons exist only on API v0.7"));
  }
}

TEST_P(SurfaceTest, DocumentConversionResultExistsOnTheEmulatorClock) {
  const v1::File document = FileOfType("application/pdf");
  v1::ConvertDocumentRequest convert;
  auto* conversion = convert.add_conversions();
  conversion->set_uuid(document.uuid());
  conversion->set_format(v1::DOCUMENT_FORMAT_PNG);
  conversion->set_page(1);
  auto* missing = convert.add_conversions();
  missing->set_uuid(kUnknownUuid);
  missing->set_format(v1::DOCUMENT_FORMAT_PDF);
  v1::ConvertDocumentResponse jobs;
  ASSERT_THAT(Call(*conversions_, &v1::ConversionService::Stub::ConvertDocument,
                   convert, &jobs),
              IsOk());
  ASSERT_THAT(jobs.jobs(), SizeIs(1)) << jobs.DebugString();
  EXPECT_THAT(jobs.jobs(0).original_source(),
              HasSubstr(absl::StrCat(document.uuid(),
                                     "/document/-/format/png/-/page/1/")));
  // Per-path problems come back per path, not as a failed call.
  EXPECT_EQ(jobs.problems_size(), 1) << jobs.DebugString();

  v1::GetDocumentConversionStatusRequest status_request;
  status_request.set_token(jobs.jobs(0).token());
  v1::GetDocumentConversionStatusResponse status;
  ASSERT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionStatus,
                   status_request, &status),
              IsOk());
  EXPECT_EQ(status.status(), v1::CONVERSION_STATUS_PENDING);

  clock_->Advance(absl::Minutes(1));
  const v1::File result = GetFile(jobs.jobs(0).uuid());
  EXPECT_EQ(result.mime_type(), "image/png");
  ASSERT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionStatus,
                   status_request, &status),
              IsOk());
  EXPECT_EQ(status.status(), v1::CONVERSION_STATUS_FINISHED);
  EXPECT_EQ(status.result_uuid(), jobs.jobs(0).uuid());

  v1::GetDocumentConversionInfoRequest info_request;
  info_request.set_uuid(document.uuid());
  v1::GetDocumentConversionInfoResponse info;
  if (v06()) {
    // The v0.6 API has no GET /convert/document/{uuid}/.
    EXPECT_THAT(
        Call(*conversions_,
             &v1::ConversionService::Stub::GetDocumentConversionInfo,
             info_request, &info),
        StatusIs(absl::StatusCode::kFailedPrecondition,
                 HasSubstr("document conversion details exist only on API "
                           "v0.7")));
  } else {
    ASSERT_THAT(Call(*conversions_,
                     &v1::ConversionService::Stub::GetDocumentConversionInfo,
                     info_request, &info),
                IsOk());
    EXPECT_EQ(info.format(), "pdf");
    EXPECT_THAT(info.conversion_formats(), Contains("docx"));
  }

  // Failures.
  status_request.set_token(987654321);
  EXPECT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionStatus,
                   status_request, &status),
              StatusIs(absl::StatusCode::kNotFound, _));
  status_request.set_token(0);
  EXPECT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionStatus,
                   status_request, &status),
              NamesField("token"));
  info_request.set_uuid(kUnknownUuid);
  EXPECT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionInfo,
                   info_request, &info),
              StatusIs(v06() ? absl::StatusCode::kFailedPrecondition
                             : absl::StatusCode::kNotFound,
                       _));
  conversion->set_uuid("not-a-uuid");
  EXPECT_THAT(Call(*conversions_, &v1::ConversionService::Stub::ConvertDocument,
                   convert, &jobs),
              NamesField("conversions[0].uuid"));
}

TEST_P(SurfaceTest, VideoConversionThumbnailsAreAGroup) {
  const v1::File video = FileOfType("video/");
  v1::ConvertVideoRequest convert;
  auto* conversion = convert.add_conversions();
  conversion->set_uuid(video.uuid());
  conversion->set_format(v1::VIDEO_FORMAT_WEBM);
  conversion->set_quality(v1::VIDEO_QUALITY_BEST);
  conversion->mutable_size()->set_width(640);
  conversion->mutable_size()->set_height(480);
  conversion->mutable_size()->set_resize_mode(
      v1::VIDEO_RESIZE_MODE_ADD_PADDING);
  conversion->set_thumbnails(3);
  auto* not_video = convert.add_conversions();
  not_video->set_uuid(FileOfType("image/").uuid());
  v1::ConvertVideoResponse jobs;
  ASSERT_THAT(Call(*conversions_, &v1::ConversionService::Stub::ConvertVideo,
                   convert, &jobs),
              IsOk());
  ASSERT_THAT(jobs.jobs(), SizeIs(1)) << jobs.DebugString();
  EXPECT_THAT(jobs.jobs(0).original_source(),
              HasSubstr("/video/-/size/640x480/add_padding/"));
  EXPECT_EQ(jobs.problems_size(), 1) << jobs.DebugString();
  const std::string group_id = jobs.jobs(0).thumbnails_group_uuid();
  EXPECT_THAT(group_id, ::testing::EndsWith("~3"));

  clock_->Advance(absl::Minutes(1));
  v1::GetVideoConversionStatusRequest status_request;
  status_request.set_token(jobs.jobs(0).token());
  v1::GetVideoConversionStatusResponse status;
  ASSERT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetVideoConversionStatus,
                   status_request, &status),
              IsOk());
  EXPECT_EQ(status.status(), v1::CONVERSION_STATUS_FINISHED);
  EXPECT_EQ(status.thumbnails_group_uuid(), group_id);
  EXPECT_EQ(GetFile(status.result_uuid()).mime_type(), "video/webm");

  v1::GetGroupRequest get;
  get.set_id(group_id);
  v1::GetGroupResponse group;
  ASSERT_THAT(Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group),
              IsOk());
  ASSERT_THAT(group.group().files(), SizeIs(3));
  for (const auto& entry : group.group().files()) {
    EXPECT_FALSE(entry.removed());
    EXPECT_EQ(entry.file().mime_type(), "image/jpeg");
    EXPECT_THAT(entry.file().original_filename(), HasSubstr("-thumb-"));
  }

  // Failures.
  status_request.set_token(987654321);
  EXPECT_THAT(Call(*conversions_,
                   &v1::ConversionService::Stub::GetVideoConversionStatus,
                   status_request, &status),
              StatusIs(absl::StatusCode::kNotFound, _));
  conversion->mutable_size()->set_width(642);
  EXPECT_THAT(Call(*conversions_, &v1::ConversionService::Stub::ConvertVideo,
                   convert, &jobs),
              NamesField("conversions[0].size"));
}

TEST_P(SurfaceTest, AddonsRunOnV07AndAreRefusedOnV06) {
  const v1::File image = FileOfType("image/");
  v1::ExecuteAddonRequest execute;
  execute.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  execute.set_target(image.uuid());
  execute.mutable_clamav_virus_scan()->set_purge_infected(false);
  v1::ExecuteAddonResponse started;
  v1::GetAddonExecutionStatusRequest status_request;
  status_request.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  status_request.set_request_id(kUnknownUuid);
  v1::GetAddonExecutionStatusResponse status;

  if (v06()) {
    fixture_->emulator().ClearRequests();
    EXPECT_THAT(
        Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute,
             &started),
        StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("v0.7")));
    EXPECT_THAT(
        Call(*addons_, &v1::AddonService::Stub::GetAddonExecutionStatus,
             status_request, &status),
        StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("v0.7")));
    EXPECT_THAT(UpstreamRequests(), IsEmpty());
    return;
  }

  ASSERT_THAT(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started),
      IsOk());
  ASSERT_FALSE(started.request_id().empty());
  // A second run on the same file while one runs: the service's 409.
  EXPECT_THAT(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started),
      StatusIs(absl::StatusCode::kAborted, HasSubstr("already")));

  status_request.set_request_id(started.request_id());
  ASSERT_THAT(Call(*addons_, &v1::AddonService::Stub::GetAddonExecutionStatus,
                   status_request, &status),
              IsOk());
  EXPECT_EQ(status.status(), v1::ADDON_EXECUTION_STATUS_IN_PROGRESS);
  clock_->Advance(absl::Minutes(1));
  // The result is in appdata as soon as the run is done on the clock.
  v1::GetFileRequest get;
  get.set_uuid(image.uuid());
  get.set_include_appdata(true);
  v1::GetFileResponse file;
  ASSERT_THAT(Call(*files_, &v1::FileService::Stub::GetFile, get, &file),
              IsOk());
  EXPECT_TRUE(file.file().appdata().contains("uc_clamav_virus_scan"));
  ASSERT_THAT(Call(*addons_, &v1::AddonService::Stub::GetAddonExecutionStatus,
                   status_request, &status),
              IsOk());
  EXPECT_EQ(status.status(), v1::ADDON_EXECUTION_STATUS_DONE);

  // Failures.
  status_request.set_request_id("nope");
  EXPECT_THAT(Call(*addons_, &v1::AddonService::Stub::GetAddonExecutionStatus,
                   status_request, &status),
              NamesField("request_id"));
  execute.set_addon(v1::ADDON_REMOVE_BG);  // params of another add-on
  EXPECT_THAT(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started),
      NamesField("params"));
  execute.set_addon(v1::ADDON_AWS_REKOGNITION_DETECT_LABELS);
  execute.clear_clamav_virus_scan();
  execute.set_target(kUnknownUuid);
  EXPECT_THAT(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started),
      StatusIs(absl::StatusCode::kNotFound, _));
}

}  // namespace
}  // namespace ucgate::testing
