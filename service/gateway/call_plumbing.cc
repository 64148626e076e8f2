#include "service/gateway/call_plumbing.h"

#include <chrono>
#include <optional>

#include "service/common/status.h"
#include "service/gateway/status_conversion.h"
#include "service/observability/server_interceptor.h"

namespace ucgate::gateway {

grpc::Status ToCallerStatus(grpc::CallbackServerContext* context,
                            const absl::Status& status) {
  if (std::optional<absl::Duration> retry_after = RetryAfter(status)) {
    context->AddTrailingMetadata(
        "retry-after", absl::StrCat(absl::ToInt64Seconds(
                           absl::Ceil(*retry_after, absl::Seconds(1)))));
  }
  return ToGrpcStatus(status);
}

void ObserveProject(const grpc::ServerContextBase* context,
                    const Project& project) {
  if (auto observation = observability::FindCallObservation(context)) {
    observation->SetProject(project.name);
  }
}

void ObserveCaller(const grpc::ServerContextBase* context,
                   absl::string_view caller) {
  if (caller.empty()) return;
  if (auto observation = observability::FindCallObservation(context)) {
    observation->SetCaller(caller);
  }
}

absl::Time DeadlineOf(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  return deadline == std::chrono::system_clock::time_point::max()
             ? absl::InfiniteFuture()
             : absl::FromChrono(deadline);
}

std::string RequestedProject(const ProjectRegistry& projects,
                             const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kProjectMetadataKey);
  if (it != metadata.end())
    return std::string(it->second.data(), it->second.size());
  if (projects.projects().size() == 1) return projects.projects().front().name;
  return std::string();
}

absl::Status GatewayOverloadedError() {
  return WithErrorInfo(
      absl::ResourceExhaustedError(
          "gateway overloaded: too many calls in flight, retry with backoff"),
      "GATEWAY_OVERLOADED");
}

}  // namespace ucgate::gateway
