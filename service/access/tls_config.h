// TLS on the gRPC port: which files, whether clients must show a certificate,
// how often the files are checked for a new version; and the safe default
// for a port without TLS or callers.
//
//   tls:
//     cert_file: /etc/ucgate/tls/tls.crt      # chain, leaf first
//     key_file: /etc/ucgate/tls/tls.key
//     client_ca_file: /etc/ucgate/tls/ca.crt  # optional: mTLS
//     client_certificates: require            # or `request` (verified
//                                             # when sent); needs the CA
//     reload_interval_seconds: 10
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ucgate::access {

enum class ClientCertificates {
  kNone,
  // Verified against the CA when the client sends one; bearer tokens for
  // the others.
  kRequest,
  kRequire,
};

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  ClientCertificates client_certificates = ClientCertificates::kNone;
  absl::Duration reload_interval = absl::Seconds(10);
};

// The `tls` mapping above; errors name the key.
absl::StatusOr<TlsServerConfig> ParseTlsConfig(const YAML::Node& node,
                                               const std::string& where);

// Reads the files now: a certificate chain, the private key that matches its
// first certificate, and (when configured) at least one CA certificate.
// Errors name the file, never its contents.
absl::Status CheckTlsFiles(const TlsServerConfig& config);

// "127.0.0.1:50051", "localhost:...", "[::1]:...", "unix:..." are loopback;
// "0.0.0.0:...", "[::]:...", ":50051" and other hosts are not.
bool IsLoopbackListenAddress(const std::string& listen);

// The safe default: without callers configured, a non-loopback port is
// refused (FAILED_PRECONDITION saying what to configure) unless
// `allow_unauthenticated` says otherwise, and then one warning line is
// logged.
absl::Status CheckUnauthenticatedListen(const std::string& listen,
                                        bool callers_configured,
                                        bool allow_unauthenticated);

}  // namespace ucgate::access
