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
  setup.access.gate = std::make_shared<CallGate>(std::move(gate));
  return setup;
}

}  // namespace ucgate::gateway
