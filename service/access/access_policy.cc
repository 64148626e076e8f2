#include "service/access/access_policy.h"

#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/access/access_reasons.h"
#include "service/access/yaml_fields.h"
#include "service/common/log.h"
#include "service/common/status.h"

namespace ucgate::access {
namespace {

constexpr size_t kAuditFieldMaxBytes = 128;

absl::Status Unauthenticated(const char* reason, absl::string_view what) {
  return WithErrorInfo(absl::UnauthenticatedError(what), reason);
}

bool IsIdentifier(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

bool IsCallerName(absl::string_view name) {
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return !name.empty() && name.size() <= 64;
}

// The token of "Bearer <token>" (scheme case-insensitive, RFC 7235).
std::optional<absl::string_view> BearerToken(absl::string_view value) {
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  absl::string_view token =
      absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  for (char c : token) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) ||
        !absl::ascii_isprint(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  return token;
}

// Caller-chosen text in an audit line: bounded, one line, quoted.
std::string AuditField(absl::string_view text) {
  const bool cut = text.size() > kAuditFieldMaxBytes;
  return absl::StrCat("\"",
                      absl::CHexEscape(text.substr(0, kAuditFieldMaxBytes)),
                      cut ? "..." : "", "\"");
}

absl::Status ParseJwtIdentity(const YAML::Node& node, const std::string& where,
                              JwtIdentity* jwt) {
  absl::StatusOr<YamlMapping> mapping = YamlMapping::Open(
      node, where, {"issuer", "audience", "jwks_file", "subject"});
  if (!mapping.ok()) return mapping.status();
  for (auto [key, out] : {std::pair{"issuer", &jwt->issuer},
                          std::pair{"audience", &jwt->audience},
                          std::pair{"jwks_file", &jwt->jwks_file}}) {
    absl::StatusOr<std::string> value = mapping->RequiredString(key);
    if (!value.ok()) return value.status();
    *out = *std::move(value);
  }
  return mapping->OptionalString("subject", &jwt->subject);
}

absl::Status ParseMethods(const YamlMapping& mapping,
                          const ParseCallersOptions& options,
                          std::vector<std::string>* methods) {
  std::vector<std::string> patterns;
  if (absl::Status status = mapping.StringList("methods", &patterns);
      !status.ok()) {
    return status;
  }
  if (patterns.empty()) {
    return ConfigKeyError(mapping.Where("methods"),
                          "list the methods the caller may call");
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    const std::string where =
        absl::StrCat(mapping.Where("methods"), "[", i, "]");
    std::optional<std::string> pattern = NormalizeMethodPattern(patterns[i]);
    if (!pattern) {
      return ConfigKeyError(
          where,
          "must be \"/package.Service/Method\", \"package.Service/Method\", "
          "\"package.Service/*\" or \"*\"");
    }
    if (!options.known_methods.empty()) {
      bool matches = false;
      for (const std::string& method : options.known_methods) {
        matches = matches || MethodPatternMatches(*pattern, method);
      }
      if (!matches) {
        return ConfigKeyError(
            where, absl::StrCat("'", patterns[i], "' matches no method"));
      }
    }
    methods->push_back(*std::move(pattern));
  }
  return absl::OkStatus();
}

absl::Status ParseProjects(const YamlMapping& mapping,
                           const ParseCallersOptions& options,
                           std::vector<std::string>* projects) {
  if (absl::Status status = mapping.StringList("projects", projects);
      !status.ok()) {
    return status;
  }
  if (projects->empty()) {
    return ConfigKeyError(mapping.Where("projects"),
                          "list the projects the caller may use, or \"*\"");
  }
  if (options.known_projects.empty()) return absl::OkStatus();
  for (size_t i = 0; i < projects->size(); ++i) {
    const std::string& project = (*projects)[i];
    if (project != "*" &&
        std::find(options.known_projects.begin(), options.known_projects.end(),
                  project) == options.known_projects.end()) {
      return ConfigKeyError(
          absl::StrCat(mapping.Where("projects"), "[", i, "]"),
          absl::StrCat("'", project, "' is not a configured project"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CallerConfig> ParseCaller(const YAML::Node& node,
                                         const std::string& where,
                                         const ParseCallersOptions& options) {
  absl::StatusOr<YamlMapping> mapping =
      YamlMapping::Open(node, where,
                        {"name", "token_sha256", "certificate_identities",
                         "jwt", "projects", "methods", "limits"});
  if (!mapping.ok()) return mapping.status();
  CallerConfig caller;
  absl::StatusOr<std::string> name = mapping->RequiredString("name");
  if (!name.ok()) return name.status();
  if (!IsCallerName(*name)) {
    return ConfigKeyError(mapping->Where("name"),
                          "must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  caller.name = *std::move(name);

  std::vector<std::string> hashes;
  if (absl::Status status = mapping->StringList("token_sha256", &hashes);
      !status.ok()) {
    return status;
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    std::optional<Sha256Digest> digest = ParseSha256Hex(hashes[i]);
    // Never quoted: a token pasted here by mistake must not reach a log.
    if (!digest) {
      return ConfigKeyError(
          absl::StrCat(mapping->Where("token_sha256"), "[", i, "]"),
          "must be 64 hex digits, the SHA-256 of the token (printf %s "
          "\"$TOKEN\" | sha256sum), never the token itself");
    }
    caller.token_sha256.push_back(*digest);
  }

  if (absl::Status status = mapping->StringList("certificate_identities",
                                                &caller.certificate_identities);
      !status.ok()) {
    return status;
  }
  for (size_t i = 0; i < caller.certificate_identities.size(); ++i) {
    const std::string& identity = caller.certificate_identities[i];
    if (absl::StrContains(identity, '*') ||
        std::any_of(identity.begin(), identity.end(), [](char c) {
          return absl::ascii_isspace(static_cast<unsigned char>(c));
        })) {
      return ConfigKeyError(
          absl::StrCat(mapping->Where("certificate_identities"), "[", i, "]"),
          "must be a URI SAN (spiffe://...) or a DNS name, without "
          "wildcards or spaces");
    }
  }

  if (mapping->Has("jwt")) {
    JwtIdentity jwt;
    if (absl::Status status =
            ParseJwtIdentity(mapping->Node("jwt"), mapping->Where("jwt"), &jwt);
        !status.ok()) {
      return status;
    }
    caller.jwt = std::move(jwt);
  }
  if (caller.token_sha256.empty() && caller.certificate_identities.empty() &&
      !caller.jwt) {
    return ConfigKeyError(where,
                          "give at least one identity: token_sha256, "
                          "certificate_identities or jwt");
  }
  if (absl::Status status = ParseProjects(*mapping, options, &caller.projects);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ParseMethods(*mapping, options, &caller.methods);
      !status.ok()) {
    return status;
  }
  if (mapping->Has("limits")) {
    absl::StatusOr<CallLimits> limits =
        ParseCallLimits(mapping->Node("limits"), mapping->Where("limits"));
    if (!limits.ok()) return limits.status();
    caller.limits = *limits;
  }
  return caller;
}

// Identities two callers share make "who is calling" ambiguous.
absl::Status CheckDistinctIdentities(const std::vector<CallerConfig>& callers,
                                     const std::string& where) {
  std::set<Sha256Digest> tokens;
  std::set<std::string> names, certificates;
  std::set<std::tuple<std::string, std::string, std::string>> jwt_identities;
  absl::flat_hash_map<std::string, std::string> jwks_of_issuer;
  for (size_t i = 0; i < callers.size(); ++i) {
    const CallerConfig& caller = callers[i];
    const std::string at = absl::StrCat(where, "[", i, "]");
    if (!names.insert(caller.name).second) {
      return ConfigKeyError(absl::StrCat(at, ".name"),
                            absl::StrCat("'", caller.name, "' is used twice"));
    }
    for (const Sha256Digest& token : caller.token_sha256) {
      if (!tokens.insert(token).second) {
        return ConfigKeyError(absl::StrCat(at, ".token_sha256"),
                              "a token hash is listed twice");
      }
    }
    for (const std::string& identity : caller.certificate_identities) {
      if (!certificates.insert(identity).second) {
        return ConfigKeyError(
            absl::StrCat(at, ".certificate_identities"),
            absl::StrCat("'", identity, "' belongs to another caller too"));
      }
    }
    if (!caller.jwt) continue;
    const JwtIdentity& jwt = *caller.jwt;
    if (!jwt_identities.emplace(jwt.issuer, jwt.audience, jwt.subject).second) {
      return ConfigKeyError(
          absl::StrCat(at, ".jwt"),
          "another caller has the same issuer, audience and subject");
    }
    auto [it, inserted] = jwks_of_issuer.emplace(jwt.issuer, jwt.jwks_file);
    if (!inserted && it->second != jwt.jwks_file) {
      return ConfigKeyError(absl::StrCat(at, ".jwt.jwks_file"),
                            "callers of one issuer must share its jwks_file");
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool CallerConfig::MayUseProject(absl::string_view project) const {
  if (project.empty()) return true;
  for (const std::string& allowed : projects) {
    if (allowed == "*" || allowed == project) return true;
  }
  return false;
}

bool CallerConfig::MayCallMethod(absl::string_view full_method) const {
  for (const std::string& pattern : methods) {
    if (MethodPatternMatches(pattern, full_method)) return true;
  }
  return false;
}

std::optional<std::string> NormalizeMethodPattern(absl::string_view pattern) {
  if (pattern == "*") return std::string("*");
  absl::ConsumePrefix(&pattern, "/");
  const std::vector<absl::string_view> parts = absl::StrSplit(pattern, '/');
  if (parts.size() != 2) return std::nullopt;
  for (absl::string_view part : absl::StrSplit(parts[0], '.')) {
    if (!IsIdentifier(part)) return std::nullopt;
  }
  if (parts[1] != "*" && !IsIdentifier(parts[1])) return std::nullopt;
  return absl::StrCat("/", parts[0], "/", parts[1]);
}

bool MethodPatternMatches(absl::string_view normalized_pattern,
                          absl::string_view full_method) {
  if (normalized_pattern == "*") return true;
  if (absl::EndsWith(normalized_pattern, "/*")) {
    absl::string_view service_prefix = normalized_pattern;
    service_prefix.remove_suffix(1);  // Keeps the '/'.
    return absl::StartsWith(full_method, service_prefix) &&
           full_method.size() > service_prefix.size() &&
           !absl::StrContains(full_method.substr(service_prefix.size()), '/');
  }
  return normalized_pattern == full_method;
}

absl::StatusOr<std::vector<CallerConfig>> ParseCallers(
    const YAML::Node& node, const ParseCallersOptions& options) {
  return CatchYamlErrors(
      options.where, [&]() -> absl::StatusOr<std::vector<CallerConfig>> {
        std::vector<CallerConfig> callers;
        if (!node.IsDefined() || node.IsNull()) return callers;
        if (!node.IsSequence()) {
          return ConfigKeyError(options.where, "must be a list of callers");
        }
        for (size_t i = 0; i < node.size(); ++i) {
          absl::StatusOr<CallerConfig> caller = ParseCaller(
              node[i], absl::StrCat(options.where, "[", i, "]"), options);
          if (!caller.ok()) return caller.status();
          callers.push_back(*std::move(caller));
        }
        if (absl::Status status =
                CheckDistinctIdentities(callers, options.where);
            !status.ok()) {
          return status;
        }
        return callers;
      });
}

absl::StatusOr<AuthorizationMode> ParseAuthorizationMode(
    const YAML::Node& node, const std::string& where) {
  if (!node.IsDefined() || node.IsNull()) return AuthorizationMode::kEnforce;
  if (node.IsScalar() && node.Scalar() == "enforce") {
    return AuthorizationMode::kEnforce;
  }
  if (node.IsScalar() && node.Scalar() == "log_only") {
    return AuthorizationMode::kLogOnly;
  }
  return ConfigKeyError(where, "must be enforce or log_only");
}

absl::StatusOr<std::shared_ptr<const ValueSource<Jwks>>> JwksFileCache::Get(
    const std::string& path) {
  absl::MutexLock lock(&mutex_);
  if (std::shared_ptr<ReloadingValue<Jwks>> loaded = files_[path].lock()) {
    return loaded;
  }
  absl::StatusOr<std::shared_ptr<ReloadingValue<Jwks>>> loaded =
      LoadJwksFile(path);
  if (!loaded.ok()) return loaded.status();
  reloader_->Add(*loaded);
  files_[path] = *loaded;
  return *loaded;
}

absl::StatusOr<std::shared_ptr<const AccessPolicy>> AccessPolicy::Create(
    std::vector<CallerConfig> callers, AuthorizationMode mode,
    const JwksSourceFactory& jwks, std::shared_ptr<const Clock> clock,
    JwtVerifierOptions jwt_options) {
  std::shared_ptr<AccessPolicy> policy(new AccessPolicy());
  policy->mode_ = mode;
  policy->callers_ = std::move(callers);
  absl::flat_hash_map<std::string, std::vector<std::string>> audiences;
  absl::flat_hash_map<std::string, std::string> jwks_files;
  for (size_t i = 0; i < policy->callers_.size(); ++i) {
    const CallerConfig& caller = policy->callers_[i];
    for (const Sha256Digest& digest : caller.token_sha256) {
      policy->tokens_.push_back({digest, i});
    }
    for (const std::string& identity : caller.certificate_identities) {
      policy->certificate_identities_.emplace(identity, i);
    }
    if (caller.jwt) {
      policy->issuers_[caller.jwt->issuer].callers.push_back(i);
      audiences[caller.jwt->issuer].push_back(caller.jwt->audience);
      jwks_files[caller.jwt->issuer] = caller.jwt->jwks_file;
    }
  }
  for (auto& [issuer, entry] : policy->issuers_) {
    absl::StatusOr<std::shared_ptr<const ValueSource<Jwks>>> keys =
        jwks(jwks_files[issuer]);
    if (!keys.ok()) return keys.status();
    entry.verifier = std::make_unique<JwtVerifier>(
        issuer, audiences[issuer], *std::move(keys), clock, jwt_options);
  }
  return std::shared_ptr<const AccessPolicy>(std::move(policy));
}

absl::StatusOr<const CallerConfig*> AccessPolicy::Authenticate(
    const PresentedCredentials& credentials) const {
  if (!credentials.authorization.empty()) {
    std::optional<absl::string_view> token =
        BearerToken(credentials.authorization.Reveal());
    if (!token) {
      return Unauthenticated(kAuthorizationMalformed,
                             "the authorization metadata must be "
                             "'Bearer <token>'");
    }
    return AuthenticateBearer(*token);
  }
  if (!credentials.certificate_identities.empty()) {
    return AuthenticateCertificate(credentials.certificate_identities);
  }
  return Unauthenticated(kCredentialsMissing,
                         "no credentials: send 'authorization: Bearer "
                         "<token>' metadata or a client certificate");
}

absl::StatusOr<const CallerConfig*> AccessPolicy::AuthenticateBearer(
    absl::string_view token) const {
  const Sha256Digest digest = Sha256(token);
  const absl::string_view presented(
      reinterpret_cast<const char*>(digest.data()), digest.size());
  // Every entry compared, in constant time each: how long this takes says
  // nothing about which hash, if any, matched.
  const CallerConfig* found = nullptr;
  for (const TokenEntry& entry : tokens_) {
    const bool equal = ConstantTimeEquals(
        presented,
        absl::string_view(reinterpret_cast<const char*>(entry.digest.data()),
                          entry.digest.size()));
    if (equal) found = &callers_[entry.caller];
  }
  if (found != nullptr) return found;
  if (std::optional<std::string> issuer = UnverifiedJwtIssuer(token)) {
    return AuthenticateJwt(token, *issuer);
  }
  return Unauthenticated(kTokenUnknown, "the bearer token is not known");
}

absl::StatusOr<const CallerConfig*> AccessPolicy::AuthenticateJwt(
    absl::string_view token, absl::string_view unverified_issuer) const {
  // The unverified issuer only routes the token to its issuer's keys;
  // Verify checks `iss` again once the signature holds.
  auto it = issuers_.find(unverified_issuer);
  if (it == issuers_.end()) {
    return Unauthenticated(kJwtIssuerUnknown,
                           "bearer JWT: the issuer is not trusted");
  }
  absl::StatusOr<VerifiedJwt> jwt = it->second.verifier->Verify(token);
  if (!jwt.ok()) return jwt.status();
  const CallerConfig* any_subject = nullptr;
  for (size_t index : it->second.callers) {
    const CallerConfig& caller = callers_[index];
    if (!jwt->HasAudience(caller.jwt->audience)) continue;
    if (!caller.jwt->subject.empty() && caller.jwt->subject == jwt->subject) {
      return &caller;
    }
    if (caller.jwt->subject.empty() && any_subject == nullptr) {
      any_subject = &caller;
    }
  }
  if (any_subject != nullptr) return any_subject;
  return Unauthenticated(kJwtSubjectUnknown,
                         "bearer JWT: no caller is configured for its subject");
}

absl::StatusOr<const CallerConfig*> AccessPolicy::AuthenticateCertificate(
    const std::vector<std::string>& identities) const {
  const CallerConfig* found = nullptr;
  for (const std::string& identity : identities) {
    auto it = certificate_identities_.find(identity);
    if (it == certificate_identities_.end()) continue;
    const CallerConfig* caller = &callers_[it->second];
    if (found != nullptr && found != caller) {
      return Unauthenticated(kCertificateUnknown,
                             "the client certificate names several callers");
    }
    found = caller;
  }
  if (found == nullptr) {
    return Unauthenticated(kCertificateUnknown,
                           "the client certificate names no known caller");
  }
  return found;
}

absl::Status AccessPolicy::Authorize(const CallerConfig& caller,
                                     absl::string_view full_method,
                                     absl::string_view project) {
  if (!caller.MayCallMethod(full_method)) {
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat(
            "caller '", caller.name, "' may not call ", full_method)),
        kMethodDenied,
        {{"caller", caller.name}, {"method", std::string(full_method)}});
  }
  if (!caller.MayUseProject(project)) {
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat(
            "caller '", caller.name, "' may not use project '", project, "'")),
        kProjectDenied,
        {{"caller", caller.name}, {"project", std::string(project)}});
  }
  return absl::OkStatus();
}

AccessDecision AccessPolicy::Check(const PresentedCredentials& credentials,
                                   absl::string_view full_method,
                                   absl::string_view project) const {
  AccessDecision decision;
  absl::StatusOr<const CallerConfig*> caller = Authenticate(credentials);
  absl::Status refusal = caller.status();
  if (caller.ok()) {
    decision.caller = *caller;
    refusal = Authorize(**caller, full_method, project);
  }
  if (refusal.ok()) return decision;

  const bool log_only = mode_ == AuthorizationMode::kLogOnly;
  UCGATE_LOG(kWarning, "audit: ",
             log_only ? "would refuse (log-only mode, let through)" : "refused",
             " caller=", decision.caller ? decision.caller->name : "-",
             " project=", AuditField(project),
             " method=", AuditField(full_method),
             " code=", absl::StatusCodeToString(refusal.code()),
             " reason=", ErrorReason(refusal).value_or("-"));
  if (log_only) {
    decision.would_refuse = std::move(refusal);
  } else {
    decision.status = std::move(refusal);
  }
  return decision;
}

}  // namespace ucgate::access
