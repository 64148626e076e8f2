// The bottom of the upstream stack: turns each FileService request into one
// signed REST call (URL, query and JSON body as the API version wants them),
// and maps the answer, or its error, back. Signing happens here, so every
// attempt of a retried call carries a fresh Date and signature.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::upstream {

struct RestOptions {
  // The gateway's name of the project (part of page-token fingerprints).
  std::string project_name;
  // e.g. "https://api.uploadcare.com" (a path prefix is kept and signed).
  std::string base_url;
  ApiVersion api_version = ApiVersion::kV07;
};

absl::StatusOr<std::unique_ptr<FileOperations>> MakeRestFileOperations(
    RestOptions options, std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const auth::RequestSigner> signer,
    std::shared_ptr<const Clock> clock);

}  // namespace ucgate::upstream
