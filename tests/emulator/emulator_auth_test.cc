// Authentication, version negotiation and routing of the emulator, over real
// HTTP and HTTPS on loopback.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/clock.h"
#include "service/emulator/emulator.h"
#include "service/restapi/signing.h"
#include "tests/testing_util/emulator_test_client.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::emulator {
namespace {

using ::testing::HasSubstr;

constexpr char kIncorrect[] = "Incorrect authentication credentials.";
constexpr char kList[] = "/files/?limit=1&stored=true";

class EmulatorAuthTest : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions options = TestOptions();
    options.clock = clock_;
    StartEmulator(options);
  }

  CallOptions At(absl::Time date, AuthMode mode = AuthMode::kSignedDate) {
    CallOptions options;
    options.auth = mode;
    options.date = date;
    return options;
  }

  // The service's clock is pinned, so dates are exact.
  const absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(now_);
};

TEST_F(EmulatorAuthTest, AcceptsSignatureOverDateHeader) {
  CallResult result = client_->Get(kList, At(now_));
  EXPECT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.content_type, "application/vnd.uploadcare-v0.7+json");
}

TEST_F(EmulatorAuthTest, AcceptsSignatureOverXUploadcareDate) {
  CallResult result =
      client_->Get(kList, At(now_, AuthMode::kSignedXUploadcareDate));
  EXPECT_EQ(result.status, 200) << result.body;
}

TEST_F(EmulatorAuthTest, AcceptsSignatureOverPostBody) {
  std::string body = absl::StrCat(
      "{\"source\":\"", emulator_->Files(kPublicKey)[0].uuid(), "\"}");
  CallResult result =
      client_->Call("POST", "/files/local_copy/", body, At(now_));
  EXPECT_EQ(result.status, 201) << result.body;
}

TEST_F(EmulatorAuthTest, AcceptsDatesWithinFifteenMinutes) {
  EXPECT_EQ(client_->Get(kList, At(now_ - absl::Minutes(14))).status, 200);
  EXPECT_EQ(client_->Get(kList, At(now_ + absl::Minutes(14))).status, 200);
}

TEST_F(EmulatorAuthTest, RefusesDatesBeyondFifteenMinutes) {
  for (absl::Duration skew : {absl::Minutes(-16), absl::Minutes(16)}) {
    CallResult result = client_->Get(kList, At(now_ + skew));
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(DetailOf(result), kIncorrect);
  }
  // The same request becomes valid when the service's clock catches up.
  clock_->Set(now_ + absl::Minutes(16));
  EXPECT_EQ(client_->Get(kList, At(now_ + absl::Minutes(16))).status, 200);
}

TEST_F(EmulatorAuthTest, RefusesWrongSecret) {
  EmulatorClient wrong(*emulator_, kPublicKey, "not-the-secret");
  CallResult result = wrong.Get(kList, At(now_));
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(DetailOf(result), kIncorrect);
}

TEST_F(EmulatorAuthTest, RefusesUnknownPublicKey) {
  EmulatorClient stranger(*emulator_, "unknownkey", kSecretKey);
  CallResult result = stranger.Get(kList, At(now_));
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(DetailOf(result), kIncorrect);
}

TEST_F(EmulatorAuthTest, RefusesSignatureOverAnotherRequest) {
  std::string date = restapi::FormatHttpDate(now_);
  auto signature_for = [&](absl::string_view method, absl::string_view body,
                           absl::string_view uri) {
    return absl::StrCat(
        "Uploadcare ", kPublicKey, ":",
        restapi::HmacSha1Hex(kSecretKey,
                             restapi::BuildSignString(
                                 method, body, "application/json", date, uri)));
  };
  CallOptions options = At(now_);
  // Query in another order than signed.
  options.authorization =
      signature_for("GET", "", "/files/?stored=true&limit=1");
  EXPECT_EQ(client_->Get(kList, options).status, 401);
  // Another method.
  options.authorization = signature_for("PUT", "", kList);
  EXPECT_EQ(client_->Get(kList, options).status, 401);
  // Another body.
  options.authorization = signature_for("PUT", "[\"a\"]", "/files/storage/");
  CallResult result =
      client_->Call("PUT", "/files/storage/", "[\"b\"]", options);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(DetailOf(result), kIncorrect);
  // The genuine one passes.
  options.authorization = signature_for("GET", "", kList);
  EXPECT_EQ(client_->Get(kList, options).status, 200);
}

TEST_F(EmulatorAuthTest, RefusesSignatureWithoutDate) {
  CallOptions options;
  options.auth = AuthMode::kNone;
  options.authorization = absl::StrCat(
      "Uploadcare ", kPublicKey, ":",
      restapi::HmacSha1Hex(
          kSecretKey,
          restapi::BuildSignString("GET", "", "application/json", "", kList)));
  CallResult result = client_->Get(kList, options);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(DetailOf(result), kIncorrect);
}

TEST_F(EmulatorAuthTest, RefusesMissingCredentials) {
  CallOptions options;
  options.auth = AuthMode::kNone;
  CallResult result = client_->Get(kList, options);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(DetailOf(result), "Authentication credentials were not provided.");
}

TEST_F(EmulatorAuthTest, RefusesGarbledCredentials) {
  for (const char* header :
       {"Bearer abc", "Uploadcare", "Uploadcare testpublickey",
        "Uploadcare testpublickey:", "Uploadcare :abc", "uploadcare x:y"}) {
    CallOptions options = At(now_);
    options.authorization = header;
    CallResult result = client_->Get(kList, options);
    EXPECT_EQ(result.status, 401) << header;
    EXPECT_EQ(DetailOf(result), kIncorrect) << header;
  }
}

TEST_F(EmulatorAuthTest, RefusesSimpleAuthenticationOverHttp) {
  CallResult result = client_->Get(kList, At(now_, AuthMode::kSimple));
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(DetailOf(result),
            "Simple authentication over HTTP is forbidden. Please, use HTTPS "
            "or signed requests instead.");
}

TEST_F(EmulatorAuthTest, RefusesWrongAcceptBeforeAuthentication) {
  for (const char* accept :
       {"application/json", "application/vnd.uploadcare-v0.5+json", "",
        "*/*"}) {
    CallOptions options = At(now_);
    options.auth = AuthMode::kNone;
    options.accept = accept;
    CallResult result = client_->Get(kList, options);
    EXPECT_EQ(result.status, 406) << accept;
    EXPECT_EQ(DetailOf(result),
              "Incorrect Accept header provided. Make sure to specify API "
              "version. Refer to REST API docs for details.")
        << accept;
  }
}

TEST_F(EmulatorAuthTest, AnswersInTheRequestedVersion) {
  CallOptions options = At(now_);
  options.version = ApiVersion::kV06;
  CallResult result = client_->Get(kList, options);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.content_type, "application/vnd.uploadcare-v0.6+json");
}

TEST_F(EmulatorAuthTest, UnknownPathsAreNotFound) {
  CallOptions options;
  options.auth = AuthMode::kNone;
  for (const char* path : {"/nothing/", "/files", "/files/x/y/z/", "/"}) {
    CallResult result = client_->Get(path, options);
    EXPECT_EQ(result.status, 404) << path;
    EXPECT_EQ(DetailOf(result), "Not found.") << path;
  }
}

TEST_F(EmulatorAuthTest, WrongMethodIsNotAllowed) {
  CallResult result = client_->Call("POST", "/files/", "", At(now_));
  EXPECT_EQ(result.status, 405);
  EXPECT_EQ(DetailOf(result), "Method \"POST\" not allowed.");
  EXPECT_EQ(result.allow, "GET, HEAD, OPTIONS");
}

TEST_F(EmulatorAuthTest, RecordsWhatItReceived) {
  emulator_->ClearRequests();
  client_->Get(kList, At(now_));
  std::vector<RecordedRequest> requests = emulator_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path_and_query, kList);
  EXPECT_EQ(requests[0].accept, "application/vnd.uploadcare-v0.7+json");
  EXPECT_THAT(requests[0].authorization,
              HasSubstr(absl::StrCat("Uploadcare ", kPublicKey, ":")));
  EXPECT_EQ(requests[0].status, 200);
}

TEST(EmulatorProjectsTest, EachKeyReachesItsOwnProject) {
  EmulatorOptions options = TestOptions(20);
  EmulatorProject second;
  second.public_key = "secondpublic";
  second.secret_key = "secondsecret";
  options.projects.push_back(second);
  auto emulator = Emulator::Start(options);
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  std::string first_uuid = (*emulator)->Files(kPublicKey)[0].uuid();
  std::string second_uuid = (*emulator)->Files("secondpublic")[0].uuid();
  EXPECT_NE(first_uuid, second_uuid);

  EmulatorClient first_client(**emulator, kPublicKey, kSecretKey);
  EmulatorClient second_client(**emulator, "secondpublic", "secondsecret");
  EXPECT_EQ(first_client.Get(absl::StrCat("/files/", first_uuid, "/")).status,
            200);
  EXPECT_EQ(first_client.Get(absl::StrCat("/files/", second_uuid, "/")).status,
            404);
  EXPECT_EQ(second_client.Get(absl::StrCat("/files/", second_uuid, "/")).status,
            200);
}

TEST(EmulatorStartTest, RefusesOptionsItCannotServe) {
  EmulatorOptions no_projects;
  EXPECT_FALSE(Emulator::Start(no_projects).ok());
  EmulatorOptions no_secret = TestOptions(1);
  no_secret.projects[0].secret_key.clear();
  EXPECT_FALSE(Emulator::Start(no_secret).ok());
  EmulatorOptions missing_cert = TestOptions(1);
  missing_cert.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  EXPECT_FALSE(Emulator::Start(missing_cert).ok());
}

TEST(EmulatorStartTest, ReportsTheChosenPortAndStopsPromptly) {
  auto emulator = Emulator::Start(TestOptions(1));
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  int port = (*emulator)->port();
  EXPECT_GT(port, 0);
  EXPECT_EQ((*emulator)->base_url(), absl::StrCat("http://127.0.0.1:", port));
  {
    // An idle keep-alive connection must not hold the shutdown.
    EmulatorClient client(**emulator, kPublicKey, kSecretKey);
    EXPECT_EQ(client.Get("/files/?limit=1").status, 200);
    absl::Time before = absl::Now();
    emulator->reset();
    EXPECT_LT(absl::Now() - before, absl::Seconds(2));
  }
}

class EmulatorHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto certificates =
        ucgate::testing::WriteTestCertificates(temp_dir_.path());
    ASSERT_TRUE(certificates.ok()) << certificates.status();
    ca_file_ = certificates->ca_pem_file;
    EmulatorOptions options = TestOptions();
    options.tls = TlsFiles{certificates->cert_file, certificates->key_file};
    auto started = Emulator::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    emulator_ = *std::move(started);
  }

  ucgate::testing::ScopedTempDir temp_dir_{"emulator_https"};
  std::string ca_file_;
  std::unique_ptr<Emulator> emulator_;
};

TEST_F(EmulatorHttpsTest, ServesVerifiedHttps) {
  EXPECT_EQ(emulator_->base_url(),
            absl::StrCat("https://localhost:", emulator_->port()));
  EmulatorClient client(*emulator_, kPublicKey, kSecretKey, ca_file_);
  CallResult result = client.Get(kList);
  EXPECT_EQ(result.status, 200) << result.error << result.body;
  rapidjson::Document page = result.Json();
  ASSERT_TRUE(page.IsObject());
  EXPECT_THAT(StringMember(page, "next"),
              HasSubstr(absl::StrCat("https://localhost:", emulator_->port(),
                                     "/files/?")));
}

TEST_F(EmulatorHttpsTest, AcceptsSimpleAuthenticationOverHttps) {
  EmulatorClient client(*emulator_, kPublicKey, kSecretKey, ca_file_);
  CallOptions options;
  options.auth = AuthMode::kSimple;
  EXPECT_EQ(client.Get(kList, options).status, 200);
}

TEST_F(EmulatorHttpsTest, RefusesSimpleAuthenticationWithWrongSecret) {
  EmulatorClient client(*emulator_, kPublicKey, "wrong", ca_file_);
  CallOptions options;
  options.auth = AuthMode::kSimple;
  CallResult result = client.Get(kList, options);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(DetailOf(result), kIncorrect);
}

TEST_F(EmulatorHttpsTest, UntrustedClientsFailTheHandshake) {
  // Without the test CA the certificate does not verify.
  EmulatorClient client(*emulator_, kPublicKey, kSecretKey,
                        "/etc/ssl/certs/ca-certificates.crt");
  CallResult result = client.Get(kList);
  EXPECT_EQ(result.status, 0);
}

}  // namespace
}  // namespace ucgate::emulator
