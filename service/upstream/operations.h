// The upstream operations of one Uploadcare project: one interface per
// service, one method per unary RPC, generated from the rows of
// service/api/rpcs.h. Every layer of the upstream path implements them: the
// REST stubs at the bottom (rest/) and the decorators above (stack/), which
// are generated from the same rows; the gRPC handlers call the top of that
// stack, so each layer can be faked alone. Requests arrive validated
// (api::ValidateCall).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/api/rpcs.h"
#include "service/common/cancellation.h"

namespace ucgate::observability {
class CallObservation;
}  // namespace ucgate::observability

namespace ucgate::upstream {

namespace v1 = ::uploadcare::gateway::v1;

// What one caller's call brings down the stack.
struct CallContext {
  // The caller's gRPC deadline; bounds every attempt and every backoff.
  absl::Time deadline = absl::InfiniteFuture();
  // Cancelled once the caller has gone away (may be null: never). Wakes and
  // aborts what waits on the caller's behalf: upstream transfers, retry
  // backoffs, cache waiters.
  std::shared_ptr<Cancellation> cancellation;
  // Listing calls only (may be empty): told the next page's token as soon as
  // the upstream's answer names it, before the page is mapped, so that a
  // stream can start fetching the next page early. Called at most once per
  // attempt, on the calling thread.
  std::function<void(const std::string& next_page_token)> on_next_page_token;
  // The caller's call as the gateway observes it (may be null): the stack
  // counts its upstream attempts there, for the call's log line.
  std::shared_ptr<observability::CallObservation> observation;

  bool cancelled() const {
    return cancellation != nullptr && cancellation->IsCancelled();
  }
};

// Every operations interface: X(Interface, RPCS), RPCS being the rows of the
// service it serves.
#define UCGATE_OPERATIONS_INTERFACES(X)                   \
  X(FileOperations, UCGATE_FILE_SERVICE_RPCS)             \
  X(GroupOperations, UCGATE_GROUP_SERVICE_RPCS)           \
  X(ProjectOperations, UCGATE_PROJECT_SERVICE_RPCS)       \
  X(WebhookOperations, UCGATE_WEBHOOK_SERVICE_RPCS)       \
  X(ConversionOperations, UCGATE_CONVERSION_SERVICE_RPCS) \
  X(AddonOperations, UCGATE_ADDON_SERVICE_RPCS)

// The signature of every operation: the row's RPC, taking v1::MethodRequest
// and answering v1::MethodResponse. `Method` is the row's first column; the
// other columns follow in the variadic arguments of the generators.
#define UCGATE_OPERATION_SIGNATURE(Method)                            \
  absl::StatusOr<::uploadcare::gateway::v1::Method##Response> Method( \
      const ::ucgate::upstream::CallContext& context,                 \
      const ::uploadcare::gateway::v1::Method##Request& request)

#define UCGATE_DECLARE_OPERATION(Method, ...) \
  virtual UCGATE_OPERATION_SIGNATURE(Method) = 0;
#define UCGATE_DEFINE_OPERATIONS_INTERFACE(Interface, RPCS) \
  class Interface {                                         \
   public:                                                  \
    virtual ~Interface() = default;                         \
    RPCS(UCGATE_DECLARE_OPERATION, UCGATE_NO_ROW)           \
  };
UCGATE_OPERATIONS_INTERFACES(UCGATE_DEFINE_OPERATIONS_INTERFACE)
#undef UCGATE_DEFINE_OPERATIONS_INTERFACE
#undef UCGATE_DECLARE_OPERATION

}  // namespace ucgate::upstream
