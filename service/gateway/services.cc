#include "service/gateway/services.h"

#include <chrono>

#include "absl/time/clock.h"
#include "service/gateway/status_conversion.h"
#include "service/upstream/caching_operations.h"

namespace ucgate::gateway {

bool AnswerWithoutBlocking(const Project& project,
                           const v1::GetFileRequest& request,
                           v1::GetFileResponse* response) {
  const auto& cache = project.upstream.file_info_cache;
  return cache != nullptr && upstream::AnswerGetFileFromCache(
                                 *cache, project.name, request, response);
}

bool UnaryCallRunner::Schedule(std::function<void()> task) const {
  return executor_->TrySchedule(std::move(task));
}

void UnaryCallRunner::Finish(grpc::CallbackServerContext* context,
                             grpc::ServerUnaryReactor* reactor,
                             const absl::Status& status) {
  reactor->Finish(ToCallerStatus(context, status));
}

upstream::CallContext UnaryCallRunner::CallContextOf(
    grpc::CallbackServerContext* context) {
  return {DeadlineOf(*context), [context] { return context->IsCancelled(); }};
}

}  // namespace ucgate::gateway
