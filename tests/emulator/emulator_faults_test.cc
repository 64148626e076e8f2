// Fault injection: latency, statuses with Retry-After, connection resets and
// malformed bodies, from C++ and over the HTTP control endpoints.
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/emulator/emulator.h"
#include "tests/testing_util/emulator_test_client.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::emulator {
namespace {

using ::testing::HasSubstr;

constexpr char kList[] = "/files/?limit=2";

class EmulatorFaultsTest : public testing::EmulatorTest {
 protected:
  void SetUp() override { StartEmulator(TestOptions(20)); }
};

TEST_F(EmulatorFaultsTest, AddsLatency) {
  Fault fault;
  fault.latency = absl::Milliseconds(250);
  fault.times = 1;
  emulator_->AddFault(fault);
  absl::Time before = absl::Now();
  CallResult result = client_->Get(kList);
  EXPECT_GE(absl::Now() - before, absl::Milliseconds(250));
  EXPECT_EQ(result.status, 200);
}

TEST_F(EmulatorFaultsTest, AnswersWithStatusAndRetryAfterAsManyTimesAsAsked) {
  Fault fault;
  fault.method = "GET";
  fault.path_prefix = "/files/";
  fault.status = 429;
  fault.retry_after_seconds = 10;
  fault.times = 2;
  emulator_->AddFault(fault);
  for (int i = 0; i < 2; ++i) {
    CallResult result = client_->Get(kList);
    EXPECT_EQ(result.status, 429);
    EXPECT_EQ(result.retry_after, "10");
    EXPECT_EQ(result.content_type, "application/vnd.uploadcare-v0.7+json");
    EXPECT_EQ(result.body,
              "{\"detail\":\"Request was throttled. Expected available in 10 "
              "seconds.\"}");
  }
  EXPECT_EQ(client_->Get(kList).status, 200);
}

TEST_F(EmulatorFaultsTest, MatchesMethodAndPathPrefix) {
  Fault fault;
  fault.method = "PUT";
  fault.path_prefix = "/files/storage/";
  fault.status = 503;
  fault.body = "{\"detail\":\"maintenance\"}";
  emulator_->AddFault(fault);
  EXPECT_EQ(client_->Get(kList).status, 200);
  CallResult result = client_->Call("PUT", "/files/storage/", "[]");
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.body, "{\"detail\":\"maintenance\"}");
  // Until cleared.
  EXPECT_EQ(client_->Call("PUT", "/files/storage/", "[]").status, 503);
  emulator_->ClearFaults();
  EXPECT_EQ(client_->Call("PUT", "/files/storage/", "[]").status, 400);
}

TEST_F(EmulatorFaultsTest, ResetsTheConnection) {
  Fault fault;
  fault.reset_connection = true;
  fault.times = 1;
  emulator_->AddFault(fault);
  CallResult result = client_->Get(kList);
  EXPECT_EQ(result.status, 0);
  EXPECT_FALSE(result.error.empty());
  // The next request gets a new connection and a normal answer.
  EXPECT_EQ(client_->Get(kList).status, 200);
}

TEST_F(EmulatorFaultsTest, CurlSeesAResetNotAnAnswer) {
  Fault fault;
  fault.reset_connection = true;
  fault.times = 1;
  emulator_->AddFault(fault);
  std::string command =
      absl::StrCat("curl -s -o /dev/null -w '%{http_code}' ",
                   emulator_->base_url(), "/files/ 2>&1; echo \" $?\"");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[256] = {0};
  size_t read = fread(buffer, 1, sizeof(buffer) - 1, pipe);
  pclose(pipe);
  std::string output(buffer, read);
  // 000: no HTTP answer; 56: "Connection reset by peer" (52 would be an
  // empty reply).
  EXPECT_THAT(output,
              ::testing::AnyOf(HasSubstr("000 56"), HasSubstr("000 52")))
      << output;
}

TEST_F(EmulatorFaultsTest, SendsMalformedBodies) {
  Fault fault;
  fault.malformed_body = true;
  fault.times = 1;
  emulator_->AddFault(fault);
  CallResult result = client_->Get(kList);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.content_type, "application/vnd.uploadcare-v0.7+json");
  EXPECT_FALSE(result.body.empty());
  EXPECT_TRUE(result.Json().IsNull()) << result.body;
  EXPECT_TRUE(client_->Get(kList).Json().IsObject());
}

TEST_F(EmulatorFaultsTest, ControlledOverHttp) {
  httplib::Client control(emulator_->base_url());
  auto health = control.Get("/__emulator/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_THAT(health->body, HasSubstr("\"status\":\"ok\""));

  auto added = control.Post(
      "/__emulator/faults",
      R"({"method":"GET","path_prefix":"/files/","status":500,"times":1,)"
      R"("retry_after_seconds":3,"latency_ms":1})",
      "application/json");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 201) << added->body;
  CallResult failed = client_->Get(kList);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.retry_after, "3");
  EXPECT_EQ(StringMember(failed.Json(), "detail"), "A server error occurred.");
  EXPECT_EQ(client_->Get(kList).status, 200);

  added = control.Post("/__emulator/faults", R"({"status":502})",
                       "application/json");
  ASSERT_TRUE(added);
  EXPECT_EQ(client_->Get(kList).status, 502);
  auto cleared = control.Delete("/__emulator/faults");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->status, 200);
  EXPECT_EQ(client_->Get(kList).status, 200);
}

TEST_F(EmulatorFaultsTest, ControlRefusesBadFaults) {
  httplib::Client control(emulator_->base_url());
  for (const char* body :
       {"not json", "[]", R"({"status":"500"})", R"({"colour":"red"})",
        R"({"status":42})", R"({"times":0})"}) {
    auto answer = control.Post("/__emulator/faults", body, "application/json");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << body;
    EXPECT_THAT(answer->body, HasSubstr("\"detail\"")) << body;
  }
  auto unknown = control.Get("/__emulator/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST(EmulatorHttpsFaultsTest, ResetsTlsConnectionsAndStopsPromptly) {
  ucgate::testing::ScopedTempDir temp_dir("emulator_faults");
  auto certificates = ucgate::testing::WriteTestCertificates(temp_dir.path());
  ASSERT_TRUE(certificates.ok()) << certificates.status();
  EmulatorOptions options = TestOptions(5);
  options.tls = TlsFiles{certificates->cert_file, certificates->key_file};
  auto emulator = Emulator::Start(options);
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  {
    EmulatorClient client(**emulator, kPublicKey, kSecretKey,
                          certificates->ca_pem_file);
    EXPECT_EQ(client.Get(kList).status, 200);
    Fault fault;
    fault.reset_connection = true;
    fault.times = 1;
    (*emulator)->AddFault(fault);
    EXPECT_EQ(client.Get(kList).status, 0);
    EXPECT_EQ(client.Get(kList).status, 200);
  }
  // The reset connection must not keep a worker busy.
  absl::Time before = absl::Now();
  emulator->reset();
  EXPECT_LT(absl::Now() - before, absl::Milliseconds(500));
}

}  // namespace
}  // namespace ucgate::emulator
