// Debian gRPC 1.51's experimental TLS stack, for real on loopback:
// TlsServerCredentials with a FileWatcherCertificateProvider (it links and
// works), TLS and mTLS with certificates made by the test, the caller's
// certificate identities as a handler sees them, and certificate, key and
// client CA swapped through Kubernetes' `..data` symlink while the server
// runs.
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/channel.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "service/access/grpc_access.h"
#include "tests/access/access_test_util.h"
#include "tests/testing_util/eventually.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::access {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ReadFile;
using ::ucgate::testing::Eventually;
using ::ucgate::testing::TestCertificates;
using ::ucgate::testing::TestLeafCertificate;
using ::ucgate::testing::WriteTestCertificates;
using ::ucgate::testing::WriteTestLeafCertificate;

constexpr char kSpiffeId[] = "spiffe://cluster.local/ns/billing/sa/api";
constexpr char kServerSans[] = "DNS:localhost,IP:127.0.0.1";

// Answers every method with what the call presented:
// "<identity>,<identity>|<bearer or empty>".
class PresentedCredentialsEcho final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(grpc::GenericCallbackServerContext* context) {
        const PresentedCredentials credentials =
            CredentialsOfCall(*context, CertificateTrust::kVerifiedByTls);
        answer_ = absl::StrCat(
            absl::StrJoin(credentials.certificate_identities, ","), "|",
            credentials.authorization.empty() ? "" : "bearer");
        StartRead(&request_);
      }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(
              grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
          return;
        }
        grpc::Slice slice(answer_);
        response_ = grpc::ByteBuffer(&slice, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      std::string answer_;
      grpc::ByteBuffer request_;
      grpc::ByteBuffer response_;
    };
    return new Reactor(context);
  }
};

struct ClientFiles {
  std::string ca_file;
  std::string cert_file;  // Empty: no client certificate.
  std::string key_file;
};

struct CallResult {
  grpc::Status status;
  std::string echoed;
  std::string server_cert_pem;  // What the server presented.
};

class GrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestCertificates> ca = WriteTestCertificates(dir_.path());
    ASSERT_THAT(ca, IsOk());
    ca_ = *ca;
    absl::StatusOr<TestLeafCertificate> client = WriteTestLeafCertificate(
        ca_, dir_.path(), "billing",
        absl::StrCat("URI:", kSpiffeId, ",DNS:billing.internal"));
    ASSERT_THAT(client, IsOk());
    client_ = *client;
    // Another CA and a client it signed: never trusted by the server.
    std::filesystem::create_directory(dir_.File("foreign"));
    absl::StatusOr<TestCertificates> foreign_ca =
        WriteTestCertificates(dir_.File("foreign"));
    ASSERT_THAT(foreign_ca, IsOk());
    foreign_ca_ = *foreign_ca;
    absl::StatusOr<TestLeafCertificate> foreign_client =
        WriteTestLeafCertificate(foreign_ca_, dir_.File("foreign"), "intruder",
                                 absl::StrCat("URI:", kSpiffeId));
    ASSERT_THAT(foreign_client, IsOk());
    foreign_client_ = *foreign_client;
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  void StartServer(TlsServerConfig config) {
    config.staging_dir = dir_.path();
    absl::StatusOr<ReloadingTlsCredentials> tls =
        MakeReloadingTlsServerCredentials(config);
    ASSERT_THAT(tls, IsOk());
    stage_ = tls->stage;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", tls->credentials, &port_);
    builder.RegisterCallbackGenericService(&echo_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  TlsServerConfig ServerConfig(ClientCertificates client_certificates) const {
    TlsServerConfig config;
    config.cert_file = ca_.cert_file;
    config.key_file = ca_.key_file;
    if (client_certificates != ClientCertificates::kNone) {
      config.client_ca_file = ca_.ca_pem_file;
    }
    config.client_certificates = client_certificates;
    config.reload_interval = absl::Seconds(1);
    return config;
  }

  // One call on a fresh connection of its own.
  CallResult Call(const ClientFiles& files) const {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(files.ca_file);
    if (!files.cert_file.empty()) {
      ssl.pem_cert_chain = ReadFile(files.cert_file);
      ssl.pem_private_key = ReadFile(files.key_file);
    }
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                  grpc::SslCredentials(ssl), arguments);
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    context.AddMetadata("authorization", "Bearer some-token");
    grpc::Slice slice(std::string("ping"));
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, "/ucgate.test.Echo/Presented", grpc::StubOptions(),
                   &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    CallResult result;
    result.status = done.get_future().get();
    if (result.status.ok()) {
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      for (const grpc::Slice& part : slices) {
        result.echoed.append(reinterpret_cast<const char*>(part.begin()),
                             part.size());
      }
      for (const grpc::string_ref& pem :
           context.auth_context()->FindPropertyValues("x509_pem_cert")) {
        result.server_cert_pem.assign(pem.data(), pem.size());
      }
    }
    return result;
  }

  ClientFiles WithClientCertificate() const {
    return {ca_.ca_pem_file, client_.cert_file, client_.key_file};
  }

  ::ucgate::testing::ScopedTempDir dir_{"grpc_tls"};
  TestCertificates ca_;
  TestLeafCertificate client_;
  TestCertificates foreign_ca_;
  TestLeafCertificate foreign_client_;
  testing::LogCapture log_;
  PresentedCredentialsEcho echo_;
  std::shared_ptr<TlsFileStage> stage_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(GrpcTlsTest, ServesTlsVerifiedWithTheCa) {
  StartServer(ServerConfig(ClientCertificates::kNone));
  CallResult result = Call({ca_.ca_pem_file, "", ""});
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.echoed, "|bearer");
  EXPECT_EQ(result.server_cert_pem, ReadFile(ca_.cert_file));
  // A client trusting another CA does not connect.
  EXPECT_EQ(Call({foreign_ca_.ca_pem_file, "", ""}).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcTlsTest, MutualTlsHandsTheHandlerTheCallersIdentities) {
  StartServer(ServerConfig(ClientCertificates::kRequire));
  CallResult result = Call(WithClientCertificate());
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.echoed, absl::StrCat(kSpiffeId, ",billing.internal|bearer"));
}

TEST_F(GrpcTlsTest, RequireRefusesClientsWithoutOrWithForeignCertificates) {
  StartServer(ServerConfig(ClientCertificates::kRequire));
  EXPECT_EQ(Call({ca_.ca_pem_file, "", ""}).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call({ca_.ca_pem_file, foreign_client_.cert_file,
                  foreign_client_.key_file})
                .status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcTlsTest, RequestModeVerifiesOnlyCertificatesThatAreSent) {
  StartServer(ServerConfig(ClientCertificates::kRequest));
  CallResult without = Call({ca_.ca_pem_file, "", ""});
  ASSERT_TRUE(without.status.ok()) << without.status.error_message();
  EXPECT_EQ(without.echoed, "|bearer");  // Identified by its token, later.
  CallResult with = Call(WithClientCertificate());
  ASSERT_TRUE(with.status.ok()) << with.status.error_message();
  EXPECT_EQ(with.echoed, absl::StrCat(kSpiffeId, ",billing.internal|bearer"));
  EXPECT_EQ(Call({ca_.ca_pem_file, foreign_client_.cert_file,
                  foreign_client_.key_file})
                .status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcTlsTest, BrokenFilesAreRefusedAtStart) {
  TlsServerConfig config = ServerConfig(ClientCertificates::kRequire);
  config.staging_dir = dir_.path();
  config.key_file = client_.key_file;  // Another certificate's key.
  EXPECT_THAT(MakeReloadingTlsServerCredentials(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not match")));
  config = ServerConfig(ClientCertificates::kRequire);
  config.staging_dir = dir_.path();
  config.client_ca_file = dir_.File("missing.pem");
  EXPECT_THAT(MakeReloadingTlsServerCredentials(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("missing.pem' cannot be read")));
}

// cert-manager renews the server certificate (new key too) and rotates the
// client CA; kubelet swaps `..data`. The running server serves the new
// certificate to new connections and trusts the new CA only.
TEST_F(GrpcTlsTest, CertificateKeyAndClientCaAreReloadedAfterADataSwap) {
  std::filesystem::create_directory(dir_.File("volume"));
  testing::ProjectedVolume volume(dir_.File("volume"));
  volume.Publish({{"tls.crt", ReadFile(ca_.cert_file)},
                  {"tls.key", ReadFile(ca_.key_file)},
                  {"ca.crt", ReadFile(ca_.ca_pem_file)}});
  TlsServerConfig config;
  config.cert_file = volume.Path("tls.crt");
  config.key_file = volume.Path("tls.key");
  config.client_ca_file = volume.Path("ca.crt");
  config.client_certificates = ClientCertificates::kRequire;
  config.reload_interval = absl::Seconds(1);
  StartServer(config);
  CallResult before = Call(WithClientCertificate());
  ASSERT_TRUE(before.status.ok()) << before.status.error_message();
  EXPECT_EQ(before.server_cert_pem, ReadFile(ca_.cert_file));

  // A renewed server certificate from the same CA: clients need no change.
  absl::StatusOr<TestLeafCertificate> renewed =
      WriteTestLeafCertificate(ca_, dir_.path(), "renewed", kServerSans);
  ASSERT_THAT(renewed, IsOk());
  volume.Publish({{"tls.crt", ReadFile(renewed->cert_file)},
                  {"tls.key", ReadFile(renewed->key_file)},
                  {"ca.crt", ReadFile(ca_.ca_pem_file)}});
  ASSERT_TRUE(stage_->Poll());  // The FileReloader's job in the gateway.
  EXPECT_TRUE(Eventually([&] {
    CallResult result = Call(WithClientCertificate());
    return result.status.ok() &&
           result.server_cert_pem == ReadFile(renewed->cert_file);
  }));

  // The client CA rotates to the foreign one: its clients get in, the old
  // CA's clients no longer do.
  volume.Publish({{"tls.crt", ReadFile(renewed->cert_file)},
                  {"tls.key", ReadFile(renewed->key_file)},
                  {"ca.crt", ReadFile(foreign_ca_.ca_pem_file)}});
  ASSERT_TRUE(stage_->Poll());
  const ClientFiles foreign = {ca_.ca_pem_file, foreign_client_.cert_file,
                               foreign_client_.key_file};
  EXPECT_TRUE(Eventually([&] { return Call(foreign).status.ok(); }));
  EXPECT_EQ(Call(WithClientCertificate()).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// Broken publications never reach gRPC: without the stage, Debian's gRPC
// 1.51 stops handshaking on a mismatched key and aborts on an empty one.
TEST_F(GrpcTlsTest, BrokenPublicationsKeepTheLastGoodCertificate) {
  std::filesystem::create_directory(dir_.File("volume"));
  testing::ProjectedVolume volume(dir_.File("volume"));
  volume.Publish({{"tls.crt", ReadFile(ca_.cert_file)},
                  {"tls.key", ReadFile(ca_.key_file)}});
  TlsServerConfig config;
  config.cert_file = volume.Path("tls.crt");
  config.key_file = volume.Path("tls.key");
  config.reload_interval = absl::Seconds(1);
  StartServer(config);
  ASSERT_TRUE(Call({ca_.ca_pem_file, "", ""}).status.ok());

  const std::string renewed_cert = ReadFile(client_.cert_file);
  const std::vector<std::map<std::string, std::string>> broken = {
      {{"tls.crt", ReadFile(ca_.cert_file)},
       {"tls.key", ReadFile(client_.key_file)}},  // Another certificate's key.
      {{"tls.crt", ReadFile(ca_.cert_file)}, {"tls.key", ""}},
      {{"tls.crt", "not a certificate"}, {"tls.key", ReadFile(ca_.key_file)}},
      {{"tls.crt", renewed_cert}},  // The key file is gone.
  };
  for (const auto& files : broken) {
    volume.Publish(files);
    if (files.size() == 1) std::filesystem::remove(volume.Path("tls.key"));
    EXPECT_FALSE(stage_->Poll());
    CallResult result = Call({ca_.ca_pem_file, "", ""});
    EXPECT_TRUE(result.status.ok()) << result.status.error_message();
    EXPECT_EQ(result.server_cert_pem, ReadFile(ca_.cert_file));
  }
  const std::vector<std::string> errors = log_.LinesContaining("TLS files: ");
  ASSERT_THAT(errors, ::testing::SizeIs(4));
  EXPECT_THAT(errors[0], HasSubstr("tls.key' does not match"));
  EXPECT_THAT(errors[1], HasSubstr("tls.key' is empty"));
  EXPECT_THAT(errors[2], HasSubstr("tls.crt' holds no PEM certificate"));
  EXPECT_THAT(errors[3], HasSubstr("tls.key' cannot be read"));
  for (const std::string& line : log_.lines()) {
    EXPECT_THAT(line, ::testing::Not(HasSubstr("PRIVATE KEY")));
  }
}

TEST_F(GrpcTlsTest, TheStageIsPrivateAndGoesWithItsOwner) {
  TlsServerConfig config = ServerConfig(ClientCertificates::kRequire);
  config.staging_dir = dir_.path();
  absl::StatusOr<std::shared_ptr<TlsFileStage>> stage =
      TlsFileStage::Create(config);
  ASSERT_THAT(stage, IsOk());
  const TlsServerConfig staged = (*stage)->staged();
  const std::filesystem::path directory =
      std::filesystem::path(staged.key_file).parent_path();
  EXPECT_EQ(std::filesystem::status(directory).permissions(),
            std::filesystem::perms::owner_all);
  EXPECT_EQ(
      std::filesystem::status(staged.key_file).permissions(),
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(ReadFile(staged.cert_file), ReadFile(ca_.cert_file));
  EXPECT_EQ(ReadFile(staged.client_ca_file), ReadFile(ca_.ca_pem_file));
  stage->reset();
  EXPECT_FALSE(std::filesystem::exists(directory));
}

// An AuthContext as a test needs it.
class FakeAuthContext final : public grpc::AuthContext {
 public:
  explicit FakeAuthContext(std::multimap<std::string, std::string> properties)
      : properties_(std::move(properties)) {}
  bool IsPeerAuthenticated() const override { return true; }
  std::vector<grpc::string_ref> GetPeerIdentity() const override { return {}; }
  std::string GetPeerIdentityPropertyName() const override { return ""; }
  std::vector<grpc::string_ref> FindPropertyValues(
      const std::string& name) const override {
    std::vector<grpc::string_ref> values;
    auto range = properties_.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) {
      values.emplace_back(it->second);
    }
    return values;
  }
  grpc::AuthPropertyIterator begin() const override { return End(); }
  grpc::AuthPropertyIterator end() const override { return End(); }
  void AddProperty(const std::string&, const grpc::string_ref&) override {}
  bool SetPeerIdentityPropertyName(const std::string&) override {
    return false;
  }

 private:
  struct EmptyIterator : grpc::AuthPropertyIterator {};
  static grpc::AuthPropertyIterator End() { return EmptyIterator(); }
  std::multimap<std::string, std::string> properties_;
};

TEST(CertificateIdentitiesTest, UriAndDnsSansOfTlsPeersOnly) {
  FakeAuthContext tls({{"transport_security_type", "ssl"},
                       {"peer_uri", kSpiffeId},
                       {"peer_dns", "a.internal"},
                       {"peer_dns", "b.internal"},
                       {"peer_email", "ops@example.com"},
                       {"x509_common_name", "billing"}});
  EXPECT_THAT(CertificateIdentities(tls),
              ElementsAre(kSpiffeId, "a.internal", "b.internal"));
  FakeAuthContext tls_credentials(
      {{"transport_security_type", "tls"}, {"peer_uri", kSpiffeId}});
  EXPECT_THAT(CertificateIdentities(tls_credentials), ElementsAre(kSpiffeId));
  FakeAuthContext insecure(
      {{"transport_security_type", "insecure"}, {"peer_dns", "a.internal"}});
  EXPECT_THAT(CertificateIdentities(insecure), IsEmpty());
}

TEST(TrustOfTest, OnlyVerifyingConfigurationsAreTrusted) {
  TlsServerConfig config;
  EXPECT_EQ(TrustOf(config), CertificateTrust::kIgnore);
  config.client_certificates = ClientCertificates::kRequest;
  EXPECT_EQ(TrustOf(config), CertificateTrust::kVerifiedByTls);
}

}  // namespace
}  // namespace ucgate::access
