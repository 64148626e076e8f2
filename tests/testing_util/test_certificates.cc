#include "tests/testing_util/test_certificates.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <memory>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ucgate::testing {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free_all(bio); }
};
struct ExtensionDeleter {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionDeleter>;

// The failing step plus OpenSSL's own queued reasons.
absl::Status OpenSslError(absl::string_view what) {
  std::string message = absl::StrCat("test certificates: ", what);
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&message, "; ", buffer);
  }
  return absl::InternalError(message);
}

absl::StatusOr<PkeyPtr> NewKey() {
  // P-256 keeps generation fast; every TLS stack in use accepts it.
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("EC key generation failed");
  return key;
}

struct CertificateSpec {
  std::string common_name;
  bool is_ca = false;
  std::string subject_alt_names;  // OpenSSL conf syntax; empty for none.
  std::string extended_key_usage = "serverAuth";
};

// Signs a certificate for `key` with `issuer_key`; `issuer` null means
// self-signed.
absl::StatusOr<X509Ptr> NewCertificate(const CertificateSpec& spec,
                                       EVP_PKEY* key, X509* issuer,
                                       EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("X509_new failed");
  // Random serials: two certificates from one CA name must never collide.
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) !=
      1) {
    return OpenSslError("RAND_bytes failed");
  }
  serial &= 0x7fffffffffffffffULL;
  if (X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("setting certificate fields failed");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          subject, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
          -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(
          subject, "O", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>("ucgate tests"), -1, -1,
          0) != 1) {
    return OpenSslError("setting subject failed");
  }
  X509* issuer_cert = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert)) !=
      1) {
    return OpenSslError("setting issuer failed");
  }

  std::vector<std::pair<int, std::string>> extensions;
  if (spec.is_ca) {
    extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                  {NID_key_usage, "critical,keyCertSign,cRLSign"},
                  {NID_subject_key_identifier, "hash"}};
  } else {
    extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                  {NID_key_usage, "critical,digitalSignature"},
                  {NID_ext_key_usage, spec.extended_key_usage},
                  {NID_subject_key_identifier, "hash"},
                  {NID_authority_key_identifier, "keyid:always"}};
    if (!spec.subject_alt_names.empty()) {
      extensions.emplace_back(NID_subject_alt_name, spec.subject_alt_names);
    }
  }
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer_cert, cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    ExtensionPtr extension(
        X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension || X509_add_ext(cert.get(), extension.get(), -1) != 1) {
      return OpenSslError(absl::StrCat("adding extension ", OBJ_nid2sn(nid),
                                       "=", value, " failed"));
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return OpenSslError("signing failed");
  }
  return cert;
}

absl::Status WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  if (!bio) return OpenSslError(absl::StrCat("cannot open ", path));
  const bool written =
      cert != nullptr
          ? PEM_write_bio_X509(bio.get(), cert) == 1
          : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                     nullptr, nullptr) == 1;
  if (!written) return OpenSslError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

template <typename T, typename Read>
absl::StatusOr<T> ReadPem(const std::string& path, Read read) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return OpenSslError(absl::StrCat("cannot open ", path));
  T value(read(bio.get(), nullptr, nullptr, nullptr));
  if (!value) return OpenSslError(absl::StrCat("cannot parse ", path));
  return value;
}

}  // namespace

absl::StatusOr<TestCertificates> WriteTestCertificates(
    std::string dir, std::string host, std::vector<std::string> ip_sans) {
  absl::StatusOr<PkeyPtr> ca_key = NewKey();
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<X509Ptr> ca_cert =
      NewCertificate({"ucgate test CA", /*is_ca=*/true, ""}, ca_key->get(),
                     nullptr, ca_key->get());
  if (!ca_cert.ok()) return ca_cert.status();

  std::vector<std::string> alt_names;
  if (!host.empty()) alt_names.push_back(absl::StrCat("DNS:", host));
  for (const std::string& ip : ip_sans) {
    alt_names.push_back(absl::StrCat("IP:", ip));
  }
  absl::StatusOr<PkeyPtr> server_key = NewKey();
  if (!server_key.ok()) return server_key.status();
  absl::StatusOr<X509Ptr> server_cert =
      NewCertificate({host.empty() ? "ucgate test server" : host,
                      /*is_ca=*/false, absl::StrJoin(alt_names, ",")},
                     server_key->get(), ca_cert->get(), ca_key->get());
  if (!server_cert.ok()) return server_cert.status();

  TestCertificates files{
      absl::StrCat(dir, "/ca.pem"), absl::StrCat(dir, "/server.pem"),
      absl::StrCat(dir, "/server.key"), absl::StrCat(dir, "/ca.key")};
  for (const auto& [path, cert, key] :
       {std::tuple<std::string, X509*, EVP_PKEY*>{files.ca_pem_file,
                                                  ca_cert->get(), nullptr},
        {files.cert_file, server_cert->get(), nullptr},
        {files.key_file, nullptr, server_key->get()},
        {files.ca_key_file, nullptr, ca_key->get()}}) {
    if (absl::Status status = WritePem(path, cert, key); !status.ok()) {
      return status;
    }
  }
  return files;
}

absl::StatusOr<TestLeafCertificate> WriteTestLeafCertificate(
    const TestCertificates& ca, const std::string& dir, const std::string& name,
    const std::string& subject_alt_names) {
  absl::StatusOr<X509Ptr> ca_cert =
      ReadPem<X509Ptr>(ca.ca_pem_file, PEM_read_bio_X509);
  if (!ca_cert.ok()) return ca_cert.status();
  absl::StatusOr<PkeyPtr> ca_key =
      ReadPem<PkeyPtr>(ca.ca_key_file, PEM_read_bio_PrivateKey);
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<PkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert = NewCertificate(
      {name, /*is_ca=*/false, subject_alt_names, "clientAuth,serverAuth"},
      key->get(), ca_cert->get(), ca_key->get());
  if (!cert.ok()) return cert.status();
  TestLeafCertificate files{absl::StrCat(dir, "/", name, ".pem"),
                            absl::StrCat(dir, "/", name, ".key")};
  if (absl::Status status = WritePem(files.cert_file, cert->get(), nullptr);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = WritePem(files.key_file, nullptr, key->get());
      !status.ok()) {
    return status;
  }
  return files;
}

}  // namespace ucgate::testing
