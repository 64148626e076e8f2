// The file operations of one Uploadcare project, as one interface that every
// layer of the upstream path implements: the REST stub at the bottom, and the
// retry and logging (later caching and metrics) decorators above it. The gRPC
// handlers call the top of that stack, so each layer can be faked alone.
#pragma once

#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

// FileService's operations: (RPC, idempotent). Copies are not idempotent (a
// retry would copy twice); everything else may be retried.
#define UCGATE_FILE_OPERATIONS(X)      \
  X(ListFiles, true)                   \
  X(GetFile, true)                     \
  X(StoreFile, true)                   \
  X(DeleteFile, true)                  \
  X(BatchStoreFiles, true)             \
  X(BatchDeleteFiles, true)            \
  X(CopyFileToLocalStorage, false)     \
  X(CopyFileToRemoteStorage, false)    \
  X(GetFileMetadata, true)             \
  X(GetFileMetadataKey, true)          \
  X(UpdateFileMetadataKey, true)       \
  X(DeleteFileMetadataKey, true)       \
  X(GetFileTags, true)                 \
  X(ReplaceFileTags, true)             \
  X(UpdateFileTags, true)              \
  X(SearchFiles, true)

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

// Each method serves the FileService RPC of the same name. Requests arrive
// validated (see file_request_validation.h).
class FileOperations {
 public:
  virtual ~FileOperations() = default;
  UCGATE_FILE_OPERATIONS(UCGATE_DECLARE_OPERATION)
};

}  // namespace ucgate::upstream
