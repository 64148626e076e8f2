// gMock of FileOperations, for tests of the layers above the upstream stack.
#pragma once

#include "gmock/gmock.h"
#include "service/upstream/file_operations.h"

namespace ucgate::testing {

namespace v1 = ::uploadcare::gateway::v1;
using upstream::CallContext;

class MockFileOperations : public upstream::FileOperations {
 public:
  MOCK_METHOD(absl::StatusOr<v1::ListFilesResponse>, ListFiles,
              (const CallContext&, const v1::ListFilesRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::GetFileResponse>, GetFile,
              (const CallContext&, const v1::GetFileRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::StoreFileResponse>, StoreFile,
              (const CallContext&, const v1::StoreFileRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::DeleteFileResponse>, DeleteFile,
              (const CallContext&, const v1::DeleteFileRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::BatchStoreFilesResponse>, BatchStoreFiles,
              (const CallContext&, const v1::BatchStoreFilesRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::BatchDeleteFilesResponse>, BatchDeleteFiles,
              (const CallContext&, const v1::BatchDeleteFilesRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::CopyFileToLocalStorageResponse>,
              CopyFileToLocalStorage,
              (const CallContext&, const v1::CopyFileToLocalStorageRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::CopyFileToRemoteStorageResponse>,
              CopyFileToRemoteStorage,
              (const CallContext&, const v1::CopyFileToRemoteStorageRequest&),
              (override));
};

}  // namespace ucgate::testing
