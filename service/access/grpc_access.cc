#include "service/access/grpc_access.h"

#include <grpc/grpc_security_constants.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace ucgate::access {
namespace {

constexpr char kAuthorizationMetadata[] = "authorization";

std::string ToString(const grpc::string_ref& value) {
  return std::string(value.data(), value.size());
}

}  // namespace

std::vector<std::string> CertificateIdentities(const grpc::AuthContext& auth) {
  std::vector<std::string> identities;
  const std::vector<grpc::string_ref> security =
      auth.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  if (security.empty() ||
      (ToString(security.front()) != GRPC_SSL_TRANSPORT_SECURITY_TYPE &&
       ToString(security.front()) != GRPC_TLS_TRANSPORT_SECURITY_TYPE)) {
    return identities;
  }
  for (const char* property :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
      identities.push_back(ToString(value));
    }
  }
  return identities;
}

PresentedCredentials CredentialsOfCall(const grpc::ServerContextBase& context,
                                       CertificateTrust trust) {
  PresentedCredentials credentials;
  std::vector<std::string> values;
  const auto range =
      context.client_metadata().equal_range(kAuthorizationMetadata);
  for (auto it = range.first; it != range.second; ++it) {
    values.push_back(ToString(it->second));
  }
  // Two values join into one that is not "Bearer <token>": refused as
  // malformed rather than picking one.
  credentials.authorization = Secret(absl::StrJoin(values, ", "));
  if (trust == CertificateTrust::kVerifiedByTls) {
    if (std::shared_ptr<const grpc::AuthContext> auth =
            context.auth_context()) {
      credentials.certificate_identities = CertificateIdentities(*auth);
    }
  }
  return credentials;
}

absl::StatusOr<ReloadingTlsCredentials> MakeReloadingTlsServerCredentials(
    const TlsServerConfig& config) {
  absl::StatusOr<std::shared_ptr<TlsFileStage>> stage =
      TlsFileStage::Create(config);
  if (!stage.ok()) return stage.status();
  const TlsServerConfig& staged = (*stage)->staged();
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          staged.key_file, staged.cert_file, staged.client_ca_file,
          static_cast<unsigned int>(std::max<int64_t>(
              1, absl::ToInt64Seconds(staged.reload_interval))));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  switch (staged.client_certificates) {
    case ClientCertificates::kNone:
      options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
      break;
    case ClientCertificates::kRequest:
      options.watch_root_certs();
      options.set_cert_request_type(
          GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
      break;
    case ClientCertificates::kRequire:
      options.watch_root_certs();
      options.set_cert_request_type(
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
      break;
  }
  ReloadingTlsCredentials result{
      grpc::experimental::TlsServerCredentials(options), *std::move(stage)};
  if (!result.credentials) {
    return absl::InternalError("gRPC refused the TLS server options");
  }
  return result;
}

CertificateTrust TrustOf(const TlsServerConfig& config) {
  return config.client_certificates == ClientCertificates::kNone
             ? CertificateTrust::kIgnore
             : CertificateTrust::kVerifiedByTls;
}

}  // namespace ucgate::access
