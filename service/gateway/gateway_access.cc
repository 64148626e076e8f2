#include "service/gateway/gateway_access.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "service/access/call_limiter.h"
#include "service/access/token_keyring.h"
#include "service/common/log.h"

namespace ucgate::gateway {

absl::StatusOr<std::shared_ptr<const access::AccessPolicy>> MakeAccessPolicy(
    const GatewayConfig& config, access::JwksFileCache& jwks,
    std::shared_ptr<const Clock> clock) {
  if (config.access.callers.empty()) {
    return std::shared_ptr<const access::AccessPolicy>();
  }
  return access::AccessPolicy::Create(config.access.callers,
                                      config.access.authorization_mode,
                                      jwks.AsFactory(), std::move(clock));
}

std::shared_ptr<access::CallLimiter> MakeCallLimiter(
    const GatewayConfig& config, std::shared_ptr<const Clock> clock) {
  std::vector<std::pair<std::string, access::CallLimits>> callers, projects;
  for (const access::CallerConfig& caller : config.access.callers) {
    if (!caller.limits.unlimited())
      callers.push_back({caller.name, caller.limits});
  }
  for (const ProjectConfig& project : config.projects) {
    if (!project.limits.unlimited()) {
      projects.push_back({project.name, project.limits});
    }
  }
  if (callers.empty() && projects.empty()) return nullptr;
  return std::make_shared<access::CallLimiter>(callers, projects,
                                               std::move(clock));
}

absl::StatusOr<GatewayAccessSetup> MakeGatewayAccess(
    const GatewayConfig& config,
    const std::shared_ptr<access::FileReloader>& reloader,
    std::shared_ptr<const Clock> clock) {
  const AccessConfig& settings = config.access;
  if (absl::Status status = access::CheckUnauthenticatedListen(
          config.listen, !settings.callers.empty(),
          settings.allow_unauthenticated);
      !status.ok()) {
    return status;
  }
  GatewayAccessSetup setup;
  CallGateOptions gate;
  gate.clock = clock;
  if (settings.tls) {
    absl::StatusOr<access::ReloadingTlsCredentials> tls =
        access::MakeReloadingTlsServerCredentials(*settings.tls);
    if (!tls.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config.tls: ", tls.status().message()));
    }
    setup.access.credentials = tls->credentials;
    setup.tls_stage = tls->stage;
    reloader->Add(setup.tls_stage);
    gate.trust = access::TrustOf(*settings.tls);
  }
  bool names_certificates = false;
  for (const access::CallerConfig& caller : settings.callers) {
    names_certificates |= !caller.certificate_identities.empty();
  }
  if (names_certificates &&
      gate.trust != access::CertificateTrust::kVerifiedByTls) {
    UCGATE_LOG(kWarning,
               "callers name certificate_identities but tls.client_ca_file is "
               "not set: client certificates are not verified, so those "
               "identities match nobody");
  }
  setup.jwks = std::make_shared<access::JwksFileCache>(reloader);
  absl::StatusOr<std::shared_ptr<const access::AccessPolicy>> policy =
      MakeAccessPolicy(config, *setup.jwks, clock);
  if (!policy.ok()) return policy.status();
  gate.policy = *std::move(policy);
  gate.limiter = MakeCallLimiter(config, clock);
  gate.throttle = std::make_shared<access::UpstreamThrottle>(clock);

  std::shared_ptr<const access::ValueSource<access::TokenKeyring>> keyring;
  if (!settings.page_token_keys_file.empty()) {
    absl::StatusOr<
        std::shared_ptr<access::ReloadingValue<access::TokenKeyring>>>
        loaded = access::LoadTokenKeyringFile(settings.page_token_keys_file);
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config.page_token_keys_file: ", loaded.status().message()));
    }
    setup.token_keys = *loaded;
    reloader->Add(setup.token_keys);
    keyring = setup.token_keys;
  } else {
    // Tokens then work only on this process; replicas need the shared file.
    keyring = std::make_shared<access::FixedValue<access::TokenKeyring>>(
        RandomTokenKeyring());
  }
  gate.sealer = std::make_shared<access::TokenSealer>(
      std::move(keyring), clock, settings.page_token_max_age);
  setup.gate = std::make_shared<CallGate>(std::move(gate));
  setup.access.gate = setup.gate;
  return setup;
}

namespace {

// What a reload cannot change without a restart; empty when nothing.
std::string NeedsRestart(const GatewayConfig& running,
                         const GatewayConfig& fresh) {
  if (running.projects.size() != fresh.projects.size()) return "projects";
  for (size_t i = 0; i < running.projects.size(); ++i) {
    const ProjectConfig& a = running.projects[i];
    const ProjectConfig& b = fresh.projects[i];
    if (a.name != b.name || a.base_url != b.base_url ||
        a.api_version != b.api_version || a.auth_scheme != b.auth_scheme ||
        a.secret_key_file != b.secret_key_file ||
        a.public_key_file != b.public_key_file ||
        a.public_key != b.public_key) {
      return absl::StrCat("projects[", i, "]");
    }
  }
  // The port's credentials are built once at start from these.
  const std::optional<access::TlsServerConfig>& a = running.access.tls;
  const std::optional<access::TlsServerConfig>& b = fresh.access.tls;
  if (a.has_value() != b.has_value() ||
      (a.has_value() &&
       (a->cert_file != b->cert_file || a->key_file != b->key_file ||
        a->client_ca_file != b->client_ca_file ||
        a->client_certificates != b->client_certificates ||
        a->reload_interval != b->reload_interval ||
        a->staging_dir != b->staging_dir))) {
    return "tls";
  }
  if (running.access.page_token_keys_file !=
      fresh.access.page_token_keys_file) {
    return "page_token_keys_file";
  }
  return "";
}

}  // namespace

absl::StatusOr<std::shared_ptr<ConfigFileReload>> ConfigFileReload::Create(
    std::string path, EnvironmentLookup env, GatewayConfig running,
    std::shared_ptr<CallGate> gate, std::shared_ptr<access::JwksFileCache> jwks,
    std::shared_ptr<const Clock> clock) {
  std::shared_ptr<ConfigFileReload> reload(
      new ConfigFileReload(std::move(path), std::move(env), std::move(running),
                           std::move(gate), std::move(jwks), std::move(clock)));
  if (absl::Status status = reload->LoadInitial(); !status.ok()) return status;
  return reload;
}

ConfigFileReload::ConfigFileReload(std::string path, EnvironmentLookup env,
                                   GatewayConfig running,
                                   std::shared_ptr<CallGate> gate,
                                   std::shared_ptr<access::JwksFileCache> jwks,
                                   std::shared_ptr<const Clock> clock)
    : FileBackedValue("configuration file", {std::move(path)}),
      env_(std::move(env)),
      running_(std::move(running)),
      gate_(std::move(gate)),
      jwks_(std::move(jwks)),
      clock_(std::move(clock)) {}

absl::Status ConfigFileReload::Accept(
    const std::vector<std::string>& contents) {
  if (!started_) {
    // The version the gateway was started with, already in effect.
    started_ = true;
    return absl::OkStatus();
  }
  absl::StatusOr<GatewayConfig> fresh = ParseConfig(contents[0], env_);
  if (!fresh.ok()) return fresh.status();
  // What the environment and flags set stays as it is.
  fresh->listen = running_.listen;
  if (absl::Status valid = ValidateConfig(*fresh); !valid.ok()) return valid;
  if (std::string changed = NeedsRestart(running_, *fresh); !changed.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(changed,
                     " changed: restart ucgate to apply this version (the "
                     "running configuration stays)"));
  }
  if (absl::Status open = access::CheckUnauthenticatedListen(
          fresh->listen, !fresh->access.callers.empty(),
          fresh->access.allow_unauthenticated);
      !open.ok()) {
    return open;
  }
  absl::StatusOr<std::shared_ptr<const access::AccessPolicy>> policy =
      MakeAccessPolicy(*fresh, *jwks_, clock_);
  if (!policy.ok()) return policy.status();
  gate_->Replace(*std::move(policy), MakeCallLimiter(*fresh, clock_));
  UCGATE_LOG(
      kInfo, "configuration reloaded: ", fresh->access.callers.size(),
      " callers, authorization_mode ",
      fresh->access.authorization_mode == access::AuthorizationMode::kLogOnly
          ? "log_only"
          : "enforce");
  return absl::OkStatus();
}

}  // namespace ucgate::gateway
