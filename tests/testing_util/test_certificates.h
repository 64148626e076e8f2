// Throw-away TLS material for tests: a self-signed CA and a server
// certificate it signed, generated in-process with OpenSSL (no shelling out),
// so that HTTPS servers on loopback can be verified for real.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ucgate::testing {

struct TestCertificates {
  std::string ca_pem_file;  // The CA certificate (trust anchor), PEM.
  std::string cert_file;    // The server certificate, PEM.
  std::string key_file;     // The server's private key, PEM (unencrypted).
};

// Writes ca.pem, server.pem and server.key into `dir` (which must exist).
// The server certificate names `host` as its subject CN and DNS SAN, and each
// of `ip_sans` as an IP SAN; it is valid from one hour ago for one day.
absl::StatusOr<TestCertificates> WriteTestCertificates(
    std::string dir, std::string host = "localhost",
    std::vector<std::string> ip_sans = {"127.0.0.1"});

}  // namespace ucgate::testing
