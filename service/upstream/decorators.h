// Decorators over FileOperations, composed by MakeFileOperations
// (file_operations_factory.h). Each forwards every method through one generic
// wrapper, so adding an RPC costs one line per decorator.
#pragma once

#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "service/common/clock.h"
#include "service/upstream/file_operations.h"

namespace ucgate::upstream {

struct RetryOptions {
  // Attempts per call, the first included (1 disables retries).
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  double backoff_multiplier = 2.0;
};

// Blocks the calling (executor) thread; injected so tests never sleep.
using Sleeper = std::function<void(absl::Duration)>;
// Uniform in [0, 1); injected so backoff jitter is deterministic in tests.
using RandomSource = std::function<double()>;

// Retries idempotent operations (List/Get, store, delete, batches; not the
// copies, which would copy twice) on UNAVAILABLE only, with truncated
// exponential backoff and jitter, honouring an upstream Retry-After when it
// fits, and never sleeping past the caller's deadline or after cancellation.
std::unique_ptr<FileOperations> MakeRetryingFileOperations(
    std::shared_ptr<FileOperations> child, RetryOptions options,
    std::shared_ptr<const Clock> clock, Sleeper sleeper, RandomSource random);

// Logs each call: operation, project, outcome and latency. Successes at debug
// level, failures at warning; never request or response bodies or headers.
std::unique_ptr<FileOperations> MakeLoggingFileOperations(
    std::shared_ptr<FileOperations> child, std::string project_name,
    std::shared_ptr<const Clock> clock);

}  // namespace ucgate::upstream
