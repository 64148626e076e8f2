#include "service/upstream/stack/upstream_stack_factory.h"

#include <utility>

#include "service/upstream/rest/rest_client.h"
#include "service/upstream/rest/rest_operations.h"
#include "service/upstream/stack/caching_operations.h"
#include "service/upstream/stack/call_logging.h"
#include "service/upstream/stack/metrics_recording.h"

namespace ucgate::upstream {
namespace {

// The layers over every REST stub: the cache (when the gateway has one)
// over retries over metrics and logging; those inside retrying, so that
// every attempt is counted and logged. `below_cache` slots in between the cache
// and the retries.
class Layers {
 public:
  Layers(const ProjectUpstreamOptions& options,
         std::shared_ptr<const Clock> clock, Sleeper sleeper,
         RandomSource random)
      : options_(options),
        clock_(std::move(clock)),
        sleeper_(std::move(sleeper)),
        random_(std::move(random)) {}

  template <typename Interface>
  std::shared_ptr<Interface> Retried(std::shared_ptr<Interface> rest) const {
    std::shared_ptr<Interface> attempts =
        MakeLogging<Interface>(std::move(rest), options_.project_name, clock_);
    RetryObserver observer;
    if (options_.metrics) {
      attempts = MakeMetricsRecording<Interface>(
          std::move(attempts), options_.metrics, options_.project_name, clock_);
      observer = MetricsRetryObserver(options_.metrics, options_.project_name);
    }
    return MakeRetrying<Interface>(std::move(attempts), options_.retry, clock_,
                                   sleeper_, random_, std::move(observer));
  }

  template <typename Interface>
  std::shared_ptr<Interface> Cached(std::shared_ptr<Interface> below) const {
    if (!options_.file_info_cache) return below;
    return MakeCaching<Interface>(std::move(below), options_.file_info_cache,
                                  options_.project_name);
  }

 private:
  const ProjectUpstreamOptions& options_;
  std::shared_ptr<const Clock> clock_;
  Sleeper sleeper_;
  RandomSource random_;
};

}  // namespace

absl::StatusOr<ProjectUpstream> MakeProjectUpstream(
    ProjectUpstreamOptions options,
    std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, Sleeper sleeper, RandomSource random) {
  std::shared_ptr<const auth::RequestSigner> signer =
      options.credentials_source
          ? auth::MakeRequestSigner(options.auth_scheme,
                                    options.credentials_source, clock)
          : auth::MakeRequestSigner(options.auth_scheme, options.credentials,
                                    clock);
  absl::StatusOr<std::shared_ptr<RestClient>> rest = RestClient::Create(
      {options.project_name, options.base_url, options.api_version},
      std::move(http_client), std::move(signer), clock);
  if (!rest.ok()) return rest.status();
  const Layers layers(options, clock, std::move(sleeper), std::move(random));
  // Batches split above the retries: each upstream batch is retried alone.
  std::shared_ptr<FileOperations> batch_files =
      MakeBatchSplittingFileOperations(
          layers.Retried<FileOperations>(MakeRestFileOperations(*rest)),
          options.batch, options.chunk_executor);
  ProjectUpstream upstream;
  upstream.files = layers.Cached(batch_files);
  upstream.groups = layers.Cached(layers.Retried<GroupOperations>(
      MakeRestGroupOperations(*rest, batch_files)));
  upstream.project = layers.Cached(
      layers.Retried<ProjectOperations>(MakeRestProjectOperations(*rest)));
  upstream.webhooks = layers.Cached(
      layers.Retried<WebhookOperations>(MakeRestWebhookOperations(*rest)));
  upstream.conversions = layers.Cached(layers.Retried<ConversionOperations>(
      MakeRestConversionOperations(*rest)));
  upstream.addons = layers.Cached(
      layers.Retried<AddonOperations>(MakeRestAddonOperations(*rest)));
  upstream.file_info_cache = options.file_info_cache;
  return upstream;
}

}  // namespace ucgate::upstream
