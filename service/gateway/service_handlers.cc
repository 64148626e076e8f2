#include "service/gateway/service_handlers.h"

#include <type_traits>

namespace ucgate::gateway {
namespace {

// The class that declares the member function `method` points to.
template <typename Method>
struct DeclaringClass;
template <typename Class, typename Result, typename... Args>
struct DeclaringClass<Result (Class::*)(Args...)> {
  using type = Class;
};

// Every row of service/api/rpcs.h has its line in service_handlers.h: its
// handler is declared by the handlers class itself, not inherited from the
// generated service (which would answer UNIMPLEMENTED).
#define UCGATE_CHECK_HANDLED(Method, ...)                               \
  static_assert(                                                        \
      std::is_same_v<DeclaringClass<decltype(&Handlers::Method)>::type, \
                     Handlers>,                                         \
      "service_handlers.h has no handler for the row " #Method);
#define UCGATE_CHECK_SERVICE_HANDLED(Name, RPCS)     \
  namespace check_##Name {                           \
    using Handlers = Name##Handlers;                 \
    RPCS(UCGATE_CHECK_HANDLED, UCGATE_CHECK_HANDLED) \
  }
UCGATE_SERVICES(UCGATE_CHECK_SERVICE_HANDLED)
#undef UCGATE_CHECK_SERVICE_HANDLED
#undef UCGATE_CHECK_HANDLED

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> MakeServiceHandlers(
    const UnaryCallRunner& unary, const StreamCallRunner& streams) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<FileServiceHandlers>(unary, streams));
  services.push_back(std::make_unique<GroupServiceHandlers>(unary, streams));
  services.push_back(std::make_unique<ProjectServiceHandlers>(unary, streams));
  services.push_back(std::make_unique<WebhookServiceHandlers>(unary, streams));
  services.push_back(
      std::make_unique<ConversionServiceHandlers>(unary, streams));
  services.push_back(std::make_unique<AddonServiceHandlers>(unary, streams));
  return services;
}

}  // namespace ucgate::gateway
