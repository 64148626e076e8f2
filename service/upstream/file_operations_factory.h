// The one place the upstream stack of a project is composed:
//   Retrying -> Logging -> Rest (signs each attempt) -> HttpClient.
// Later layers (cache, metrics) slot in here.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/decorators.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::upstream {

struct ProjectUpstreamOptions {
  std::string project_name;
  std::string base_url;
  ApiVersion api_version = ApiVersion::kV07;
  auth::AuthScheme auth_scheme = auth::AuthScheme::kSigned;
  auth::Credentials credentials;
  RetryOptions retry;
};

// Production sleeper and jitter source.
Sleeper RealSleeper();
RandomSource RealRandomSource();

absl::StatusOr<std::shared_ptr<FileOperations>> MakeFileOperations(
    ProjectUpstreamOptions options,
    std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, Sleeper sleeper = RealSleeper(),
    RandomSource random = RealRandomSource());

}  // namespace ucgate::upstream
