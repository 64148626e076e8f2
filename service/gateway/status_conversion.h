// The gRPC edge of error handling: an absl::Status becomes a grpc::Status
// with the same code and message, and its payloads (google.rpc.BadRequest,
// RetryInfo, ErrorInfo) become the details of a google.rpc.Status in the
// `grpc-status-details-bin` trailer.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace ucgate::gateway {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace ucgate::gateway
