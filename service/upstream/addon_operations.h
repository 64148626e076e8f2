// The AddonService operations of one Uploadcare project (see file_operations.h
// for how the layers stack).
#pragma once

#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"

// AddonService's operations: (RPC, idempotent).
#define UCGATE_ADDON_OPERATIONS(X) \
  X(ExecuteAddon, false) \
  X(GetAddonExecutionStatus, true)

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

class AddonOperations {
 public:
  virtual ~AddonOperations() = default;
  UCGATE_ADDON_OPERATIONS(UCGATE_DECLARE_OPERATION)
};

}  // namespace ucgate::upstream
