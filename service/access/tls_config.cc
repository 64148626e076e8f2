#include "service/access/tls_config.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "service/access/openssl_ptr.h"
#include "service/access/yaml_fields.h"
#include "service/common/log.h"

namespace ucgate::access {
namespace {

constexpr char kCertName[] = "tls.crt";
constexpr char kKeyName[] = "tls.key";
constexpr char kCaName[] = "ca.crt";

absl::Status TlsFileError(const std::string& path, absl::string_view what) {
  ERR_clear_error();  // OpenSSL's queue would otherwise reach the next user.
  return absl::InvalidArgumentError(absl::StrCat("'", path, "' ", what));
}

// Never prompts for a passphrase (OpenSSL's default callback reads the
// terminal): an encrypted key is refused instead.
int NoPassphrase(char*, int, int, void*) { return -1; }

BioPtr MemoryBio(const std::string& contents) {
  return BioPtr(
      BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
}

// The PEM certificates of `pem`, in order.
std::vector<X509Ptr> Certificates(const std::string& pem) {
  std::vector<X509Ptr> certificates;
  BioPtr bio = MemoryBio(pem);
  while (X509* cert =
             PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) {
    certificates.emplace_back(cert);
  }
  ERR_clear_error();  // The end of the input reads as an error.
  return certificates;
}

// Checks a certificate chain, its key and CA certificates (contents of the
// configured files, `ca_pem` empty when none) as a TLS server can use them.
absl::Status ValidateTlsMaterial(const TlsServerConfig& config,
                                 const std::string& cert_pem,
                                 const std::string& key_pem,
                                 const std::string& ca_pem) {
  std::vector<X509Ptr> chain = Certificates(cert_pem);
  if (chain.empty()) {
    return TlsFileError(config.cert_file, "holds no PEM certificate");
  }
  BioPtr key_bio = MemoryBio(key_pem);
  EvpPkeyPtr key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return TlsFileError(config.key_file,
                        "holds no unencrypted PEM private key");
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    return TlsFileError(config.key_file, absl::StrCat("does not match '",
                                                      config.cert_file, "'"));
  }
  if (!config.client_ca_file.empty() && Certificates(ca_pem).empty()) {
    return TlsFileError(config.client_ca_file, "holds no PEM certificate");
  }
  return absl::OkStatus();
}

absl::Status WriteStageFile(const std::string& path,
                            const std::string& contents, mode_t mode) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot write '", path, "': ", strerror(errno)));
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n =
        ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return absl::InternalError(
          absl::StrCat("cannot write '", path, "': ", strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  return absl::OkStatus();
}

std::string StagingParent(const TlsServerConfig& config) {
  if (!config.staging_dir.empty()) return config.staging_dir;
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

}  // namespace

absl::StatusOr<TlsServerConfig> ParseTlsConfig(const YAML::Node& node,
                                               const std::string& where) {
  return CatchYamlErrors(where, [&]() -> absl::StatusOr<TlsServerConfig> {
    absl::StatusOr<YamlMapping> mapping = YamlMapping::Open(
        node, where,
        {"cert_file", "key_file", "client_ca_file", "client_certificates",
         "reload_interval_seconds", "staging_dir"});
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
          mapping->OptionalString("staging_dir", &config.staging_dir),
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

absl::StatusOr<std::shared_ptr<TlsFileStage>> TlsFileStage::Create(
    const TlsServerConfig& source) {
  std::string pattern =
      absl::StrCat(StagingParent(source), "/ucgate-tls-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {  // Mode 0700.
    return absl::FailedPreconditionError(
        absl::StrCat("tls.staging_dir: cannot create a directory in '",
                     StagingParent(source), "': ", strerror(errno)));
  }
  std::shared_ptr<TlsFileStage> stage(new TlsFileStage(source, pattern));
  if (absl::Status status = stage->LoadInitial(); !status.ok()) {
    return status;
  }
  return stage;
}

TlsFileStage::TlsFileStage(const TlsServerConfig& source, std::string directory)
    : FileBackedValue(
          "TLS files",
          source.client_ca_file.empty()
              ? std::vector<std::string>{source.cert_file, source.key_file}
              : std::vector<std::string>{source.cert_file, source.key_file,
                                         source.client_ca_file}),
      source_(source),
      directory_(std::move(directory)),
      staged_(source) {
  staged_.cert_file = absl::StrCat(directory_, "/", kCertName);
  staged_.key_file = absl::StrCat(directory_, "/", kKeyName);
  if (!source.client_ca_file.empty()) {
    staged_.client_ca_file = absl::StrCat(directory_, "/", kCaName);
  }
}

TlsFileStage::~TlsFileStage() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

absl::Status TlsFileStage::Accept(const std::vector<std::string>& contents) {
  const std::string& ca_pem = contents.size() > 2 ? contents[2] : "";
  if (absl::Status valid =
          ValidateTlsMaterial(source_, contents[0], contents[1], ca_pem);
      !valid.ok()) {
    return valid;
  }
  // A new version directory, then `..data` swapped to it by rename: gRPC
  // reads either the old pair or the new one, never half of each.
  const std::string version = absl::StrCat("..v", ++versions_);
  const std::string version_dir = absl::StrCat(directory_, "/", version);
  if (::mkdir(version_dir.c_str(), 0700) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot create '", version_dir, "': ", strerror(errno)));
  }
  std::vector<std::pair<const char*, const std::string*>> files = {
      {kCertName, &contents[0]}, {kKeyName, &contents[1]}};
  if (contents.size() > 2) files.emplace_back(kCaName, &contents[2]);
  for (const auto& [name, data] : files) {
    const mode_t mode = name == std::string(kKeyName) ? 0600 : 0644;
    if (absl::Status status =
            WriteStageFile(absl::StrCat(version_dir, "/", name), *data, mode);
        !status.ok()) {
      return status;
    }
  }
  const std::string staged_link = absl::StrCat(directory_, "/..data_tmp");
  const std::string data_link = absl::StrCat(directory_, "/..data");
  ::unlink(staged_link.c_str());
  if (::symlink(version.c_str(), staged_link.c_str()) != 0 ||
      ::rename(staged_link.c_str(), data_link.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot switch '", data_link, "': ", strerror(errno)));
  }
  for (const auto& [name, data] : files) {
    const std::string link = absl::StrCat(directory_, "/", name);
    if (versions_ == 1 &&
        ::symlink(absl::StrCat("..data/", name).c_str(), link.c_str()) != 0) {
      return absl::InternalError(
          absl::StrCat("cannot link '", link, "': ", strerror(errno)));
    }
  }
  // The version before stays: gRPC may be reading it right now.
  if (versions_ > 2) {
    std::error_code ignored;
    std::filesystem::remove_all(absl::StrCat(directory_, "/..v", versions_ - 2),
                                ignored);
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
