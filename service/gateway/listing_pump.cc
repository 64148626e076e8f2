#include "service/gateway/listing_pump.h"

#include "service/common/status.h"

namespace ucgate::gateway {

absl::Status GatewayOverloadedError() {
  return WithErrorInfo(
      absl::ResourceExhaustedError(
          "gateway overloaded: too many calls in flight, retry with backoff"),
      "GATEWAY_OVERLOADED");
}

}  // namespace ucgate::gateway
