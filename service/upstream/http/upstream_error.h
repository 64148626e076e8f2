// The one place where upstream HTTP statuses become canonical error codes.
// Every error carries an ErrorInfo (domain kErrorDomain, one of the reasons
// below, metadata "http_status"), messages start with "upstream: " and quote
// at most a short, sanitized piece of the upstream's answer.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::http {

// ErrorInfo reasons.
inline constexpr char kUpstreamBadRequest[] = "UPSTREAM_BAD_REQUEST";  // 400
inline constexpr char kUpstreamCredentialsRejected[] =
    "UPSTREAM_CREDENTIALS_REJECTED";  // 401, 403 refusing the keys
inline constexpr char kUpstreamFeatureNotAvailable[] =
    "UPSTREAM_FEATURE_NOT_AVAILABLE";  // 403 for the project's plan
inline constexpr char kUpstreamNotFound[] = "UPSTREAM_NOT_FOUND";  // 404, 410
inline constexpr char kUpstreamVersionRejected[] =
    "UPSTREAM_VERSION_REJECTED";                                  // 406
inline constexpr char kUpstreamConflict[] = "UPSTREAM_CONFLICT";  // 409
inline constexpr char kUpstreamPayloadTooLarge[] =
    "UPSTREAM_PAYLOAD_TOO_LARGE";                                   // 413
inline constexpr char kUpstreamThrottled[] = "UPSTREAM_THROTTLED";  // 429
inline constexpr char kUpstreamRejected[] = "UPSTREAM_REJECTED";    // other 4xx
inline constexpr char kUpstreamUnavailable[] = "UPSTREAM_UNAVAILABLE";  // 5xx
inline constexpr char kUpstreamUnexpectedRedirect[] =
    "UPSTREAM_UNEXPECTED_REDIRECT";  // 3xx
inline constexpr char kUpstreamUnexpectedStatus[] =
    "UPSTREAM_UNEXPECTED_STATUS";  // 1xx or out of range
// The transport's (async_http_client.cc): no connection, a connection that
// failed (reset, closed, garbled), TLS, the gateway's own TLS set-up, a
// timeout, an answer over max_response_bytes.
inline constexpr char kUpstreamUnreachable[] = "UPSTREAM_UNREACHABLE";
inline constexpr char kUpstreamConnectionFailed[] =
    "UPSTREAM_CONNECTION_FAILED";
inline constexpr char kUpstreamTlsFailed[] = "UPSTREAM_TLS_FAILED";
inline constexpr char kGatewayTlsConfiguration[] = "GATEWAY_TLS_CONFIGURATION";
inline constexpr char kUpstreamTimeout[] = "UPSTREAM_TIMEOUT";
inline constexpr char kUpstreamTransferFailed[] = "UPSTREAM_TRANSFER_FAILED";
inline constexpr char kUpstreamAnswerTooLarge[] = "UPSTREAM_ANSWER_TOO_LARGE";
// ErrorInfo metadata key holding the HTTP status, e.g. "404".
inline constexpr char kHttpStatusMetadataKey[] = "http_status";

// OK for 2xx; otherwise:
//   400 INVALID_ARGUMENT with the upstream's detail or field map (the latter
//       also as BadRequest field violations), 413 INVALID_ARGUMENT,
//   401, and 403 refusing the keys (its detail is about authentication,
//       credentials or signatures, or there is none), INTERNAL (the
//       gateway's credentials were refused); any other 403 (the project's
//       plan forbids it: "You can't use webhooks") FAILED_PRECONDITION with
//       UPSTREAM_FEATURE_NOT_AVAILABLE, or with a field map,
//       FAILED_PRECONDITION with UPSTREAM_REJECTED (quoted, not blamed on
//       the caller's fields),
//   404/410 NOT_FOUND, 406 INTERNAL, 409 ABORTED,
//   429 RESOURCE_EXHAUSTED with RetryInfo when Retry-After (or the legacy
//       X-Throttle-Wait-Seconds) is given,
//   5xx UNAVAILABLE (with RetryInfo when Retry-After is given),
//   3xx INTERNAL (redirects are never followed), other 4xx
//   FAILED_PRECONDITION.
// `now` turns an HTTP-date Retry-After into a delay.
absl::Status StatusFromHttpResponse(const HttpResponse& response,
                                    absl::Time now);
absl::Status StatusFromHttpResponse(const HttpResponse& response);

// The HTTP status an upstream error was made from (its ErrorInfo's
// http_status); 0 when no HTTP answer came (connection failure, timeout,
// cancellation) or `status` is not an upstream error.
int HttpStatusOf(const absl::Status& status);

// The delay a 429/503 answer asks for: Retry-After as seconds or an HTTP-date
// (relative to `now`, never negative), else X-Throttle-Wait-Seconds.
std::optional<absl::Duration> RetryDelayFromHeaders(
    const HttpResponse& response, absl::Time now);

}  // namespace ucgate::http
