#include "service/gateway/services.h"

#include <chrono>

#include "absl/time/clock.h"
#include "service/gateway/status_conversion.h"

namespace ucgate::gateway {

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
