// FileClient and ucctl over TLS, against a fake gateway holding a certificate
// from a throw-away CA.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/ucctl.h"
#include "client/ucgate_client.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "gtest/gtest.h"
#include "tests/client/fake_gateway.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

class FileClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_dir_ = new ::ucgate::testing::ScopedTempDir("file_client_tls");
    absl::StatusOr<::ucgate::testing::TestCertificates> written =
        ::ucgate::testing::WriteTestCertificates(temp_dir_->path());
    ASSERT_THAT(written, IsOk());
    certificates_ = new ::ucgate::testing::TestCertificates(*written);
  }
  static void TearDownTestSuite() {
    delete certificates_;
    certificates_ = nullptr;
    delete temp_dir_;
    temp_dir_ = nullptr;
  }

  static std::shared_ptr<grpc::ServerCredentials> ServerCredentials() {
    grpc::SslServerCredentialsOptions options;
    options.pem_key_cert_pairs.push_back({ReadFile(certificates_->key_file),
                                          ReadFile(certificates_->cert_file)});
    return grpc::SslServerCredentials(options);
  }

  absl::StatusOr<v1::GetFileResponse> GetFile(const ClientOptions& options) {
    absl::StatusOr<std::unique_ptr<FileClient>> client =
        FileClient::Create(options);
    if (!client.ok()) return client.status();
    v1::GetFileRequest request;
    request.set_uuid(testing::kListedUuid);
    return (*client)->GetFile(request);
  }

  static ::ucgate::testing::ScopedTempDir* temp_dir_;
  static ::ucgate::testing::TestCertificates* certificates_;
  testing::FakeServer server_{ServerCredentials()};
};

::ucgate::testing::ScopedTempDir* FileClientTlsTest::temp_dir_ = nullptr;
::ucgate::testing::TestCertificates* FileClientTlsTest::certificates_ = nullptr;

TEST_F(FileClientTlsTest, VerifiesTheGatewayWithTheCaFile) {
  ClientOptions options;
  options.target = server_.target();
  options.use_tls = true;
  options.ca_file = certificates_->ca_pem_file;
  absl::StatusOr<v1::GetFileResponse> response = GetFile(options);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->file().uuid(), testing::kListedUuid);
}

TEST_F(FileClientTlsTest, RefusesAGatewayItCannotVerify) {
  ClientOptions options;
  options.target = server_.target();
  options.use_tls = true;  // system roots do not know the test CA
  EXPECT_THAT(GetFile(options),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_THAT(server_.service().calls(), IsEmpty());
}

TEST_F(FileClientTlsTest, PlaintextDoesNotReachATlsGateway) {
  ClientOptions options;
  options.target = server_.target();
  EXPECT_THAT(GetFile(options),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_THAT(server_.service().calls(), IsEmpty());
}

TEST_F(FileClientTlsTest, UcctlCaFileImpliesTls) {
  std::ostringstream out, err;
  int exit_code = RunUcctl(
      {"--target", server_.target(), "--ca-file", certificates_->ca_pem_file,
       "files", "get", testing::kListedUuid},
      out, err);
  EXPECT_EQ(exit_code, 0) << err.str();
  EXPECT_THAT(out.str(), StartsWith("{"));
}

}  // namespace
}  // namespace ucgate::client
