// The google.rpc.ErrorInfo reasons of refused calls (domain
// ucgate.uploadcare.com), one place so that clients, docs and tests agree.
#pragma once

namespace ucgate::access {

// UNAUTHENTICATED: no usable credential.
inline constexpr char kCredentialsMissing[] = "CREDENTIALS_MISSING";
inline constexpr char kAuthorizationMalformed[] = "AUTHORIZATION_MALFORMED";
inline constexpr char kTokenUnknown[] = "TOKEN_UNKNOWN";
inline constexpr char kCertificateUnknown[] = "CERTIFICATE_UNKNOWN";
inline constexpr char kJwtMalformed[] = "JWT_MALFORMED";
inline constexpr char kJwtAlgorithmRefused[] = "JWT_ALGORITHM_REFUSED";
inline constexpr char kJwtKeyUnknown[] = "JWT_KEY_UNKNOWN";
inline constexpr char kJwtSignatureInvalid[] = "JWT_SIGNATURE_INVALID";
inline constexpr char kJwtExpired[] = "JWT_EXPIRED";
inline constexpr char kJwtNotYetValid[] = "JWT_NOT_YET_VALID";
inline constexpr char kJwtIssuerUnknown[] = "JWT_ISSUER_UNKNOWN";
inline constexpr char kJwtAudienceMismatch[] = "JWT_AUDIENCE_MISMATCH";
inline constexpr char kJwtSubjectUnknown[] = "JWT_SUBJECT_UNKNOWN";

// PERMISSION_DENIED: a known caller asked for more than it may.
inline constexpr char kProjectDenied[] = "PROJECT_DENIED";
inline constexpr char kMethodDenied[] = "METHOD_DENIED";

// RESOURCE_EXHAUSTED (with google.rpc.RetryInfo).
inline constexpr char kCallerRateLimited[] = "CALLER_RATE_LIMITED";
inline constexpr char kProjectRateLimited[] = "PROJECT_RATE_LIMITED";
inline constexpr char kCallerTooManyInFlight[] = "CALLER_TOO_MANY_IN_FLIGHT";
inline constexpr char kProjectTooManyInFlight[] = "PROJECT_TOO_MANY_IN_FLIGHT";
inline constexpr char kUpstreamThrottled[] = "UPSTREAM_THROTTLED";

}  // namespace ucgate::access
