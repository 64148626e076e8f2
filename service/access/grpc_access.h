// The gRPC side of access control: the credentials a call presented, and TLS
// server credentials whose certificate, key and client CA are reloaded when
// their files change.
//
// Separate library (ucgate_access_grpc) so that the policy itself builds and
// tests without gRPC.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_context.h"
#include "service/access/access_policy.h"
#include "service/access/tls_config.h"

namespace ucgate::access {

// Whether the port's TLS verifies client certificates. Only then do the
// certificate's names identify anyone: with an unverified certificate the
// client picks them.
enum class CertificateTrust { kIgnore, kVerifiedByTls };

// The URI SANs (SPIFFE IDs) and DNS SANs of the peer's certificate, as the
// TLS handshake put them in `auth` (properties peer_uri and peer_dns); empty
// without TLS or without a client certificate.
std::vector<std::string> CertificateIdentities(const grpc::AuthContext& auth);

// The `authorization` metadata of the call (several values make it
// malformed) and, with kVerifiedByTls, the certificate identities.
PresentedCredentials CredentialsOfCall(const grpc::ServerContextBase& context,
                                       CertificateTrust trust);

// TLS credentials for the gRPC port that follow their files: gRPC's
// FileWatcherCertificateProvider (grpc::experimental, links in Debian's 1.51)
// reads the certificate, key and client CA of `stage` every
// `reload_interval` and serves a new version to new connections
// (connections already open keep theirs). The stage only ever holds
// validated files (see TlsFileStage for why). Client certificates are only
// ever requested in the verifying modes.
struct ReloadingTlsCredentials {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Register it with the FileReloader; keep it until the server is gone.
  std::shared_ptr<TlsFileStage> stage;
};
absl::StatusOr<ReloadingTlsCredentials> MakeReloadingTlsServerCredentials(
    const TlsServerConfig& config);

// CertificateTrust of a port configured with `config`.
CertificateTrust TrustOf(const TlsServerConfig& config);

}  // namespace ucgate::access
