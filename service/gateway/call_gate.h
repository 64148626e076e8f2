// Who may call, decided once per call on the reactor thread before anything
// is validated, scheduled or sent upstream (issue 14):
//   1. the caller's credentials (bearer token, JWT or verified client
//      certificate) against the access policy: UNAUTHENTICATED or
//      PERMISSION_DENIED with ErrorInfo and one audit line;
//   2. (after the project and the request are accepted) the caller's and the
//      project's limits: RESOURCE_EXHAUSTED with RetryInfo, or a permit the
//      call holds until it ends;
//   3. the upstream's throttling of the project (429 with Retry-After): the
//      call is held until then, or refused when it cannot wait that long.
// It also seals the page and resume tokens the gateway hands out and opens
// the ones callers bring back (HMAC under the shared token keys, bound to the
// project and the listing's filters).
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "service/access/access_policy.h"
#include "service/access/call_limiter.h"
#include "service/access/grpc_access.h"
#include "service/access/token_keyring.h"
#include "service/common/clock.h"

namespace ucgate::gateway {

// What an admitted call holds until it ends: its in-flight slots. Null when
// no limit applies.
using CallPermit = std::shared_ptr<access::CallLimiter::Permit>;

struct CallGateOptions {
  // Null: no callers are configured and every call goes through unidentified
  // (ucgate refuses that on a non-loopback port unless allowed).
  std::shared_ptr<const access::AccessPolicy> policy;
  access::CertificateTrust trust = access::CertificateTrust::kIgnore;
  // Null: no limits.
  std::shared_ptr<access::CallLimiter> limiter;
  // Null: 429s are not remembered.
  std::shared_ptr<access::UpstreamThrottle> throttle;
  // Null: tokens are handed out as the inner layers make them (unkeyed).
  std::shared_ptr<const access::TokenSealer> sealer;
  // The throttle's clock. Null: the system clock.
  std::shared_ptr<const Clock> clock;
};

class CallGate {
 public:
  explicit CallGate(CallGateOptions options);

  // A configuration reload: calls from now on see the new policy and limits;
  // calls in flight keep the permits of the limiter that admitted them.
  void Replace(std::shared_ptr<const access::AccessPolicy> policy,
               std::shared_ptr<access::CallLimiter> limiter);

  // Step 1. The caller's name ("" when no callers are configured, or an
  // unidentified caller in log-only mode), or the refusal. `full_method` is
  // "/package.Service/Method"; `project` the name the call asks for.
  absl::StatusOr<std::string> Authorize(
      const grpc::CallbackServerContext& context, absl::string_view full_method,
      absl::string_view project) const;

  // Step 2.
  absl::StatusOr<CallPermit> Admit(absl::string_view caller,
                                   absl::string_view project) const;

  // Step 3: what to do with a call of `project` that must end by `deadline`.
  access::ThrottleDecision Throttle(absl::string_view project,
                                    absl::Time deadline) const;
  // The upstream's answer to a call of `project`: a 429 with Retry-After
  // holds the project's next calls.
  void RecordOutcome(absl::string_view project,
                     const absl::Status& status) const;

  // Opens the page_token / resume_token of `request` (a copy with the inner
  // token; null when it has none to open), or INVALID_ARGUMENT naming the
  // field for a token that was forged, expired, or issued for another
  // project or other filters.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> OpenTokens(
      const google::protobuf::Message& request,
      absl::string_view project) const;
  // Seals the next_page_token / resume_token of `response` to the call's
  // `request`.
  void SealTokens(const google::protobuf::Message& request,
                  absl::string_view project,
                  google::protobuf::Message* response) const;
  bool seals_tokens() const { return options_.sealer != nullptr; }
  absl::Time Now() const { return clock_->Now(); }

 private:
  const CallGateOptions options_;
  const std::shared_ptr<const Clock> clock_;
  mutable absl::Mutex mutex_;
  std::shared_ptr<const access::AccessPolicy> policy_ ABSL_GUARDED_BY(mutex_);
  std::shared_ptr<access::CallLimiter> limiter_ ABSL_GUARDED_BY(mutex_);
};

// "/package.Service/Method" of the RPC that takes `request` (its proto
// file's services are searched once per type).
std::string FullMethodOf(const google::protobuf::Descriptor* request);

// A TokenKeyring holding one random key, for a gateway without
// `page_token_keys_file`: its tokens work only on this process.
access::TokenKeyring RandomTokenKeyring();

}  // namespace ucgate::gateway
