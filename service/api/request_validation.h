// Checks requests before anything is scheduled or sent upstream: bad input is
// INVALID_ARGUMENT naming the field (google.rpc.BadRequest); an RPC the
// project's API version lacks is FAILED_PRECONDITION. The gateway runs these
// on the reactor thread.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"
#include "uploadcare/gateway/v1/project_service.pb.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

namespace ucgate::api {

namespace v1 = ::uploadcare::gateway::v1;

// FileService (file_request_validation.cc).
absl::Status ValidateRequest(const v1::ListFilesRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetFileRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::StoreFileRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::DeleteFileRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::BatchStoreFilesRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::BatchDeleteFilesRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::CopyFileToLocalStorageRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::CopyFileToRemoteStorageRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetFileMetadataRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetFileMetadataKeyRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::UpdateFileMetadataKeyRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::DeleteFileMetadataKeyRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetFileTagsRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::ReplaceFileTagsRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::UpdateFileTagsRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::SearchFilesRequest& request,
                             ApiVersion version);

// GroupService and ProjectService (group_request_validation.cc).
absl::Status ValidateRequest(const v1::ListGroupsRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetGroupRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::DeleteGroupRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::StoreGroupRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetProjectRequest& request,
                             ApiVersion version);

// WebhookService (webhook_request_validation.cc).
absl::Status ValidateRequest(const v1::ListWebhooksRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::CreateWebhookRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::UpdateWebhookRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::DeleteWebhookRequest& request,
                             ApiVersion version);

// ConversionService (conversion_request_validation.cc).
absl::Status ValidateRequest(const v1::ConvertDocumentRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(
    const v1::GetDocumentConversionStatusRequest& request, ApiVersion version);
absl::Status ValidateRequest(
    const v1::GetDocumentConversionInfoRequest& request, ApiVersion version);
absl::Status ValidateRequest(const v1::ConvertVideoRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetVideoConversionStatusRequest& request,
                             ApiVersion version);

// AddonService (addon_request_validation.cc).
absl::Status ValidateRequest(const v1::ExecuteAddonRequest& request,
                             ApiVersion version);
absl::Status ValidateRequest(const v1::GetAddonExecutionStatusRequest& request,
                             ApiVersion version);

// Checks the validators share (file_request_validation.cc).
// UUIDs in the canonical form; INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateUuid(absl::string_view field, absl::string_view uuid);
// 0 (the default) up to kMaxPageSize.
absl::Status ValidatePageSize(int32_t page_size);
// Keys of 1..64 characters of [A-Za-z0-9_.:-]; values 1..512 characters; at
// most 50 keys.
absl::Status ValidateMetadata(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& metadata);

}  // namespace ucgate::api
