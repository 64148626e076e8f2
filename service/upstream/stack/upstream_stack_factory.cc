#include "service/upstream/stack/upstream_stack_factory.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "service/upstream/rest/rest_client.h"
#include "service/upstream/rest/rest_operations.h"
#include "service/upstream/stack/caching_operations.h"

namespace ucgate::upstream {
namespace {

// Logging inside retrying: every attempt is logged.
template <typename Interface>
std::shared_ptr<Interface> Decorate(std::shared_ptr<Interface> rest,
                                    const ProjectUpstreamOptions& options,
                                    const std::shared_ptr<const Clock>& clock,
                                    const Sleeper& sleeper,
                                    const RandomSource& random) {
  if (!rest) return nullptr;
  std::shared_ptr<Interface> logged =
      MakeLogging<Interface>(std::move(rest), options.project_name, clock);
  return MakeRetrying<Interface>(std::move(logged), options.retry, clock,
                                 sleeper, random);
}

}  // namespace

Sleeper RealSleeper() {
  return [](absl::Duration delay, const Cancellation* cancellation) {
    if (cancellation != nullptr) {
      cancellation->WaitFor(delay);
    } else {
      absl::SleepFor(delay);
    }
  };
}

RandomSource RealRandomSource() {
  struct Shared {
    absl::Mutex mutex;
    absl::BitGen generator ABSL_GUARDED_BY(mutex);
  };
  auto shared = std::make_shared<Shared>();
  return [shared] {
    absl::MutexLock lock(&shared->mutex);
    return absl::Uniform<double>(shared->generator, 0.0, 1.0);
  };
}

absl::StatusOr<ProjectUpstream> MakeProjectUpstream(
    ProjectUpstreamOptions options,
    std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, Sleeper sleeper, RandomSource random) {
  std::shared_ptr<const auth::RequestSigner> signer =
      auth::MakeRequestSigner(options.auth_scheme, options.credentials, clock);
  absl::StatusOr<std::shared_ptr<RestClient>> rest = RestClient::Create(
      {options.project_name, options.base_url, options.api_version},
      std::move(http_client), std::move(signer), clock);
  if (!rest.ok()) return rest.status();
  ProjectUpstream upstream;
  // Batches split above the retries: each upstream batch is retried alone.
  std::shared_ptr<FileOperations> files = MakeBatchSplittingFileOperations(
      Decorate<FileOperations>(MakeRestFileOperations(*rest), options, clock,
                               sleeper, random),
      options.batch, options.chunk_executor);
  upstream.files = files;
  upstream.conversions = Decorate<ConversionOperations>(
      MakeRestConversionOperations(*rest), options, clock, sleeper, random);
  upstream.addons = Decorate<AddonOperations>(MakeRestAddonOperations(*rest),
                                              options, clock, sleeper, random);
  upstream.groups = Decorate<GroupOperations>(
      MakeRestGroupOperations(*rest, files), options, clock, sleeper, random);
  upstream.project = Decorate<ProjectOperations>(
      MakeRestProjectOperations(*rest), options, clock, sleeper, random);
  upstream.webhooks = Decorate<WebhookOperations>(
      MakeRestWebhookOperations(*rest), options, clock, sleeper, random);
  if (const auto& cache = options.file_info_cache) {
    upstream.files = MakeCachingFileOperations(std::move(upstream.files), cache,
                                               options.project_name);
    upstream.groups = MakeCachingGroupOperations(std::move(upstream.groups),
                                                 cache, options.project_name);
    upstream.addons = MakeCachingAddonOperations(std::move(upstream.addons),
                                                 cache, options.project_name);
    upstream.file_info_cache = cache;
  }
  return upstream;
}

}  // namespace ucgate::upstream
