// What every upstream operations interface shares. Each interface lists its
// operations once, as an X-macro of (Method, idempotent); the interface, the
// decorators (decorators.h), the test mocks and the gRPC handlers are all
// generated from that one list, so adding an RPC is one line per service.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/common/cancellation.h"

namespace ucgate::upstream {

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

  bool cancelled() const {
    return cancellation != nullptr && cancellation->IsCancelled();
  }
};

}  // namespace ucgate::upstream

// Declares `Method` as a pure virtual operation taking v1::MethodRequest and
// returning v1::MethodResponse (the proto messages of the RPC of that name).
#define UCGATE_DECLARE_OPERATION(Method, idempotent)                          \
  virtual absl::StatusOr<::uploadcare::gateway::v1::Method##Response> Method( \
      const ::ucgate::upstream::CallContext& context,                         \
      const ::uploadcare::gateway::v1::Method##Request& request) = 0;
