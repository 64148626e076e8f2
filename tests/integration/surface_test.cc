// The REST surface beyond files, through the gateway to the emulator: groups,
// project, webhooks, conversions and add-ons (jobs moved by the emulator's
// clock, no sleeps), file metadata, tags and search.
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
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
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// Calls `method` on `stub` with a 10 s deadline; OK or the gRPC error.
template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  return (stub.*method)(&context, request, response);
}

class SurfaceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(ApiVersion::kV07); }

  void Start(ApiVersion version) {
    clock_ = std::make_shared<ManualClock>(absl::Now());
    GatewaySetup setup;
    setup.api_version = version;
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

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<GatewayFixture> fixture_;
  std::unique_ptr<v1::FileService::Stub> files_;
  std::unique_ptr<v1::GroupService::Stub> groups_;
  std::unique_ptr<v1::ProjectService::Stub> project_;
  std::unique_ptr<v1::WebhookService::Stub> webhooks_;
  std::unique_ptr<v1::ConversionService::Stub> conversions_;
  std::unique_ptr<v1::AddonService::Stub> addons_;
};

TEST_F(SurfaceTest, ProjectNeverCarriesASecret) {
  v1::GetProjectResponse response;
  ASSERT_TRUE(Call(*project_, &v1::ProjectService::Stub::GetProject,
                   v1::GetProjectRequest(), &response)
                  .ok());
  EXPECT_EQ(response.project().pub_key(), kPublicKey);
  EXPECT_FALSE(response.project().name().empty());
  EXPECT_THAT(response.SerializeAsString(), Not(HasSubstr(kSecretKey)));
}

TEST_F(SurfaceTest, GroupsListGetStoreDelete) {
  v1::ListGroupsRequest list;
  list.set_page_size(5);
  v1::ListGroupsResponse page;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::ListGroups, list, &page).ok());
  ASSERT_THAT(page.groups(), SizeIs(5));
  EXPECT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  v1::ListGroupsResponse next;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::ListGroups, list, &next).ok());
  EXPECT_NE(next.groups(0).id(), page.groups(0).id());

  const std::string id = page.groups(0).id();
  v1::GetGroupRequest get;
  get.set_id(id);
  v1::GetGroupResponse group;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group).ok());
  EXPECT_EQ(group.group().files_size(), group.group().files_count());

  v1::StoreGroupRequest store;
  store.set_id(id);
  v1::StoreGroupResponse stored;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::StoreGroup, store, &stored).ok());
  for (const auto& entry : stored.group().files()) {
    if (!entry.removed()) EXPECT_TRUE(entry.file().has_datetime_stored());
  }

  v1::DeleteGroupRequest del;
  del.set_id(id);
  v1::DeleteGroupResponse deleted;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::DeleteGroup, del, &deleted).ok());
  grpc::Status gone =
      Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);

  get.set_id("not-a-group");
  EXPECT_EQ(Call(*groups_, &v1::GroupService::Stub::GetGroup, get, &group)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SurfaceTest, WebhooksLifecycleKeepsTheSecretWriteOnly) {
  v1::CreateWebhookRequest create;
  create.set_target_url("https://hooks.example.com/uploadcare");
  create.set_event(v1::WEBHOOK_EVENT_FILE_UPLOADED);
  create.set_signing_secret("s3cr3t-signing");
  v1::CreateWebhookResponse created;
  ASSERT_TRUE(Call(*webhooks_, &v1::WebhookService::Stub::CreateWebhook, create,
                   &created)
                  .ok());
  EXPECT_GT(created.webhook().id(), 0);
  EXPECT_TRUE(created.webhook().has_signing_secret());
  EXPECT_THAT(created.SerializeAsString(), Not(HasSubstr("s3cr3t-signing")));

  v1::UpdateWebhookRequest update;
  update.set_id(created.webhook().id());
  update.set_is_active(false);
  v1::UpdateWebhookResponse updated;
  ASSERT_TRUE(Call(*webhooks_, &v1::WebhookService::Stub::UpdateWebhook, update,
                   &updated)
                  .ok());
  EXPECT_FALSE(updated.webhook().is_active());

  v1::ListWebhooksResponse listed;
  ASSERT_TRUE(Call(*webhooks_, &v1::WebhookService::Stub::ListWebhooks,
                   v1::ListWebhooksRequest(), &listed)
                  .ok());
  ASSERT_THAT(listed.webhooks(), SizeIs(1));
  EXPECT_EQ(listed.webhooks(0).target_url(),
            "https://hooks.example.com/uploadcare");

  v1::DeleteWebhookRequest del;
  del.set_target_url("https://hooks.example.com/uploadcare");
  v1::DeleteWebhookResponse deleted;
  ASSERT_TRUE(
      Call(*webhooks_, &v1::WebhookService::Stub::DeleteWebhook, del, &deleted)
          .ok());
  ASSERT_TRUE(Call(*webhooks_, &v1::WebhookService::Stub::ListWebhooks,
                   v1::ListWebhooksRequest(), &listed)
                  .ok());
  EXPECT_THAT(listed.webhooks(), IsEmpty());

  create.set_target_url("ftp://nope");
  EXPECT_EQ(Call(*webhooks_, &v1::WebhookService::Stub::CreateWebhook, create,
                 &created)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SurfaceTest, MetadataTagsAndSearch) {
  v1::File file = FileOfType("image/");
  v1::UpdateFileMetadataKeyRequest set;
  set.set_uuid(file.uuid());
  set.set_key("owner");
  set.set_value("integration-test");
  v1::UpdateFileMetadataKeyResponse set_response;
  ASSERT_TRUE(Call(*files_, &v1::FileService::Stub::UpdateFileMetadataKey, set,
                   &set_response)
                  .ok());
  EXPECT_EQ(set_response.value(), "integration-test");

  v1::GetFileMetadataKeyRequest get_key;
  get_key.set_uuid(file.uuid());
  get_key.set_key("owner");
  v1::GetFileMetadataKeyResponse value;
  ASSERT_TRUE(
      Call(*files_, &v1::FileService::Stub::GetFileMetadataKey, get_key, &value)
          .ok());
  EXPECT_EQ(value.value(), "integration-test");

  v1::ReplaceFileTagsRequest tags;
  tags.set_uuid(file.uuid());
  tags.add_tags("beta");
  tags.add_tags("alpha");
  v1::ReplaceFileTagsResponse tagged;
  ASSERT_TRUE(
      Call(*files_, &v1::FileService::Stub::ReplaceFileTags, tags, &tagged)
          .ok());
  EXPECT_THAT(tagged.tags(), ElementsAre("alpha", "beta"));
  v1::UpdateFileTagsRequest patch;
  patch.set_uuid(file.uuid());
  patch.add_add("gamma");
  patch.add_remove("alpha");
  v1::UpdateFileTagsResponse patched;
  ASSERT_TRUE(
      Call(*files_, &v1::FileService::Stub::UpdateFileTags, patch, &patched)
          .ok());
  EXPECT_THAT(patched.tags(), ElementsAre("beta", "gamma"));

  v1::SearchFilesRequest search;
  (*search.mutable_metadata())["owner"] = "integration-test";
  search.add_tags("gamma");
  v1::SearchFilesResponse found;
  ASSERT_TRUE(
      Call(*files_, &v1::FileService::Stub::SearchFiles, search, &found).ok());
  ASSERT_THAT(found.files(), SizeIs(1));
  EXPECT_EQ(found.files(0).uuid(), file.uuid());

  v1::DeleteFileMetadataKeyRequest del;
  del.set_uuid(file.uuid());
  del.set_key("owner");
  v1::DeleteFileMetadataKeyResponse deleted;
  ASSERT_TRUE(Call(*files_, &v1::FileService::Stub::DeleteFileMetadataKey, del,
                   &deleted)
                  .ok());
  EXPECT_EQ(
      Call(*files_, &v1::FileService::Stub::GetFileMetadataKey, get_key, &value)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  set.set_key("bad key!");
  EXPECT_EQ(Call(*files_, &v1::FileService::Stub::UpdateFileMetadataKey, set,
                 &set_response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SurfaceTest, DocumentConversionFinishesOnTheEmulatorClock) {
  v1::File document = FileOfType("application/pdf");
  v1::ConvertDocumentRequest convert;
  auto* conversion = convert.add_conversions();
  conversion->set_uuid(document.uuid());
  conversion->set_format(v1::DOCUMENT_FORMAT_PDF);
  v1::ConvertDocumentResponse jobs;
  ASSERT_TRUE(Call(*conversions_, &v1::ConversionService::Stub::ConvertDocument,
                   convert, &jobs)
                  .ok());
  ASSERT_THAT(jobs.jobs(), SizeIs(1)) << jobs.DebugString();
  EXPECT_THAT(
      jobs.jobs(0).original_source(),
      HasSubstr(absl::StrCat(document.uuid(), "/document/-/format/pdf/")));

  v1::GetDocumentConversionStatusRequest status_request;
  status_request.set_token(jobs.jobs(0).token());
  v1::GetDocumentConversionStatusResponse status;
  ASSERT_TRUE(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionStatus,
                   status_request, &status)
                  .ok());
  EXPECT_NE(status.status(), v1::CONVERSION_STATUS_FINISHED);
  clock_->Advance(absl::Minutes(1));
  ASSERT_TRUE(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionStatus,
                   status_request, &status)
                  .ok());
  EXPECT_EQ(status.status(), v1::CONVERSION_STATUS_FINISHED);
  v1::GetFileRequest get;
  get.set_uuid(status.result_uuid().empty() ? jobs.jobs(0).uuid()
                                            : status.result_uuid());
  v1::GetFileResponse result;
  EXPECT_TRUE(
      Call(*files_, &v1::FileService::Stub::GetFile, get, &result).ok());
}

TEST_F(SurfaceTest, AddonResultsLandInAppdata) {
  v1::File image = FileOfType("image/");
  v1::ExecuteAddonRequest execute;
  execute.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  execute.set_target(image.uuid());
  execute.mutable_clamav_virus_scan()->set_purge_infected(false);
  v1::ExecuteAddonResponse started;
  ASSERT_TRUE(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started)
          .ok());
  ASSERT_FALSE(started.request_id().empty());

  v1::GetAddonExecutionStatusRequest status_request;
  status_request.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
  status_request.set_request_id(started.request_id());
  clock_->Advance(absl::Minutes(1));
  v1::GetAddonExecutionStatusResponse status;
  ASSERT_TRUE(Call(*addons_, &v1::AddonService::Stub::GetAddonExecutionStatus,
                   status_request, &status)
                  .ok());
  EXPECT_EQ(status.status(), v1::ADDON_EXECUTION_STATUS_DONE);
  v1::GetFileRequest get;
  get.set_uuid(image.uuid());
  get.set_include_appdata(true);
  v1::GetFileResponse file;
  ASSERT_TRUE(Call(*files_, &v1::FileService::Stub::GetFile, get, &file).ok());
  EXPECT_TRUE(file.file().appdata().contains("uc_clamav_virus_scan"));

  execute.set_addon(v1::ADDON_REMOVE_BG);  // params of another add-on
  EXPECT_EQ(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SurfaceTest, VideoConversionAndDocumentInfo) {
  v1::File video = FileOfType("video/");
  v1::ConvertVideoRequest convert;
  auto* conversion = convert.add_conversions();
  conversion->set_uuid(video.uuid());
  conversion->set_format(v1::VIDEO_FORMAT_WEBM);
  conversion->set_quality(v1::VIDEO_QUALITY_BEST);
  conversion->mutable_size()->set_width(640);
  conversion->mutable_size()->set_height(480);
  conversion->mutable_size()->set_resize_mode(
      v1::VIDEO_RESIZE_MODE_ADD_PADDING);
  conversion->set_thumbnails(2);
  v1::ConvertVideoResponse jobs;
  ASSERT_TRUE(Call(*conversions_, &v1::ConversionService::Stub::ConvertVideo,
                   convert, &jobs)
                  .ok());
  ASSERT_THAT(jobs.jobs(), SizeIs(1)) << jobs.DebugString();
  EXPECT_THAT(jobs.jobs(0).original_source(),
              HasSubstr("/video/-/size/640x480/add_padding/"));
  v1::GetVideoConversionStatusRequest status_request;
  status_request.set_token(jobs.jobs(0).token());
  clock_->Advance(absl::Minutes(1));
  v1::GetVideoConversionStatusResponse status;
  ASSERT_TRUE(Call(*conversions_,
                   &v1::ConversionService::Stub::GetVideoConversionStatus,
                   status_request, &status)
                  .ok());
  EXPECT_EQ(status.status(), v1::CONVERSION_STATUS_FINISHED);

  v1::GetDocumentConversionInfoRequest info_request;
  info_request.set_uuid(FileOfType("application/pdf").uuid());
  v1::GetDocumentConversionInfoResponse info;
  ASSERT_TRUE(Call(*conversions_,
                   &v1::ConversionService::Stub::GetDocumentConversionInfo,
                   info_request, &info)
                  .ok());
  EXPECT_FALSE(info.format().empty());
  EXPECT_THAT(info.conversion_formats(), Not(IsEmpty()));

  // Per-path problems come back per path, not as a failed call.
  v1::ConvertDocumentRequest impossible;
  auto* bad = impossible.add_conversions();
  bad->set_uuid(video.uuid());
  bad->set_format(v1::DOCUMENT_FORMAT_XLSX);
  v1::ConvertDocumentResponse refused;
  ASSERT_TRUE(Call(*conversions_, &v1::ConversionService::Stub::ConvertDocument,
                   impossible, &refused)
                  .ok());
  EXPECT_THAT(refused.jobs(), IsEmpty());
  EXPECT_EQ(refused.problems_size(), 1);
}

TEST_F(SurfaceTest, ReadsAndFailuresOfTheRest) {
  v1::File file = FileOfType("image/");
  v1::GetFileMetadataRequest metadata_request;
  metadata_request.set_uuid(file.uuid());
  v1::GetFileMetadataResponse metadata;
  ASSERT_TRUE(Call(*files_, &v1::FileService::Stub::GetFileMetadata,
                   metadata_request, &metadata)
                  .ok());
  EXPECT_EQ(metadata.metadata().size(), file.metadata().size());
  v1::GetFileTagsRequest tags_request;
  tags_request.set_uuid(file.uuid());
  v1::GetFileTagsResponse tags;
  ASSERT_TRUE(
      Call(*files_, &v1::FileService::Stub::GetFileTags, tags_request, &tags)
          .ok());

  constexpr char kUnknown[] = "00000000-0000-4000-8000-000000000000";
  metadata_request.set_uuid(kUnknown);
  EXPECT_EQ(Call(*files_, &v1::FileService::Stub::GetFileMetadata,
                 metadata_request, &metadata)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::DeleteGroupRequest group;
  group.set_id(absl::StrCat(kUnknown, "~2"));
  v1::DeleteGroupResponse deleted;
  EXPECT_EQ(
      Call(*groups_, &v1::GroupService::Stub::DeleteGroup, group, &deleted)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::UpdateWebhookRequest webhook;
  webhook.set_id(424242);
  webhook.set_is_active(true);
  v1::UpdateWebhookResponse updated;
  EXPECT_EQ(Call(*webhooks_, &v1::WebhookService::Stub::UpdateWebhook, webhook,
                 &updated)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A second run of an add-on on the same file while one runs: ABORTED (409).
  v1::ExecuteAddonRequest execute;
  execute.set_addon(v1::ADDON_AWS_REKOGNITION_DETECT_LABELS);
  execute.set_target(file.uuid());
  v1::ExecuteAddonResponse started;
  ASSERT_TRUE(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started)
          .ok());
  EXPECT_EQ(
      Call(*addons_, &v1::AddonService::Stub::ExecuteAddon, execute, &started)
          .error_code(),
      grpc::StatusCode::ABORTED);
  v1::GetAddonExecutionStatusRequest status;
  status.set_addon(v1::ADDON_AWS_REKOGNITION_DETECT_LABELS);
  status.set_request_id("nope");
  v1::GetAddonExecutionStatusResponse status_response;
  EXPECT_EQ(Call(*addons_, &v1::AddonService::Stub::GetAddonExecutionStatus,
                 status, &status_response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SurfaceTest, V06ProjectsStoreGroupsUpstreamAndRefuseMetadata) {
  Start(ApiVersion::kV06);
  v1::ListGroupsRequest list;
  list.set_page_size(1);
  v1::ListGroupsResponse page;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::ListGroups, list, &page).ok());
  ASSERT_THAT(page.groups(), SizeIs(1));
  v1::StoreGroupRequest store;
  store.set_id(page.groups(0).id());
  v1::StoreGroupResponse stored;
  ASSERT_TRUE(
      Call(*groups_, &v1::GroupService::Stub::StoreGroup, store, &stored).ok());
  fixture_->emulator().ClearRequests();
  v1::GetFileMetadataRequest metadata;
  metadata.set_uuid(FileOfType("image/").uuid());
  v1::GetFileMetadataResponse response;
  EXPECT_EQ(Call(*files_, &v1::FileService::Stub::GetFileMetadata, metadata,
                 &response)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(fixture_->emulator().requests(), IsEmpty());
}

}  // namespace
}  // namespace ucgate::testing
