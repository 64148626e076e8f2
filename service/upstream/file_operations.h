// The file operations of one Uploadcare project, as one interface that every
// layer of the upstream path implements: the REST stub at the bottom, and the
// retry, logging (and later caching and metrics) decorators above it. The
// gRPC handlers call the top of that stack, so each layer can be faked alone.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

// What one caller's call brings down the stack.
struct CallContext {
  // The caller's gRPC deadline; bounds every attempt and every backoff.
  absl::Time deadline = absl::InfiniteFuture();
  // True once the caller has gone away; aborts upstream transfers.
  std::function<bool()> is_cancelled;
};

// Each method serves the FileService RPC of the same name. Requests arrive
// validated (see file_request_validation.h).
class FileOperations {
 public:
  virtual ~FileOperations() = default;

  virtual absl::StatusOr<v1::ListFilesResponse> ListFiles(
      const CallContext& context, const v1::ListFilesRequest& request) = 0;
  virtual absl::StatusOr<v1::GetFileResponse> GetFile(
      const CallContext& context, const v1::GetFileRequest& request) = 0;
  virtual absl::StatusOr<v1::StoreFileResponse> StoreFile(
      const CallContext& context, const v1::StoreFileRequest& request) = 0;
  virtual absl::StatusOr<v1::DeleteFileResponse> DeleteFile(
      const CallContext& context, const v1::DeleteFileRequest& request) = 0;
  virtual absl::StatusOr<v1::BatchStoreFilesResponse> BatchStoreFiles(
      const CallContext& context,
      const v1::BatchStoreFilesRequest& request) = 0;
  virtual absl::StatusOr<v1::BatchDeleteFilesResponse> BatchDeleteFiles(
      const CallContext& context,
      const v1::BatchDeleteFilesRequest& request) = 0;
  virtual absl::StatusOr<v1::CopyFileToLocalStorageResponse>
  CopyFileToLocalStorage(const CallContext& context,
                         const v1::CopyFileToLocalStorageRequest& request) = 0;
  virtual absl::StatusOr<v1::CopyFileToRemoteStorageResponse>
  CopyFileToRemoteStorage(
      const CallContext& context,
      const v1::CopyFileToRemoteStorageRequest& request) = 0;
};

}  // namespace ucgate::upstream
