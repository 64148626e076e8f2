// The two shapes of every decorator of the stack, generated for every
// operations interface from its rows (service/api/rpcs.h):
//  - Forwarding<Interface>: every method calls the same method of the child;
//    decorators that act on a few operations (batch splitting) derive from it
//    and override only those.
//  - Wrapped<Interface, Runner>: every method runs through
//    `runner(context, request, call)` around the same method of the child
//    (retries, logging, the file-info cache); `call()` makes the child's call
//    and the runner reads the row as api::RpcOf<Request>::kTraits.
#pragma once

#include <memory>
#include <utility>

#include "service/upstream/operations.h"

namespace ucgate::upstream {

template <typename Interface>
class Forwarding;

template <typename Interface, typename Runner>
class Wrapped;

#define UCGATE_FORWARD_OPERATION(Method, ...)   \
  UCGATE_OPERATION_SIGNATURE(Method) override { \
    return child_->Method(context, request);    \
  }
#define UCGATE_DEFINE_FORWARDING(Interface, RPCS)         \
  template <>                                             \
  class Forwarding<Interface> : public Interface {        \
   public:                                                \
    explicit Forwarding(std::shared_ptr<Interface> child) \
        : child_(std::move(child)) {}                     \
    RPCS(UCGATE_FORWARD_OPERATION, UCGATE_NO_ROW)         \
                                                          \
   protected:                                             \
    Interface& child() { return *child_; }                \
                                                          \
   private:                                               \
    std::shared_ptr<Interface> child_;                    \
  };
UCGATE_OPERATIONS_INTERFACES(UCGATE_DEFINE_FORWARDING)
#undef UCGATE_DEFINE_FORWARDING
#undef UCGATE_FORWARD_OPERATION

#define UCGATE_WRAP_OPERATION(Method, ...)                            \
  UCGATE_OPERATION_SIGNATURE(Method) override {                       \
    return runner_(context, request,                                  \
                   [&] { return child_->Method(context, request); }); \
  }
#define UCGATE_DEFINE_WRAPPED(Interface, RPCS)                    \
  template <typename Runner>                                      \
  class Wrapped<Interface, Runner> final : public Interface {     \
   public:                                                        \
    Wrapped(std::shared_ptr<Interface> child, Runner runner)      \
        : child_(std::move(child)), runner_(std::move(runner)) {} \
    RPCS(UCGATE_WRAP_OPERATION, UCGATE_NO_ROW)                    \
                                                                  \
   private:                                                       \
    std::shared_ptr<Interface> child_;                            \
    Runner runner_;                                               \
  };
UCGATE_OPERATIONS_INTERFACES(UCGATE_DEFINE_WRAPPED)
#undef UCGATE_DEFINE_WRAPPED
#undef UCGATE_WRAP_OPERATION

}  // namespace ucgate::upstream
