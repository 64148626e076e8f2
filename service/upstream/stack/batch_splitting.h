// Batches of any size: BatchStoreFiles / BatchDeleteFiles requests of up to
// api::kMaxBatchUuids UUIDs are split into upstream batches of
// restapi::kMaxUuidsPerRequest, run a few at a time, and merged into one
// answer. GroupService's v0.7 StoreGroup stores a group's files through the
// same decorator.
//
// What the caller gets:
//  - UUIDs that are not UUIDs are answered "Invalid" in `problems` (as the
//    upstream words it) and never sent; repeated UUIDs are sent once.
//  - Files and problems of every chunk, in request order of the chunks.
//  - A chunk that fails as a whole (after the retries below this layer):
//    each of its UUIDs is in `problems` as "<CODE>: <message>", and the other
//    chunks' results still come back, so partial success is visible. Only
//    when every chunk failed (nothing was done) is the call itself the first
//    chunk's error, so that a one-batch call fails as the upstream did.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "service/common/executor.h"
#include "service/observability/gateway_metrics.h"
#include "service/restapi/limits.h"
#include "service/upstream/operations.h"

namespace ucgate::upstream {

struct BatchSplitOptions {
  // UUIDs per upstream request.
  int chunk_size = restapi::kMaxUuidsPerRequest;
  // Upstream requests one call runs at once (the calling thread included).
  int max_concurrent_chunks = 4;
  // ucgate_batch_chunks_total; null: not counted.
  std::shared_ptr<observability::GatewayMetrics> metrics;
};

// Runs work(0) .. work(count - 1), at most `max_concurrency` at once: on the
// calling thread (or fiber) and on helpers `executor` takes at once (none
// when null). Returns when every call has returned; a fiber waits suspended.
//
// `executor` is the gateway's chunk helpers: in the gateway a FiberExecutor
// of its own (its chunks' transfers run side by side on the caller's loop),
// in tools a BlockingExecutor with no queue (max_queued 0), so a chunk starts
// at once or is run by its caller; a chunk queued behind busy helpers would
// only start after its caller had done the work itself.
void RunChunks(size_t count, int max_concurrency, Executor* executor,
               absl::FunctionRef<void(size_t)> work);

// Splits batch store/delete over `child` (which takes
// restapi::kMaxUuidsPerRequest at most);
// every other operation is forwarded. `executor` may be null (one chunk at a
// time).
std::unique_ptr<FileOperations> MakeBatchSplittingFileOperations(
    std::shared_ptr<FileOperations> child, BatchSplitOptions options,
    std::shared_ptr<Executor> executor);

}  // namespace ucgate::upstream
