// The one place the upstream stack of a project is composed, per service:
//   [Caching ->] Retrying -> Logging -> Rest* (through RestClient, which
//   signs each attempt) -> HttpClient,
// and for files, batch splitting between the cache and the retries, so each
// upstream batch is retried alone:
//   [Caching ->] BatchSplitting -> Retrying -> Logging -> RestFile.
// GroupService's v0.7 StoreGroup stores through that BatchSplitting layer;
// groups and add-ons get the cache's invalidating decorators.
// Later layers (metrics) slot in here.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/cache/file_info_cache.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/stack/batch_splitting.h"
#include "service/upstream/stack/retrying.h"

namespace ucgate::upstream {

struct ProjectUpstreamOptions {
  std::string project_name;
  std::string base_url;
  ApiVersion api_version = ApiVersion::kV07;
  auth::AuthScheme auth_scheme = auth::AuthScheme::kSigned;
  auth::Credentials credentials;
  RetryOptions retry;
  BatchSplitOptions batch;
  // Helper threads for batch chunks, shared by every project; null: each
  // batch runs its chunks on the calling thread only.
  std::shared_ptr<BlockingExecutor> chunk_executor;
  // The gateway's one file-info cache; null: no caching.
  std::shared_ptr<cache::FileInfoCache> file_info_cache;
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
  // The cache the stack uses (shared by every project), for its counters;
  // null when caching is off.
  std::shared_ptr<cache::FileInfoCache> file_info_cache;
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
