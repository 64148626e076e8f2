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
  std::string ca_key_file;  // The CA's private key (to sign more leaves).
};

struct TestLeafCertificate {
  std::string cert_file;  // PEM, signed by the CA it was made with.
  std::string key_file;   // PEM (unencrypted).
};

// Writes ca.pem, ca.key, server.pem and server.key into `dir` (which must
// exist).
// The server certificate names `host` as its subject CN and DNS SAN, and each
// of `ip_sans` as an IP SAN; it is valid from one hour ago for one day.
absl::StatusOr<TestCertificates> WriteTestCertificates(
    std::string dir, std::string host = "localhost",
    std::vector<std::string> ip_sans = {"127.0.0.1"});

// Writes <name>.pem and <name>.key into `dir`: a certificate signed by the
// CA of `ca`, good for client and server authentication, with
// `subject_alt_names` in OpenSSL syntax ("URI:spiffe://td/ns/a,DNS:a.b";
// empty for none) and CN `name`.
absl::StatusOr<TestLeafCertificate> WriteTestLeafCertificate(
    const TestCertificates& ca, const std::string& dir, const std::string& name,
    const std::string& subject_alt_names);

}  // namespace ucgate::testing
