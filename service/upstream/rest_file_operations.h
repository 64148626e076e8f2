// The bottom of the file operations stack: turns each FileService request
// into signed REST calls (URL, query and JSON body as the API version wants
// them, through RestClient, which signs every attempt) and maps the answer
// back.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/rest_client.h"

namespace ucgate::upstream {

// Serves FileService over `rest` (one per project).
std::unique_ptr<FileOperations> MakeRestFileOperations(
    std::shared_ptr<const RestClient> rest);

}  // namespace ucgate::upstream
