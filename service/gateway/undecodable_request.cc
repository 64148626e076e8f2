#include "service/gateway/undecodable_request.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/common/status.h"
#include "service/gateway/status_conversion.h"

namespace ucgate::gateway {
namespace {

using grpc::experimental::InterceptionHookPoints;

class UndecodableRequestInterceptor final
    : public grpc::experimental::Interceptor {
 public:
  explicit UndecodableRequestInterceptor(
      grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "") {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      undecodable_ = true;
    }
    if (undecodable_ &&
        methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() ==
            grpc::StatusCode::UNIMPLEMENTED) {
      methods->ModifySendStatus(ToGrpcStatus(WithErrorInfo(
          absl::InvalidArgumentError(absl::StrCat(
              "the request of ", method_,
              " could not be decoded: not a valid protobuf message of the "
              "method's request type, or a string field holds invalid UTF-8")),
          kInvalidRequestEncodingReason)));
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  bool undecodable_ = false;
};

class Factory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new UndecodableRequestInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeUndecodableRequestInterceptorFactory() {
  return std::make_unique<Factory>();
}

}  // namespace ucgate::gateway
