#include "service/upstream/file_operations_factory.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "service/upstream/rest_file_operations.h"

namespace ucgate::upstream {

Sleeper RealSleeper() {
  return [](absl::Duration delay) { absl::SleepFor(delay); };
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

absl::StatusOr<std::shared_ptr<FileOperations>> MakeFileOperations(
    ProjectUpstreamOptions options,
    std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const Clock> clock, Sleeper sleeper, RandomSource random) {
  std::shared_ptr<const auth::RequestSigner> signer = auth::MakeRequestSigner(
      options.auth_scheme, std::move(options.credentials), clock);
  absl::StatusOr<std::unique_ptr<FileOperations>> rest = MakeRestFileOperations(
      {options.project_name, options.base_url, options.api_version},
      std::move(http_client), std::move(signer), clock);
  if (!rest.ok()) return rest.status();
  std::shared_ptr<FileOperations> stack =
      MakeLoggingFileOperations(*std::move(rest), options.project_name, clock);
  stack = MakeRetryingFileOperations(std::move(stack), options.retry, clock,
                                     std::move(sleeper), std::move(random));
  return stack;
}

}  // namespace ucgate::upstream
