// gMocks of the upstream operations interfaces, generated from their
// operation lists, for tests of the layers above the upstream stack.
#pragma once

#include "gmock/gmock.h"
#include "service/upstream/addon_operations.h"
#include "service/upstream/conversion_operations.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/group_operations.h"
#include "service/upstream/project_operations.h"
#include "service/upstream/webhook_operations.h"

namespace ucgate::testing {

namespace v1 = ::uploadcare::gateway::v1;
using upstream::CallContext;

#define UCGATE_MOCK_OPERATION(Method, idempotent)           \
  MOCK_METHOD(absl::StatusOr<v1::Method##Response>, Method, \
              (const CallContext&, const v1::Method##Request&), (override));

class MockFileOperations : public upstream::FileOperations {
 public:
  UCGATE_FILE_OPERATIONS(UCGATE_MOCK_OPERATION)
};
class MockGroupOperations : public upstream::GroupOperations {
 public:
  UCGATE_GROUP_OPERATIONS(UCGATE_MOCK_OPERATION)
};
class MockProjectOperations : public upstream::ProjectOperations {
 public:
  UCGATE_PROJECT_OPERATIONS(UCGATE_MOCK_OPERATION)
};
class MockWebhookOperations : public upstream::WebhookOperations {
 public:
  UCGATE_WEBHOOK_OPERATIONS(UCGATE_MOCK_OPERATION)
};
class MockConversionOperations : public upstream::ConversionOperations {
 public:
  UCGATE_CONVERSION_OPERATIONS(UCGATE_MOCK_OPERATION)
};
class MockAddonOperations : public upstream::AddonOperations {
 public:
  UCGATE_ADDON_OPERATIONS(UCGATE_MOCK_OPERATION)
};

#undef UCGATE_MOCK_OPERATION

}  // namespace ucgate::testing
