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
//     staging_dir: /tmp                       # where TlsFileStage copies go
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/access/watched_file.h"

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
  // Parent of the TlsFileStage directory; empty: $TMPDIR, else /tmp.
  std::string staging_dir;
};

// The `tls` mapping above; errors name the key.
absl::StatusOr<TlsServerConfig> ParseTlsConfig(const YAML::Node& node,
                                               const std::string& where);

// Validated copies of the configured TLS files, which are what gRPC's file
// watcher reads. Debian's gRPC 1.51 takes whatever the files hold when they
// change: a key that does not match the certificate stops every new
// handshake, and an empty key file aborts the process (an assertion in
// tls_security_connector.cc). So this watches the configured files (poll
// it with a FileReloader) and copies a new version into its stage only once
// it holds a certificate chain, the private key of its first certificate,
// and (when configured) CA certificates; otherwise it keeps the last good
// version and logs one error line. The stage is laid out as kubelet lays
// out a volume (files reached through a `..data` symlink swapped by rename),
// so gRPC never reads a half-written pair.
//
// The stage is a 0700 directory of its own under `staging_dir`, removed
// when the object goes (after the server that reads it).
class TlsFileStage final : public FileBackedValue {
 public:
  static absl::StatusOr<std::shared_ptr<TlsFileStage>> Create(
      const TlsServerConfig& source);
  ~TlsFileStage() override;

  // The source configuration with its paths moved into the stage.
  const TlsServerConfig& staged() const { return staged_; }

 private:
  TlsFileStage(const TlsServerConfig& source, std::string directory);
  absl::Status Accept(const std::vector<std::string>& contents) override;

  const TlsServerConfig source_;
  const std::string directory_;
  TlsServerConfig staged_;
  int versions_ = 0;  // Guarded by FileBackedValue's poll serialization.
};

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
