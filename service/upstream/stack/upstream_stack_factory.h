// The one place the upstream stack of a project is composed, for every
// service:
//   Caching -> Retrying -> Logging -> Rest* (through RestClient, which signs
//   each attempt) -> HttpClient,
// and for files, batch splitting between the cache and the retries, so that
// each upstream batch is retried alone:
//   Caching -> BatchSplitting -> Retrying -> Logging -> RestFile.
// GroupService's v0.7 StoreGroup stores through that BatchSplitting layer.
// With metrics, a metrics layer sits beside logging (every attempt counted)
// and the retries report their reasons:
//   Caching -> Retrying -> Metrics -> Logging -> Rest*.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "service/cache/file_info_cache.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/common/executor.h"
#include "service/observability/gateway_metrics.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/operations.h"
#include "service/upstream/stack/batch_splitting.h"
#include "service/upstream/stack/retrying.h"

namespace ucgate::upstream {

struct ProjectUpstreamOptions {
  std::string project_name;
  std::string base_url;
  ApiVersion api_version = ApiVersion::kV07;
  auth::AuthScheme auth_scheme = auth::AuthScheme::kSigned;
  auth::Credentials credentials;
  // When set, the keys of each attempt (watched key files); `credentials`
  // is then unused.
  auth::CredentialsSource credentials_source;
  RetryOptions retry;
  BatchSplitOptions batch;
  // Helper threads for batch chunks, shared by every project; null: each
  // batch runs its chunks on the calling thread only.
  std::shared_ptr<Executor> chunk_executor;
  // The gateway's one file-info cache; null: no caching.
  std::shared_ptr<cache::FileInfoCache> file_info_cache;
  // The gateway's metrics (ucgate_upstream_*, retries, batch chunks); null:
  // none.
  std::shared_ptr<observability::GatewayMetrics> metrics;
};

// Every service's operations for one project. A service left null answers
// UNIMPLEMENTED (tests serve only the services they need).
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

  // The member of `Interface`'s kind (OperationsOf<FileOperations>() is
  // files.get()).
  template <typename Interface>
  Interface* OperationsOf() const {
    if constexpr (std::is_same_v<Interface, FileOperations>) {
      return files.get();
    } else if constexpr (std::is_same_v<Interface, GroupOperations>) {
      return groups.get();
    } else if constexpr (std::is_same_v<Interface, ProjectOperations>) {
      return project.get();
    } else if constexpr (std::is_same_v<Interface, WebhookOperations>) {
      return webhooks.get();
    } else if constexpr (std::is_same_v<Interface, ConversionOperations>) {
      return conversions.get();
    } else {
      static_assert(std::is_same_v<Interface, AddonOperations>);
      return addons.get();
    }
  }
};

absl::StatusOr<ProjectUpstream> MakeProjectUpstream(
    ProjectUpstreamOptions options,
    std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, Sleeper sleeper = RealSleeper(),
    RandomSource random = RealRandomSource());

}  // namespace ucgate::upstream
