// A request gRPC cannot decode (not protobuf, or a string field with invalid
// UTF-8) ends, in gRPC's callback API, with UNIMPLEMENTED and an empty
// message, which sends callers looking for a missing method. This server
// interceptor sees the failed decode and answers INVALID_ARGUMENT instead,
// saying what went wrong (ErrorInfo INVALID_REQUEST_ENCODING).
#pragma once

#include <memory>

#include "grpcpp/support/server_interceptor.h"

namespace ucgate::gateway {

inline constexpr char kInvalidRequestEncodingReason[] =
    "INVALID_REQUEST_ENCODING";

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeUndecodableRequestInterceptorFactory();

}  // namespace ucgate::gateway
