// Error helpers: every error in ucgate is an absl::Status. Structured details
// ride along as payloads keyed by google.rpc type URLs, and the gRPC edge
// turns each payload into one google.rpc.Status detail, so callers in any
// language can read them (grpc-status-details-bin).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ucgate {

inline constexpr char kBadRequestTypeUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";
inline constexpr char kRetryInfoTypeUrl[] =
    "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr char kErrorInfoTypeUrl[] =
    "type.googleapis.com/google.rpc.ErrorInfo";
// ErrorInfo.domain of every error ucgate produces.
inline constexpr char kErrorDomain[] = "ucgate.uploadcare.com";

// How much of a caller's bad value an error may quote: errors travel in
// grpc-message and details, which callers' metadata limits bound (a 40 KB
// value echoed there made clients fail or hang).
inline constexpr size_t kMaxQuotedValueLength = 64;
// The longest prefix of `text` of at most `max_bytes` that does not end
// inside a UTF-8 sequence.
absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes);

// 'value' for errors: at most kMaxQuotedValueLength bytes of it (cut at a
// UTF-8 boundary, control characters escaped), then "... (N bytes)" when cut.
std::string QuoteValue(absl::string_view value);

// A (field, description) pair, as in google.rpc.BadRequest.
using FieldViolation = std::pair<std::string, std::string>;

// ErrorInfo reasons of the gateway's own errors (upstream ones are in
// service/upstream/http/upstream_error.h).
inline constexpr char kInvalidFieldReason[] = "INVALID_FIELD";
inline constexpr char kUnknownProjectReason[] = "UNKNOWN_PROJECT";

// INVALID_ARGUMENT naming one field: message "<field>: <description>", with a
// BadRequest detail and ErrorInfo INVALID_FIELD (metadata "field").
absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view description);

// Adds a BadRequest detail (merging with any already attached).
absl::Status WithFieldViolations(absl::Status status,
                                 const std::vector<FieldViolation>& violations);
std::vector<FieldViolation> FieldViolations(const absl::Status& status);

// Attaches a RetryInfo detail telling the caller when to retry.
absl::Status WithRetryAfter(absl::Status status, absl::Duration delay);
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

// Attaches an ErrorInfo detail with a machine-readable reason (and metadata).
absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::vector<std::pair<std::string, std::string>>& metadata = {});
std::optional<std::string> ErrorReason(const absl::Status& status);

// Prefixes the message with context ("GetFile: ..."), keeping code and details.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace ucgate
