// Checks FileService requests before anything is scheduled or sent upstream:
// bad input is INVALID_ARGUMENT naming the field (google.rpc.BadRequest).
#pragma once

#include "absl/status/status.h"
#include "service/common/api_version.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

// Largest page the upstream serves.
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultPageSize = 100;
// Largest batch the upstream accepts in one request.
inline constexpr int kMaxBatchSize = 100;
// Most UUIDs one BatchStoreFiles / BatchDeleteFiles call takes; the gateway
// splits them into upstream batches of kMaxBatchSize (batch_splitting.h).
// 10,000 is 100 upstream requests, about a megabyte of answer: beyond it a
// caller is better served by several calls (and deadlines stay meaningful).
inline constexpr int kMaxBatchUuids = 10000;

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

// UUIDs in the canonical form; INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateUuid(absl::string_view field, absl::string_view uuid);
// 0 (the default) up to kMaxPageSize.
absl::Status ValidatePageSize(int32_t page_size);

// Metadata keys: 1..64 characters of [A-Za-z0-9_.:-]; values 1..512
// characters; at most 50 keys (v0.7 limits).
absl::Status ValidateMetadata(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& metadata);

}  // namespace ucgate::upstream
