#include "service/gateway/unary_calls.h"

#include "service/observability/server_interceptor.h"
#include "service/upstream/stack/caching_operations.h"

namespace ucgate::gateway {
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

bool AnswerWithoutBlocking(const Project& project,
                           const v1::GetFileRequest& request,
                           v1::GetFileResponse* response) {
  const auto& cache = project.upstream.file_info_cache;
  return cache != nullptr && upstream::AnswerGetFileFromCache(
                                 *cache, project.name, request, response);
}

grpc::ServerUnaryReactor* UnaryCallRunner::AnswerNow(
    grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToCallerStatus(context, status));
  return reactor;
}

grpc::ServerUnaryReactor* UnaryCallRunner::NewCancellableReactor(
    grpc::CallbackServerContext* context, upstream::CallContext* call) {
  call->deadline = DeadlineOf(*context);
  call->cancellation = std::make_shared<Cancellation>();
  call->observation = observability::FindCallObservation(context);
  return new CancellableUnaryReactor(call->cancellation);
}

}  // namespace ucgate::gateway
