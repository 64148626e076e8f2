// The `tls` configuration and the safe default for ports without callers.
#include "service/access/tls_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/access/access_test_util.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using ::testing::HasSubstr;
using testing::LogCapture;

absl::StatusOr<TlsServerConfig> Parse(const std::string& yaml) {
  return ParseTlsConfig(YAML::Load(yaml), "config.tls");
}

TEST(ParseTlsConfigTest, ClientCertificatesFollowTheCa) {
  absl::StatusOr<TlsServerConfig> plain =
      Parse("{cert_file: /c.pem, key_file: /k.pem}");
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(plain->cert_file, "/c.pem");
  EXPECT_EQ(plain->key_file, "/k.pem");
  EXPECT_EQ(plain->client_certificates, ClientCertificates::kNone);
  EXPECT_EQ(plain->reload_interval, absl::Seconds(10));

  absl::StatusOr<TlsServerConfig> mutual = Parse(
      "{cert_file: c, key_file: k, client_ca_file: ca, "
      "reload_interval_seconds: 2, staging_dir: /run/ucgate}");
  ASSERT_THAT(mutual, IsOk());
  EXPECT_EQ(mutual->client_certificates, ClientCertificates::kRequire);
  EXPECT_EQ(mutual->reload_interval, absl::Seconds(2));
  EXPECT_EQ(mutual->staging_dir, "/run/ucgate");

  absl::StatusOr<TlsServerConfig> optional = Parse(
      "{cert_file: c, key_file: k, client_ca_file: ca, "
      "client_certificates: request}");
  ASSERT_THAT(optional, IsOk());
  EXPECT_EQ(optional->client_certificates, ClientCertificates::kRequest);
}

TEST(ParseTlsConfigTest, ErrorsNameTheKey) {
  const std::pair<std::string, std::string> cases[] = {
      {"{key_file: k}", "config.tls.cert_file: is required"},
      {"{cert_file: c}", "config.tls.key_file: is required"},
      {"{cert_file: c, key_file: k, ca_file: x}",
       "config.tls.ca_file: unknown key"},
      {"{cert_file: c, key_file: k, client_certificates: request}",
       "config.tls.client_certificates: needs client_ca_file"},
      {"{cert_file: c, key_file: k, client_ca_file: a, "
       "client_certificates: optional}",
       "config.tls.client_certificates: must be require or request"},
      {"{cert_file: c, key_file: k, reload_interval_seconds: 0}",
       "config.tls.reload_interval_seconds: must be a number from 1"},
      {"[c, k]", "config.tls: must be a mapping"},
  };
  for (const auto& [yaml, message] : cases) {
    EXPECT_THAT(Parse(yaml), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr(message)))
        << yaml;
  }
}

TEST(ListenSafetyTest, LoopbackAddresses) {
  for (const char* listen :
       {"127.0.0.1:50051", "127.1.2.3:1", "localhost:50051", "[::1]:50051",
        "unix:/run/ucgate.sock"}) {
    EXPECT_TRUE(IsLoopbackListenAddress(listen)) << listen;
  }
  for (const char* listen :
       {"0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.5:50051",
        "gateway.internal:50051", "128.0.0.1:1", "[::1", "50051"}) {
    EXPECT_FALSE(IsLoopbackListenAddress(listen)) << listen;
  }
}

TEST(ListenSafetyTest, NoCallersMeansLoopbackUnlessAllowed) {
  LogCapture log;
  EXPECT_THAT(CheckUnauthenticatedListen("127.0.0.1:50051", false, false),
              IsOk());
  EXPECT_THAT(CheckUnauthenticatedListen("0.0.0.0:50051", true, false), IsOk());
  EXPECT_THAT(CheckUnauthenticatedListen("0.0.0.0:50051", false, false),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("allow_unauthenticated: true")));
  EXPECT_THAT(log.lines(), ::testing::IsEmpty());
  EXPECT_THAT(CheckUnauthenticatedListen("0.0.0.0:50051", false, true), IsOk());
  EXPECT_THAT(log.LinesContaining("WARNING listening on 0.0.0.0:50051 "
                                  "without caller authentication"),
              ::testing::SizeIs(1));
}

}  // namespace
}  // namespace ucgate::access
