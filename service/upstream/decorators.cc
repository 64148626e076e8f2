#include "service/upstream/decorators.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/common/log.h"
#include "service/common/status.h"

namespace ucgate::upstream {
namespace {

// Applies `wrap` around every FileOperations method of `child`. `Wrap` is
// called as wrap(name, idempotent, context, call) where call() runs the child.
template <typename Derived>
class ForwardingFileOperations : public FileOperations {
 public:
  explicit ForwardingFileOperations(std::shared_ptr<FileOperations> child)
      : child_(std::move(child)) {}

#define UCGATE_FORWARD(Method, Idempotent)                            \
  absl::StatusOr<v1::Method##Response> Method(                        \
      const CallContext& context, const v1::Method##Request& request) \
      override {                                                      \
    return static_cast<Derived*>(this)->Wrap(                         \
        #Method, Idempotent, context,                                 \
        [&] { return child_->Method(context, request); });            \
  }
  UCGATE_FORWARD(ListFiles, true)
  UCGATE_FORWARD(GetFile, true)
  UCGATE_FORWARD(StoreFile, true)
  UCGATE_FORWARD(DeleteFile, true)
  UCGATE_FORWARD(BatchStoreFiles, true)
  UCGATE_FORWARD(BatchDeleteFiles, true)
  UCGATE_FORWARD(CopyFileToLocalStorage, false)
  UCGATE_FORWARD(CopyFileToRemoteStorage, false)
#undef UCGATE_FORWARD

 protected:
  std::shared_ptr<FileOperations> child_;
};

class RetryingFileOperations final
    : public ForwardingFileOperations<RetryingFileOperations> {
 public:
  RetryingFileOperations(std::shared_ptr<FileOperations> child,
                         RetryOptions options,
                         std::shared_ptr<const Clock> clock, Sleeper sleeper,
                         RandomSource random)
      : ForwardingFileOperations(std::move(child)),
        options_(options),
        clock_(std::move(clock)),
        sleeper_(std::move(sleeper)),
        random_(std::move(random)) {}

  template <typename Call>
  auto Wrap(const char* name, bool idempotent, const CallContext& context,
            Call call) -> decltype(call()) {
    absl::Duration backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      auto result = call();
      if (result.ok() || !idempotent || attempt >= options_.max_attempts ||
          result.status().code() != absl::StatusCode::kUnavailable) {
        return result;
      }
      // Equal jitter: half fixed, half random, so retries spread out.
      absl::Duration delay = backoff / 2 + (backoff / 2) * random_();
      if (std::optional<absl::Duration> retry_after =
              RetryAfter(result.status())) {
        delay = std::max(delay, *retry_after);
      }
      if (clock_->Now() + delay >= context.deadline ||
          (context.is_cancelled && context.is_cancelled())) {
        return result;
      }
      UCGATE_LOG(kDebug, "upstream retry op=", name, " attempt=", attempt + 1,
                 " after=", absl::FormatDuration(delay),
                 " cause=", absl::StatusCodeToString(result.status().code()));
      sleeper_(delay);
      backoff =
          std::min(options_.max_backoff, backoff * options_.backoff_multiplier);
    }
  }

 private:
  RetryOptions options_;
  std::shared_ptr<const Clock> clock_;
  Sleeper sleeper_;
  RandomSource random_;
};

class LoggingFileOperations final
    : public ForwardingFileOperations<LoggingFileOperations> {
 public:
  LoggingFileOperations(std::shared_ptr<FileOperations> child,
                        std::string project_name,
                        std::shared_ptr<const Clock> clock)
      : ForwardingFileOperations(std::move(child)),
        project_name_(std::move(project_name)),
        clock_(std::move(clock)) {}

  template <typename Call>
  auto Wrap(const char* name, bool, const CallContext&, Call call)
      -> decltype(call()) {
    const absl::Time start = clock_->Now();
    auto result = call();
    const absl::Duration latency = clock_->Now() - start;
    if (result.ok()) {
      UCGATE_LOG(kDebug, "upstream op=", name, " project=", project_name_,
                 " status=OK latency=", absl::FormatDuration(latency));
    } else {
      UCGATE_LOG(kWarning, "upstream op=", name, " project=", project_name_,
                 " status=", absl::StatusCodeToString(result.status().code()),
                 " latency=", absl::FormatDuration(latency), " error=\"",
                 result.status().message(), "\"");
    }
    return result;
  }

 private:
  std::string project_name_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace

std::unique_ptr<FileOperations> MakeRetryingFileOperations(
    std::shared_ptr<FileOperations> child, RetryOptions options,
    std::shared_ptr<const Clock> clock, Sleeper sleeper, RandomSource random) {
  return std::make_unique<RetryingFileOperations>(
      std::move(child), options, std::move(clock), std::move(sleeper),
      std::move(random));
}

std::unique_ptr<FileOperations> MakeLoggingFileOperations(
    std::shared_ptr<FileOperations> child, std::string project_name,
    std::shared_ptr<const Clock> clock) {
  return std::make_unique<LoggingFileOperations>(
      std::move(child), std::move(project_name), std::move(clock));
}

}  // namespace ucgate::upstream
