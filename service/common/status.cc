#include "service/common/status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "google/rpc/error_details.pb.h"

namespace ucgate {
namespace {

template <typename Message>
std::optional<Message> ReadPayload(const absl::Status& status,
                                   const char* type_url) {
  absl::optional<absl::Cord> payload = status.GetPayload(type_url);
  if (!payload) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

template <typename Message>
void WritePayload(absl::Status& status, const char* type_url,
                  const Message& message) {
  status.SetPayload(type_url, absl::Cord(message.SerializeAsString()));
}

}  // namespace

absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view description) {
  return WithFieldViolations(
      absl::InvalidArgumentError(absl::StrCat(field, ": ", description)),
      {{std::string(field), std::string(description)}});
}

absl::Status WithFieldViolations(
    absl::Status status, const std::vector<FieldViolation>& violations) {
  if (status.ok() || violations.empty()) return status;
  google::rpc::BadRequest bad_request =
      ReadPayload<google::rpc::BadRequest>(status, kBadRequestTypeUrl)
          .value_or(google::rpc::BadRequest());
  for (const auto& [field, description] : violations) {
    auto* violation = bad_request.add_field_violations();
    violation->set_field(field);
    violation->set_description(description);
  }
  WritePayload(status, kBadRequestTypeUrl, bad_request);
  return status;
}

std::vector<FieldViolation> FieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> violations;
  if (auto bad_request =
          ReadPayload<google::rpc::BadRequest>(status, kBadRequestTypeUrl)) {
    for (const auto& v : bad_request->field_violations()) {
      violations.emplace_back(v.field(), v.description());
    }
  }
  return violations;
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  google::rpc::RetryInfo retry_info;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  retry_info.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  retry_info.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(nanos % 1000000000));
  WritePayload(status, kRetryInfoTypeUrl, retry_info);
  return status;
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  auto retry_info =
      ReadPayload<google::rpc::RetryInfo>(status, kRetryInfoTypeUrl);
  if (!retry_info) return std::nullopt;
  return absl::Seconds(retry_info->retry_delay().seconds()) +
         absl::Nanoseconds(retry_info->retry_delay().nanos());
}

absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (const auto& [key, value] : metadata)
    (*info.mutable_metadata())[key] = value;
  WritePayload(status, kErrorInfoTypeUrl, info);
  return status;
}

std::optional<std::string> ErrorReason(const absl::Status& status) {
  auto info = ReadPayload<google::rpc::ErrorInfo>(status, kErrorInfoTypeUrl);
  if (!info) return std::nullopt;
  return info->reason();
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(),
                         absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload(
      [&](absl::string_view type_url, const absl::Cord& payload) {
        annotated.SetPayload(type_url, payload);
      });
  return annotated;
}

}  // namespace ucgate
