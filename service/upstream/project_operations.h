// The ProjectService operations of one Uploadcare project (see file_operations.h
// for how the layers stack).
#pragma once

#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/project_service.pb.h"

// ProjectService's operations: (RPC, idempotent).
#define UCGATE_PROJECT_OPERATIONS(X) \
  X(GetProject, true)

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

class ProjectOperations {
 public:
  virtual ~ProjectOperations() = default;
  UCGATE_PROJECT_OPERATIONS(UCGATE_DECLARE_OPERATION)
};

}  // namespace ucgate::upstream
