#include "service/common/status.h"

#include <algorithm>
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

absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  // Back off continuation bytes to the start of the cut sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut);
}

std::string QuoteValue(absl::string_view value) {
  const absl::string_view shown = Utf8Prefix(value, kMaxQuotedValueLength);
  std::string quoted = "'";
  for (char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      absl::StrAppend(&quoted, "\\x", absl::Hex(byte, absl::kZeroPad2));
    } else {
      quoted.push_back(c);
    }
  }
  if (shown.size() == value.size()) return absl::StrCat(quoted, "'");
  return absl::StrCat(quoted, "...' (", value.size(), " bytes)");
}

absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view description) {
  return WithErrorInfo(
      WithFieldViolations(
          absl::InvalidArgumentError(absl::StrCat(field, ": ", description)),
          {{std::string(field), std::string(description)}}),
      kInvalidFieldReason,
      {{"field", std::string(Utf8Prefix(field, kMaxQuotedValueLength))}});
}

absl::Status WithFieldViolations(
    absl::Status status, const std::vector<FieldViolation>& violations) {
  if (status.ok() || violations.empty()) return status;
  google::rpc::BadRequest bad_request =
      ReadPayload<google::rpc::BadRequest>(status, kBadRequestTypeUrl)
          .value_or(google::rpc::BadRequest());
  // Bounded like QuoteValue's quotes, whoever built the strings.
  constexpr size_t kMaxFieldLength = 256;
  constexpr size_t kMaxDescriptionLength = 512;
  for (const auto& [field, description] : violations) {
    auto* violation = bad_request.add_field_violations();
    violation->set_field(std::string(Utf8Prefix(field, kMaxFieldLength)));
    violation->set_description(
        std::string(Utf8Prefix(description, kMaxDescriptionLength)));
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
