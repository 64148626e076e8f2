// Secrets never appear in logs (text and JSON), metrics, error messages,
// error details, trailers or responses, whatever happens upstream (success,
// 401, 404, 429, resets, malformed answers), with either auth scheme.
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/log.h"
#include "service/common/status.h"
#include "service/gateway/config.h"
#include "tests/integration/gateway_fixture.h"
#include "tests/testing_util/log_capture.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWrongSecret[] = "wrong-secret-abcdefghijklmnop";

// Everything a caller can see of an outcome, as text.
template <typename T>
std::string Visible(const absl::StatusOr<T>& result) {
  if (result.ok()) return result->SerializeAsString() + result->DebugString();
  std::string text(result.status().ToString());  // message and payloads
  for (const auto& [field, description] : FieldViolations(result.status())) {
    absl::StrAppend(&text, field, description);
  }
  return text;
}

void ExerciseEveryPath(GatewayFixture& fixture,
                       std::vector<std::string>& seen) {
  v1::File file = fixture.PresentFile(/*stored=*/true);
  v1::GetFileRequest get;
  get.set_uuid(file.uuid());
  seen.push_back(Visible(fixture.client().GetFile(get)));
  get.set_uuid("00000000-0000-4000-8000-000000000000");
  seen.push_back(Visible(fixture.client().GetFile(get)));
  get.set_uuid("bad");
  seen.push_back(Visible(fixture.client().GetFile(get)));
  seen.push_back(Visible(fixture.client().ListFiles(v1::ListFilesRequest())));

  get.set_uuid(file.uuid());
  for (int status : {429, 503, 401}) {
    emulator::Fault fault;
    fault.status = status;
    fault.retry_after_seconds = 1;
    fault.times = 1;
    fixture.emulator().AddFault(fault);
    seen.push_back(Visible(fixture.client().GetFile(get)));
  }
  emulator::Fault reset;
  reset.reset_connection = true;
  reset.times = 3;
  fixture.emulator().AddFault(reset);
  seen.push_back(Visible(fixture.client().GetFile(get)));
  emulator::Fault malformed;
  malformed.malformed_body = true;
  malformed.times = 1;
  fixture.emulator().AddFault(malformed);
  seen.push_back(Visible(fixture.client().GetFile(get)));
}

void ExpectNoSecret(const std::vector<std::string>& texts,
                    absl::string_view secret) {
  for (const std::string& text : texts) {
    EXPECT_THAT(text, Not(HasSubstr(std::string(secret))));
  }
}

// What the admin listener's /metrics serves, after every path ran.
std::string MetricsText(const GatewayFixture& fixture) {
  return fixture.telemetry().registry->TextExposition();
}

TEST(SecretHygieneTest, SignedSchemeLeaksNothing) {
  LogCapture logs;
  GatewaySetup setup;
  setup.observe = true;  // per-call log lines and metrics too
  GatewayFixture fixture(setup);
  fixture.Start();
  std::vector<std::string> seen;
  ExerciseEveryPath(fixture, seen);
  ASSERT_FALSE(logs.lines().empty());  // debug logging really ran
  ASSERT_FALSE(logs.LinesContaining("grpc call").empty());
  ExpectNoSecret(logs.lines(), kSecretKey);
  ExpectNoSecret(seen, kSecretKey);
  const std::string metrics = MetricsText(fixture);
  ASSERT_THAT(metrics, HasSubstr("ucgate_upstream_requests_total"));
  ExpectNoSecret({metrics}, kSecretKey);
}

TEST(SecretHygieneTest, JsonLogLinesAndMetricsLeakNothing) {
  LogCapture logs;
  SetLogFormat(LogFormat::kJson);
  GatewaySetup setup;
  setup.observe = true;
  GatewayFixture fixture(setup);
  fixture.Start();
  std::vector<std::string> seen;
  ExerciseEveryPath(fixture, seen);
  SetLogFormat(LogFormat::kText);
  ASSERT_FALSE(logs.LinesContaining("\"request_id\"").empty());
  ExpectNoSecret(logs.lines(), kSecretKey);
  ExpectNoSecret({MetricsText(fixture)}, kSecretKey);
}

TEST(SecretHygieneTest, SimpleSchemeOverHttpsLeaksNothing) {
  LogCapture logs;
  GatewaySetup setup;
  setup.auth_scheme = auth::AuthScheme::kSimple;
  setup.https = true;
  setup.observe = true;
  GatewayFixture fixture(setup);
  fixture.Start();
  std::vector<std::string> seen;
  ExerciseEveryPath(fixture, seen);
  ExpectNoSecret(logs.lines(), kSecretKey);
  ExpectNoSecret(seen, kSecretKey);
  ExpectNoSecret({MetricsText(fixture)}, kSecretKey);
}

TEST(SecretHygieneTest,
     RejectedCredentialsAreAServerSideErrorWithoutTheSecret) {
  LogCapture logs;
  GatewaySetup setup;
  setup.gateway_secret = kWrongSecret;
  GatewayFixture fixture(setup);
  fixture.Start();
  v1::ListFilesRequest request;
  auto result = fixture.client().ListFiles(request);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kInternal, HasSubstr("credentials")));
  EXPECT_EQ(ErrorReason(result.status()), "UPSTREAM_CREDENTIALS_REJECTED");
  ExpectNoSecret({Visible(result)}, kWrongSecret);
  ExpectNoSecret({Visible(result)}, kSecretKey);
  ExpectNoSecret(logs.lines(), kWrongSecret);
}

TEST(SecretHygieneTest, ConfigErrorsNeverEchoSecrets) {
  auto env = [](const std::string&) -> std::optional<std::string> {
    return "env-secret-value";
  };
  auto literal = gateway::ParseConfig(
      "projects:\n  - {name: a, public_key: p, secret_key: hunter2-literal}",
      env);
  EXPECT_THAT(literal.status().message(), Not(HasSubstr("hunter2-literal")));
  auto bad_scheme = gateway::ParseConfig(
      "projects:\n  - {name: a, public_key: p, secret_key_env: X, auth_scheme: "
      "nope}",
      env);
  EXPECT_THAT(bad_scheme.status().message(),
              Not(HasSubstr("env-secret-value")));
}

}  // namespace
}  // namespace ucgate::testing
