// The one place the upstream stack of a project is composed, per service:
//   Retrying -> Logging -> Rest* (through RestClient, which signs each
//   attempt) -> HttpClient.
// Later layers (cache, metrics) slot in here.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/decorators.h"
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

// Every service's operations for one project. A service whose REST stub does
// not exist yet is null, and its RPCs answer UNIMPLEMENTED.
struct ProjectUpstream {
  std::shared_ptr<FileOperations> files;
  std::shared_ptr<GroupOperations> groups;
  std::shared_ptr<ProjectOperations> project;
  std::shared_ptr<WebhookOperations> webhooks;
  std::shared_ptr<ConversionOperations> conversions;
  std::shared_ptr<AddonOperations> addons;
};

// Production sleeper and jitter source.
Sleeper RealSleeper();
RandomSource RealRandomSource();

absl::StatusOr<ProjectUpstream> MakeProjectUpstream(
    ProjectUpstreamOptions options,
    std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, Sleeper sleeper = RealSleeper(),
    RandomSource random = RealRandomSource());

}  // namespace ucgate::upstream
