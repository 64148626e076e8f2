#include "service/upstream/stack/batch_splitting.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "service/common/io/fiber.h"
#include "service/common/log.h"
#include "service/common/uuid.h"
#include "service/upstream/stack/wrapping.h"

namespace ucgate::upstream {

void RunChunks(size_t count, int max_concurrency, Executor* executor,
               absl::FunctionRef<void(size_t)> work) {
  struct State {
    std::atomic<size_t> next{0};
    absl::Mutex mutex;
    size_t done ABSL_GUARDED_BY(mutex) = 0;
    // Wakes the caller (a fiber: it suspends) once the last chunk is done.
    io::CondVar chunk_done;
  };
  auto state = std::make_shared<State>();
  // Claims chunks until none is left. A helper that starts after the last
  // chunk was claimed touches only `state`, never `work` (whose caller may
  // have returned by then).
  auto drain = [state, count, work_ptr = &work] {
    for (size_t i = state->next.fetch_add(1); i < count;
         i = state->next.fetch_add(1)) {
      (*work_ptr)(i);
      absl::MutexLock lock(&state->mutex);
      if (++state->done == count) state->chunk_done.SignalAll();
    }
  };
  const size_t width =
      std::min(count, static_cast<size_t>(std::max(1, max_concurrency)));
  for (size_t helper = 1; executor != nullptr && helper < width; ++helper) {
    if (!executor->TrySchedule(drain)) break;
  }
  drain();
  absl::MutexLock lock(&state->mutex);
  while (state->done != count) state->chunk_done.Wait(&state->mutex);
}

namespace {

template <typename Request, typename Response, typename Call>
absl::StatusOr<Response> SplitBatch(const CallContext& context,
                                    const Request& request,
                                    const BatchSplitOptions& options,
                                    Executor* executor, Call call) {
  Response merged;
  std::vector<const std::string*> valid;
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& uuid : request.uuids()) {
    if (!seen.insert(uuid).second) continue;
    if (IsValidUuid(uuid)) {
      valid.push_back(&uuid);
    } else {
      (*merged.mutable_problems())[uuid] = restapi::kInvalidUuidProblem;
    }
  }
  if (valid.empty()) return merged;

  const size_t chunk_size =
      static_cast<size_t>(std::max(1, options.chunk_size));
  const size_t chunks = (valid.size() + chunk_size - 1) / chunk_size;
  auto chunk_range = [&](size_t chunk) {
    return std::make_pair(chunk * chunk_size,
                          std::min(valid.size(), (chunk + 1) * chunk_size));
  };
  std::vector<absl::StatusOr<Response>> results(
      chunks, absl::UnknownError("chunk not run"));
  RunChunks(chunks, options.max_concurrent_chunks, executor, [&](size_t chunk) {
    if (context.cancelled()) {
      results[chunk] = absl::CancelledError("the caller went away");
      return;
    }
    Request part;
    auto [first, last] = chunk_range(chunk);
    for (size_t i = first; i < last; ++i) part.add_uuids(*valid[i]);
    results[chunk] = call(part);
  });

  size_t failed = 0;
  absl::Status first_error;
  for (size_t chunk = 0; chunk < chunks; ++chunk) {
    absl::StatusOr<Response>& result = results[chunk];
    if (options.metrics) {
      options.metrics->RecordBatchChunk(api::RpcOf<Request>::kTraits.method,
                                        result.ok());
    }
    if (result.ok()) {
      for (v1::File& file : *result->mutable_files()) {
        *merged.add_files() = std::move(file);
      }
      for (auto& [uuid, reason] : *result->mutable_problems()) {
        (*merged.mutable_problems())[uuid] = std::move(reason);
      }
      continue;
    }
    if (failed++ == 0) first_error = result.status();
    const std::string reason =
        absl::StrCat(absl::StatusCodeToString(result.status().code()), ": ",
                     result.status().message());
    auto [first, last] = chunk_range(chunk);
    for (size_t i = first; i < last; ++i) {
      (*merged.mutable_problems())[*valid[i]] = reason;
    }
  }
  if (failed == chunks) return first_error;
  if (failed > 0) {
    UCGATE_LOG(kWarning, "batch: ", failed, " of ", chunks,
               " chunks failed; their UUIDs are reported in problems (",
               first_error.message(), ")");
  }
  return merged;
}

class BatchSplittingFileOperations final : public Forwarding<FileOperations> {
 public:
  BatchSplittingFileOperations(std::shared_ptr<FileOperations> child,
                               BatchSplitOptions options,
                               std::shared_ptr<Executor> executor)
      : Forwarding(std::move(child)),
        options_(options),
        executor_(std::move(executor)) {}

  absl::StatusOr<v1::BatchStoreFilesResponse> BatchStoreFiles(
      const CallContext& context,
      const v1::BatchStoreFilesRequest& request) override {
    return SplitBatch<v1::BatchStoreFilesRequest, v1::BatchStoreFilesResponse>(
        context, request, options_, executor_.get(),
        [&](const v1::BatchStoreFilesRequest& part) {
          return child().BatchStoreFiles(context, part);
        });
  }

  absl::StatusOr<v1::BatchDeleteFilesResponse> BatchDeleteFiles(
      const CallContext& context,
      const v1::BatchDeleteFilesRequest& request) override {
    return SplitBatch<v1::BatchDeleteFilesRequest,
                      v1::BatchDeleteFilesResponse>(
        context, request, options_, executor_.get(),
        [&](const v1::BatchDeleteFilesRequest& part) {
          return child().BatchDeleteFiles(context, part);
        });
  }

 private:
  const BatchSplitOptions options_;
  const std::shared_ptr<Executor> executor_;
};

}  // namespace

std::unique_ptr<FileOperations> MakeBatchSplittingFileOperations(
    std::shared_ptr<FileOperations> child, BatchSplitOptions options,
    std::shared_ptr<Executor> executor) {
  return std::make_unique<BatchSplittingFileOperations>(
      std::move(child), options, std::move(executor));
}

}  // namespace ucgate::upstream
