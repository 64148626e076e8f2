// CurlHttpClient over HTTPS against a loopback server whose certificate the
// test generates: verification is always on, and only the configured CA (or
// the system store) is trusted.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/upstream/http/http_client.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/testing_util/test_certificates.h"
#include "tests/upstream/http/local_servers.h"

namespace ucgate::http {
namespace {

using ::testing::HasSubstr;
using ::ucgate::testing::LocalHttpServer;
using ::ucgate::testing::TestCertificates;
using ::ucgate::testing::WriteTestCertificates;

// An HTTPS server presenting a certificate for `host` and `ip_sans`.
class TlsServer {
 public:
  TlsServer(const std::string& host, std::vector<std::string> ip_sans) {
    auto certificates = WriteTestCertificates(dir_.path(), host, ip_sans);
    EXPECT_TRUE(certificates.ok()) << certificates.status();
    if (!certificates.ok()) return;
    certificates_ = *certificates;
    auto server = std::make_unique<httplib::SSLServer>(
        certificates_.cert_file.c_str(), certificates_.key_file.c_str());
    EXPECT_TRUE(server->is_valid());
    local_ = std::make_unique<LocalHttpServer>(std::move(server));
    local_->server().Get("/files/", [this](const httplib::Request& request,
                                           httplib::Response& response) {
      local_->Record(request);
      response.set_content(R"({"results":[]})", "application/json");
    });
    local_->Start();
  }

  const TestCertificates& certificates() const { return certificates_; }
  LocalHttpServer& local() { return *local_; }

 private:
  ::ucgate::testing::ScopedTempDir dir_{"ucgate_tls"};
  TestCertificates certificates_;
  std::unique_ptr<LocalHttpServer> local_;
};

HttpRequest Get(const std::string& url) {
  return {HttpMethod::kGet, url, {}, ""};
}

RequestOptions WithinSeconds(int seconds) {
  RequestOptions options;
  options.deadline = absl::Now() + absl::Seconds(seconds);
  return options;
}

TEST(CurlHttpClientTlsTest, TrustedCaVerifiesByHostNameAndByIp) {
  TlsServer server("localhost", {"127.0.0.1"});
  CurlHttpClientOptions options;
  options.ca_file = server.certificates().ca_pem_file;
  auto client = MakeCurlHttpClient(options);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    SCOPED_TRACE(host);
    auto response = client->Send(
        Get(server.local().Url("/files/", "https", host)), WithinSeconds(10));
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->status_code, 200);
    EXPECT_EQ(response->body, R"({"results":[]})");
  }
}

TEST(CurlHttpClientTlsTest, KeepsTheTlsConnectionAcrossRequests) {
  TlsServer server("localhost", {"127.0.0.1"});
  CurlHttpClientOptions options;
  options.ca_file = server.certificates().ca_pem_file;
  auto client = MakeCurlHttpClient(options);
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(client->Send(Get(server.local().Url("/files/", "https")),
                             WithinSeconds(10)),
                IsOk());
  }
  EXPECT_EQ(server.local().received().size(), 5u);
  EXPECT_EQ(server.local().DistinctConnections(), 1u);
}

TEST(CurlHttpClientTlsTest, UnknownCaIsRefused) {
  TlsServer server("localhost", {"127.0.0.1"});
  // The system store does not know the test CA.
  auto response = MakeCurlHttpClient({})->Send(
      Get(server.local().Url("/files/", "https")), WithinSeconds(10));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("upstream: TLS: ")));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("certificate")));
  EXPECT_TRUE(server.local().received().empty());
}

TEST(CurlHttpClientTlsTest, CertificateForAnotherHostIsRefused) {
  TlsServer server("wrong.example", {});
  CurlHttpClientOptions options;
  options.ca_file = server.certificates().ca_pem_file;
  auto client = MakeCurlHttpClient(options);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    SCOPED_TRACE(host);
    EXPECT_THAT(
        client->Send(Get(server.local().Url("/files/", "https", host)),
                     WithinSeconds(10)),
        StatusIs(absl::StatusCode::kUnavailable, HasSubstr("upstream: TLS: ")));
  }
  EXPECT_TRUE(server.local().received().empty());
}

TEST(CurlHttpClientTlsTest, UnreadableCaFileIsAConfigurationError) {
  TlsServer server("localhost", {"127.0.0.1"});
  CurlHttpClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(
      MakeCurlHttpClient(options)->Send(
          Get(server.local().Url("/files/", "https")), WithinSeconds(10)),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("TLS configuration")));
}

TEST(TestCertificatesTest, WritesThreePemFiles) {
  ::ucgate::testing::ScopedTempDir temp_dir("ucgate_tls");
  const std::string& dir = temp_dir.path();
  auto certificates = WriteTestCertificates(dir);
  ASSERT_THAT(certificates, IsOk());
  EXPECT_EQ(certificates->ca_pem_file, dir + "/ca.pem");
  EXPECT_EQ(certificates->cert_file, dir + "/server.pem");
  EXPECT_EQ(certificates->key_file, dir + "/server.key");
  EXPECT_THAT(WriteTestCertificates("/nonexistent/dir"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("cannot open")));
}

}  // namespace
}  // namespace ucgate::http
