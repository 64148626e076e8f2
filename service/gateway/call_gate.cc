#include "service/gateway/call_gate.h"

#include <openssl/rand.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "service/access/access_reasons.h"
#include "service/access/crypto_util.h"
#include "service/api/page_token.h"
#include "service/common/status.h"

namespace ucgate::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// A non-empty string field of `message` named `name`, or null.
const FieldDescriptor* TokenField(const Message& message,
                                  absl::string_view name) {
  const FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->type() != FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return nullptr;
  }
  return message.GetReflection()->GetString(message, field).empty() ? nullptr
                                                                    : field;
}

}  // namespace

CallGate::CallGate(CallGateOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : MakeSystemClock()),
      policy_(options_.policy),
      limiter_(options_.limiter) {}

void CallGate::Replace(std::shared_ptr<const access::AccessPolicy> policy,
                       std::shared_ptr<access::CallLimiter> limiter) {
  absl::MutexLock lock(&mutex_);
  policy_ = std::move(policy);
  limiter_ = std::move(limiter);
}

absl::StatusOr<std::string> CallGate::Authorize(
    const grpc::CallbackServerContext& context, absl::string_view full_method,
    absl::string_view project) const {
  std::shared_ptr<const access::AccessPolicy> policy;
  {
    absl::MutexLock lock(&mutex_);
    policy = policy_;
  }
  if (policy == nullptr) return std::string();
  access::AccessDecision decision = policy->Check(
      access::CredentialsOfCall(context, options_.trust), full_method, project);
  if (!decision.status.ok()) return decision.status;
  return decision.caller == nullptr ? std::string() : decision.caller->name;
}

absl::StatusOr<CallPermit> CallGate::Admit(absl::string_view caller,
                                           absl::string_view project) const {
  std::shared_ptr<access::CallLimiter> limiter;
  {
    absl::MutexLock lock(&mutex_);
    limiter = limiter_;
  }
  if (limiter == nullptr) return CallPermit();
  absl::StatusOr<access::CallLimiter::Permit> permit =
      limiter->Admit(caller, project);
  if (!permit.ok()) return permit.status();
  return std::make_shared<access::CallLimiter::Permit>(*std::move(permit));
}

access::ThrottleDecision CallGate::Throttle(absl::string_view project,
                                            absl::Time deadline) const {
  if (options_.throttle == nullptr) return {};
  return options_.throttle->Decide(project, deadline);
}

void CallGate::RecordOutcome(absl::string_view project,
                             const absl::Status& status) const {
  if (options_.throttle == nullptr ||
      status.code() != absl::StatusCode::kResourceExhausted) {
    return;
  }
  std::optional<std::string> reason = ErrorReason(status);
  std::optional<absl::Duration> retry_after = RetryAfter(status);
  // Only the upstream's own 429 (the gateway's refusals never reach here:
  // they are answered before anything is scheduled).
  if (reason && *reason == access::kUpstreamThrottled && retry_after) {
    options_.throttle->RecordThrottled(project, *retry_after);
  }
}

absl::StatusOr<std::unique_ptr<Message>> CallGate::OpenTokens(
    const Message& request, absl::string_view project) const {
  if (options_.sealer == nullptr) return nullptr;
  std::unique_ptr<Message> opened;
  for (absl::string_view name : {"page_token", "resume_token"}) {
    const FieldDescriptor* field = TokenField(request, name);
    if (field == nullptr) continue;
    const std::string binding = api::PagedRequestBinding(project, request);
    absl::StatusOr<std::string> inner = options_.sealer->Verify(
        request.GetReflection()->GetString(request, field), binding);
    if (!inner.ok()) return InvalidFieldError(name, inner.status().message());
    if (opened == nullptr) {
      opened.reset(request.New());
      opened->CopyFrom(request);
    }
    opened->GetReflection()->SetString(opened.get(), field, *std::move(inner));
  }
  return opened;
}

void CallGate::SealTokens(const Message& request, absl::string_view project,
                          Message* response) const {
  if (options_.sealer == nullptr) return;
  for (absl::string_view name : {"next_page_token", "resume_token"}) {
    const FieldDescriptor* field = TokenField(*response, name);
    if (field == nullptr) continue;
    const google::protobuf::Reflection* reflection = response->GetReflection();
    reflection->SetString(
        response, field,
        options_.sealer->Sign(reflection->GetString(*response, field),
                              api::PagedRequestBinding(project, request)));
  }
}

std::string FullMethodOf(const google::protobuf::Descriptor* request) {
  const google::protobuf::FileDescriptor* file = request->file();
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      if (service->method(m)->input_type() == request) {
        return absl::StrCat("/", service->full_name(), "/",
                            service->method(m)->name());
      }
    }
  }
  // Every request of the API is some RPC's; a test message is not.
  return absl::StrCat("/", request->full_name());
}

access::TokenKeyring RandomTokenKeyring() {
  std::string secret(access::TokenKeyring::kMinSecretBytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
             static_cast<int>(secret.size()));
  absl::StatusOr<access::TokenKeyring> keyring = access::TokenKeyring::Parse(
      absl::StrCat("process ", access::Base64UrlEncode(secret), "\n"));
  // A well-formed line of a fresh key always parses.
  return *std::move(keyring);
}

}  // namespace ucgate::gateway
