#include "service/gateway/services.h"

#include <chrono>

#include "absl/time/clock.h"
#include "service/gateway/status_conversion.h"

namespace ucgate::gateway {

absl::StatusOr<const Project*> UnaryCallRunner::Resolve(
    grpc::CallbackServerContext* context) const {
  return projects_->Resolve(*context);
}

bool UnaryCallRunner::Schedule(std::function<void()> task) const {
  return executor_->TrySchedule(std::move(task));
}

// Finishes with `status`, adding a plain `retry-after` trailer (seconds) when
// the error carries RetryInfo, for callers that do not decode details.
void UnaryCallRunner::Finish(grpc::CallbackServerContext* context,
                             grpc::ServerUnaryReactor* reactor,
                             const absl::Status& status) {
  if (std::optional<absl::Duration> retry_after = RetryAfter(status)) {
    context->AddTrailingMetadata(
        "retry-after", absl::StrCat(absl::ToInt64Seconds(
                           absl::Ceil(*retry_after, absl::Seconds(1)))));
  }
  reactor->Finish(ToGrpcStatus(status));
}

upstream::CallContext UnaryCallRunner::CallContextOf(
    grpc::CallbackServerContext* context) {
  const auto deadline = context->deadline();
  return {deadline == std::chrono::system_clock::time_point::max()
              ? absl::InfiniteFuture()
              : absl::FromChrono(deadline),
          [context] { return context->IsCancelled(); }};
}

}  // namespace ucgate::gateway
