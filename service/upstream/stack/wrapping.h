// Forwarding<Interface>: every method calls the same method of the child.
// Decorators that act on a few operations (caching, batch splitting) derive
// from it and override only those; the rest is generated from the
// interface's operation list.
#pragma once

#include <memory>
#include <utility>

#include "service/upstream/addon_operations.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/group_operations.h"

namespace ucgate::upstream {

template <typename Interface>
class Forwarding;

#define UCGATE_FORWARD_OPERATION(Method, idempotent)                  \
  absl::StatusOr<v1::Method##Response> Method(                        \
      const CallContext& context, const v1::Method##Request& request) \
      override {                                                      \
    return child_->Method(context, request);                          \
  }

#define UCGATE_DEFINE_FORWARDING(Interface, OPERATIONS)   \
  template <>                                             \
  class Forwarding<Interface> : public Interface {        \
   public:                                                \
    explicit Forwarding(std::shared_ptr<Interface> child) \
        : child_(std::move(child)) {}                     \
    OPERATIONS(UCGATE_FORWARD_OPERATION)                  \
                                                          \
   protected:                                             \
    Interface& child() { return *child_; }                \
                                                          \
   private:                                               \
    std::shared_ptr<Interface> child_;                    \
  };

UCGATE_DEFINE_FORWARDING(FileOperations, UCGATE_FILE_OPERATIONS)
UCGATE_DEFINE_FORWARDING(GroupOperations, UCGATE_GROUP_OPERATIONS)
UCGATE_DEFINE_FORWARDING(AddonOperations, UCGATE_ADDON_OPERATIONS)

#undef UCGATE_DEFINE_FORWARDING
#undef UCGATE_FORWARD_OPERATION

}  // namespace ucgate::upstream
