// gMocks of every upstream operations interface (MockFileOperations ...
// MockAddonOperations), generated from the rows of service/api/rpcs.h, for
// tests of the layers above the upstream stack.
#pragma once

#include "gmock/gmock.h"
#include "service/upstream/operations.h"

namespace ucgate::testing {

namespace v1 = ::uploadcare::gateway::v1;
using upstream::CallContext;

#define UCGATE_MOCK_OPERATION(Method, ...)                  \
  MOCK_METHOD(absl::StatusOr<v1::Method##Response>, Method, \
              (const CallContext&, const v1::Method##Request&), (override));
#define UCGATE_DEFINE_MOCK(Interface, RPCS)            \
  class Mock##Interface : public upstream::Interface { \
   public:                                             \
    RPCS(UCGATE_MOCK_OPERATION, UCGATE_NO_ROW)         \
  };
UCGATE_OPERATIONS_INTERFACES(UCGATE_DEFINE_MOCK)
#undef UCGATE_DEFINE_MOCK
#undef UCGATE_MOCK_OPERATION

}  // namespace ucgate::testing
