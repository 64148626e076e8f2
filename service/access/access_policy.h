// Who may call: callers identified by a static bearer token (the
// configuration holds its SHA-256 only), a verified client certificate, or a
// JWT; each allowed some projects and some methods; everyone else denied.
//
// Configuration (the `callers:` list; see ParseCallers):
//
//   callers:
//     - name: billing
//       token_sha256: ["<64 hex digits>"]       # sha256sum of the token
//       certificate_identities: ["spiffe://cluster.local/ns/billing/sa/api",
//                                "billing.internal"]   # URI or DNS SANs
//       jwt: {issuer: "https://issuer", audience: "ucgate",
//             jwks_file: /etc/ucgate/jwks.json, subject: "billing"}
//       projects: [shop]                         # or ["*"]
//       methods: ["uploadcare.gateway.v1.FileService/*",
//                 "/uploadcare.gateway.v1.GroupService/GetGroup"]
//       limits: {calls_per_second: 50, burst: 100, max_in_flight: 20}
//
// Method spellings: "/package.Service/Method" (gRPC's full name) or the same
// without the leading slash; "package.Service/*" (every method of a service);
// "*" (every method). Matching is exact and case-sensitive.
//
// Outcomes, each with a google.rpc.ErrorInfo (domain ucgate.uploadcare.com,
// reasons in access_reasons.h): UNAUTHENTICATED for a missing, malformed or
// unknown credential; PERMISSION_DENIED for a known caller asking for a
// project or method it was not given. Every refusal logs one audit line
// (caller, project, method, reason; never a credential). In log-only mode
// refusals are logged the same way and the call is let through, for rolling
// a policy out.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/access/call_limiter.h"
#include "service/access/crypto_util.h"
#include "service/access/jwt_verifier.h"
#include "service/access/watched_file.h"
#include "service/common/clock.h"
#include "service/common/secret.h"

namespace ucgate::access {

// What a call presented (see grpc_call_credentials.h for taking it from a
// gRPC call).
struct PresentedCredentials {
  // The `authorization` metadata value; empty when absent. A Secret, so it
  // cannot reach a log line or an error by accident.
  Secret authorization;
  // Identities of a client certificate TLS verified: URI SANs (SPIFFE IDs)
  // and DNS SANs.
  std::vector<std::string> certificate_identities;
};

struct JwtIdentity {
  std::string issuer;
  std::string audience;
  std::string jwks_file;
  // Empty: any subject of the issuer (for this audience).
  std::string subject;
};

struct CallerConfig {
  std::string name;
  std::vector<Sha256Digest> token_sha256;
  std::vector<std::string> certificate_identities;
  std::optional<JwtIdentity> jwt;
  // Project names, or "*" for every project.
  std::vector<std::string> projects;
  // Normalized method patterns: "/package.Service/Method",
  // "/package.Service/*" or "*".
  std::vector<std::string> methods;
  CallLimits limits;

  bool MayUseProject(absl::string_view project) const;
  bool MayCallMethod(absl::string_view full_method) const;
};

enum class AuthorizationMode { kEnforce, kLogOnly };

struct ParseCallersOptions {
  // Where the list sits, for errors ("config.callers[3].jwt: ...").
  std::string where = "callers";
  // When not empty: every project a caller names must be one of these.
  std::vector<std::string> known_projects;
  // When not empty: every method pattern must match at least one of these
  // full names ("/package.Service/Method"), so that a typo is an error.
  std::vector<std::string> known_methods;
};

// Parses the `callers` list. Errors are INVALID_ARGUMENT naming the key;
// unknown keys, duplicate names, and a token, certificate identity or
// (issuer, audience, subject) shared by two callers are errors.
absl::StatusOr<std::vector<CallerConfig>> ParseCallers(
    const YAML::Node& node, const ParseCallersOptions& options = {});

// `enforce` (the default) or `log_only`.
absl::StatusOr<AuthorizationMode> ParseAuthorizationMode(
    const YAML::Node& node, const std::string& where);

// "/package.Service/Method" for the accepted spellings (see above), "*" for
// "*"; nullopt for anything else.
std::optional<std::string> NormalizeMethodPattern(absl::string_view pattern);
bool MethodPatternMatches(absl::string_view normalized_pattern,
                          absl::string_view full_method);

// Gives the JWKS of a file: the gateway hands out ReloadingValues
// registered with its FileReloader (JwksFileCache), tests fixed keys.
using JwksSourceFactory =
    std::function<absl::StatusOr<std::shared_ptr<const ValueSource<Jwks>>>(
        const std::string& path)>;

// Loads each JWKS file once and keeps it watched while any policy uses it,
// so that a configuration reload reuses what is loaded.
class JwksFileCache {
 public:
  explicit JwksFileCache(std::shared_ptr<FileReloader> reloader)
      : reloader_(std::move(reloader)) {}

  absl::StatusOr<std::shared_ptr<const ValueSource<Jwks>>> Get(
      const std::string& path);
  JwksSourceFactory AsFactory() {
    return [this](const std::string& path) { return Get(path); };
  }

 private:
  std::shared_ptr<FileReloader> reloader_;
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::weak_ptr<ReloadingValue<Jwks>>> files_
      ABSL_GUARDED_BY(mutex_);
};

struct AccessDecision {
  // OK, or UNAUTHENTICATED / PERMISSION_DENIED with ErrorInfo. Always OK in
  // log-only mode.
  absl::Status status;
  // The caller the credentials identify; null when none. Set in log-only
  // mode too, for per-caller limits.
  const CallerConfig* caller = nullptr;
  // Log-only mode: what enforcing would have answered.
  absl::Status would_refuse;
};

class AccessPolicy {
 public:
  static absl::StatusOr<std::shared_ptr<const AccessPolicy>> Create(
      std::vector<CallerConfig> callers, AuthorizationMode mode,
      const JwksSourceFactory& jwks, std::shared_ptr<const Clock> clock,
      JwtVerifierOptions jwt_options = {});

  // Authentication, then authorization of `full_method`
  // ("/package.Service/Method") on `project` (empty for a method no project
  // scopes). One audit line per refusal.
  AccessDecision Check(const PresentedCredentials& credentials,
                       absl::string_view full_method,
                       absl::string_view project) const;

  // The parts of Check, without logging.
  // A bearer token, when present, decides; otherwise the client
  // certificate.
  absl::StatusOr<const CallerConfig*> Authenticate(
      const PresentedCredentials& credentials) const;
  static absl::Status Authorize(const CallerConfig& caller,
                                absl::string_view full_method,
                                absl::string_view project);

  AuthorizationMode mode() const { return mode_; }
  const std::vector<CallerConfig>& callers() const { return callers_; }

 private:
  struct TokenEntry {
    Sha256Digest digest;
    size_t caller;
  };
  struct IssuerEntry {
    std::unique_ptr<JwtVerifier> verifier;
    std::vector<size_t> callers;  // Those whose jwt.issuer this is.
  };

  AccessPolicy() = default;
  absl::StatusOr<const CallerConfig*> AuthenticateBearer(
      absl::string_view token) const;
  absl::StatusOr<const CallerConfig*> AuthenticateJwt(
      absl::string_view token, absl::string_view unverified_issuer) const;
  absl::StatusOr<const CallerConfig*> AuthenticateCertificate(
      const std::vector<std::string>& identities) const;

  std::vector<CallerConfig> callers_;
  AuthorizationMode mode_ = AuthorizationMode::kEnforce;
  std::vector<TokenEntry> tokens_;
  absl::flat_hash_map<std::string, size_t> certificate_identities_;
  absl::flat_hash_map<std::string, IssuerEntry> issuers_;
};

}  // namespace ucgate::access
