#include "service/access/tls_config.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "service/access/yaml_fields.h"
#include "service/common/log.h"

namespace ucgate::access {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free_all(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

absl::Status TlsFileError(const std::string& path, absl::string_view what) {
  ERR_clear_error();  // OpenSSL's queue would otherwise reach the next user.
  return absl::InvalidArgumentError(absl::StrCat("'", path, "' ", what));
}

absl::StatusOr<X509Ptr> FirstCertificate(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return TlsFileError(path, "cannot be read");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return TlsFileError(path, "holds no PEM certificate");
  return cert;
}

}  // namespace

absl::StatusOr<TlsServerConfig> ParseTlsConfig(const YAML::Node& node,
                                               const std::string& where) {
  return CatchYamlErrors(where, [&]() -> absl::StatusOr<TlsServerConfig> {
    absl::StatusOr<YamlMapping> mapping =
        YamlMapping::Open(node, where,
                          {"cert_file", "key_file", "client_ca_file",
                           "client_certificates", "reload_interval_seconds"});
    if (!mapping.ok()) return mapping.status();
    TlsServerConfig config;
    absl::StatusOr<std::string> cert = mapping->RequiredString("cert_file");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = mapping->RequiredString("key_file");
    if (!key.ok()) return key.status();
    config.cert_file = *std::move(cert);
    config.key_file = *std::move(key);
    double interval = 10;
    std::string client_certificates;
    for (const absl::Status& status :
         {mapping->OptionalString("client_ca_file", &config.client_ca_file),
          mapping->OptionalString("client_certificates", &client_certificates),
          mapping->Number("reload_interval_seconds", 1, 3600, &interval)}) {
      if (!status.ok()) return status;
    }
    config.reload_interval = absl::Seconds(static_cast<int>(interval));
    if (client_certificates.empty() || client_certificates == "require") {
      config.client_certificates = config.client_ca_file.empty()
                                       ? ClientCertificates::kNone
                                       : ClientCertificates::kRequire;
    } else if (client_certificates == "request") {
      config.client_certificates = ClientCertificates::kRequest;
    } else {
      return ConfigKeyError(mapping->Where("client_certificates"),
                            "must be require or request");
    }
    if (!client_certificates.empty() && config.client_ca_file.empty()) {
      return ConfigKeyError(mapping->Where("client_certificates"),
                            "needs client_ca_file to verify them with");
    }
    return config;
  });
}

absl::Status CheckTlsFiles(const TlsServerConfig& config) {
  absl::StatusOr<X509Ptr> cert = FirstCertificate(config.cert_file);
  if (!cert.ok()) return cert.status();
  BioPtr key_bio(BIO_new_file(config.key_file.c_str(), "r"));
  if (!key_bio) return TlsFileError(config.key_file, "cannot be read");
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return TlsFileError(config.key_file,
                        "holds no unencrypted PEM private key");
  }
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    return TlsFileError(config.key_file, absl::StrCat("does not match '",
                                                      config.cert_file, "'"));
  }
  if (!config.client_ca_file.empty()) {
    absl::StatusOr<X509Ptr> ca = FirstCertificate(config.client_ca_file);
    if (!ca.ok()) return ca.status();
  }
  return absl::OkStatus();
}

bool IsLoopbackListenAddress(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  absl::string_view host = listen;
  const size_t colon = host.rfind(':');
  if (colon == absl::string_view::npos) return false;
  host = host.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) {
    if (!absl::ConsumeSuffix(&host, "]")) return false;
    return host == "::1";
  }
  if (host == "localhost") return true;
  // 127.0.0.0/8.
  const std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  int first = 0;
  return octets.size() == 4 && absl::SimpleAtoi(octets[0], &first) &&
         first == 127;
}

absl::Status CheckUnauthenticatedListen(const std::string& listen,
                                        bool callers_configured,
                                        bool allow_unauthenticated) {
  if (callers_configured || IsLoopbackListenAddress(listen)) {
    return absl::OkStatus();
  }
  if (!allow_unauthenticated) {
    return absl::FailedPreconditionError(absl::StrCat(
        "listen ", listen,
        " is reachable from other hosts but no callers are configured: "
        "anyone could use every project. Configure `callers` (and `tls`), "
        "listen on a loopback address, or set `allow_unauthenticated: true`"));
  }
  UCGATE_LOG(kWarning, "listening on ", listen,
             " without caller authentication (allow_unauthenticated: true): "
             "anyone who reaches the port can use every project");
  return absl::OkStatus();
}

}  // namespace ucgate::access
