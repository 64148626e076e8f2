#include "service/gateway/services.h"

#include <chrono>

#include "absl/time/clock.h"
#include "service/gateway/status_conversion.h"
#include "service/upstream/stack/caching_operations.h"

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

namespace {

class CancellableUnaryReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit CancellableUnaryReactor(std::shared_ptr<Cancellation> cancellation)
      : cancellation_(std::move(cancellation)) {}

  // On a gRPC thread; the subscribers' callbacks only wake their waiters.
  void OnCancel() override { cancellation_->Cancel(); }
  void OnDone() override { delete this; }

 private:
  const std::shared_ptr<Cancellation> cancellation_;
};

}  // namespace

grpc::ServerUnaryReactor* UnaryCallRunner::NewCancellableReactor(
    grpc::CallbackServerContext* context, upstream::CallContext* call) {
  call->deadline = DeadlineOf(*context);
  call->cancellation = std::make_shared<Cancellation>();
  return new CancellableUnaryReactor(call->cancellation);
}

}  // namespace ucgate::gateway
