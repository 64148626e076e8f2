// The ConversionService operations of one Uploadcare project (see file_operations.h
// for how the layers stack).
#pragma once

#include "service/upstream/operations.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"

// ConversionService's operations: (RPC, idempotent).
#define UCGATE_CONVERSION_OPERATIONS(X) \
  X(ConvertDocument, false) \
  X(GetDocumentConversionStatus, true) \
  X(GetDocumentConversionInfo, true) \
  X(ConvertVideo, false) \
  X(GetVideoConversionStatus, true)

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

class ConversionOperations {
 public:
  virtual ~ConversionOperations() = default;
  UCGATE_CONVERSION_OPERATIONS(UCGATE_DECLARE_OPERATION)
};

}  // namespace ucgate::upstream
