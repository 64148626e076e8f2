// Assembles who may call the gateway from its configuration: the safe default
// for a port without callers, TLS with reloading credentials, the access
// policy (JWKS files watched), the limits, the upstream throttle and the
// page-token keys (README "Securing ucgate").
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "service/access/access_policy.h"
#include "service/access/grpc_access.h"
#include "service/access/watched_file.h"
#include "service/common/clock.h"
#include "service/gateway/config.h"
#include "service/gateway/gateway_server.h"

namespace ucgate::gateway {

struct GatewayAccessSetup {
  GatewayAccess access;
  // The same gate as access.gate, for a configuration reload to swap into.
  std::shared_ptr<CallGate> gate;
  // Keep these as long as the server: the reloader holds them weakly.
  std::shared_ptr<access::TlsFileStage> tls_stage;
  std::shared_ptr<access::JwksFileCache> jwks;
  std::shared_ptr<access::ReloadingValue<access::TokenKeyring>> token_keys;
};

// FAILED_PRECONDITION when the listen address is reachable from other hosts
// and no callers are configured without `allow_unauthenticated` (logs the
// warning when allowed); INVALID_ARGUMENT naming the key for files that
// cannot be used. Watched files are registered with `reloader`.
absl::StatusOr<GatewayAccessSetup> MakeGatewayAccess(
    const GatewayConfig& config,
    const std::shared_ptr<access::FileReloader>& reloader,
    std::shared_ptr<const Clock> clock);

// The policy and limiter of `config` (for a configuration reload, which
// swaps them into the running gate).
absl::StatusOr<std::shared_ptr<const access::AccessPolicy>> MakeAccessPolicy(
    const GatewayConfig& config, access::JwksFileCache& jwks,
    std::shared_ptr<const Clock> clock);
std::shared_ptr<access::CallLimiter> MakeCallLimiter(
    const GatewayConfig& config, std::shared_ptr<const Clock> clock);

// The configuration file, watched (and read again on SIGHUP): a new version
// that parses and validates replaces the callers, the authorization mode and
// the limits of the running gate at once (calls in flight keep their
// permits); anything else is refused with one error line and the old
// configuration stays. Changing the projects themselves (names, keys' files,
// upstreams), `listen`, `tls` or the page-token keys needs a restart; such a
// version is refused too, saying so. Register it with the FileReloader and
// keep it as long as the server.
class ConfigFileReload final : public access::FileBackedValue {
 public:
  // `running` is the configuration the gateway started with (after
  // environment and flags).
  static absl::StatusOr<std::shared_ptr<ConfigFileReload>> Create(
      std::string path, EnvironmentLookup env, GatewayConfig running,
      std::shared_ptr<CallGate> gate,
      std::shared_ptr<access::JwksFileCache> jwks,
      std::shared_ptr<const Clock> clock);

 private:
  ConfigFileReload(std::string path, EnvironmentLookup env,
                   GatewayConfig running, std::shared_ptr<CallGate> gate,
                   std::shared_ptr<access::JwksFileCache> jwks,
                   std::shared_ptr<const Clock> clock);
  absl::Status Accept(const std::vector<std::string>& contents) override;

  const EnvironmentLookup env_;
  const GatewayConfig running_;
  const std::shared_ptr<CallGate> gate_;
  const std::shared_ptr<access::JwksFileCache> jwks_;
  const std::shared_ptr<const Clock> clock_;
  // The first Accept is the file the gateway started from.
  bool started_ = false;
};

}  // namespace ucgate::gateway
