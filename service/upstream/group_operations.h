// The GroupService operations of one Uploadcare project (see file_operations.h
// for how the layers stack).
#pragma once

#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/group_service.pb.h"

// GroupService's operations: (RPC, idempotent).
#define UCGATE_GROUP_OPERATIONS(X) \
  X(ListGroups, true) \
  X(GetGroup, true) \
  X(DeleteGroup, true) \
  X(StoreGroup, true)

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

class GroupOperations {
 public:
  virtual ~GroupOperations() = default;
  UCGATE_GROUP_OPERATIONS(UCGATE_DECLARE_OPERATION)
};

}  // namespace ucgate::upstream
