#include "service/gateway/config.h"

#include <cstdio>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/gateway/gateway_access.h"
#include "tests/testing_util/log_capture.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::gateway {
namespace {

using ::testing::HasSubstr;

EnvironmentLookup FakeEnvironment(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string WriteTempFile(const std::string& contents) {
  // Removed with everything in it when the test binary exits.
  static ::ucgate::testing::ScopedTempDir dir("ucgate_secret");
  static int files_written = 0;
  std::string path = dir.File(std::to_string(++files_written));
  std::ofstream(path) << contents;
  return path;
}

TEST(ConfigTest, ParsesAFullConfig) {
  std::string secret_file = WriteTempFile("file-secret\n");
  auto config = ParseConfig(absl::StrCat(R"(
listen: 0.0.0.0:6000
worker_threads: 8
log_level: debug
upstream:
  base_url: https://api.uploadcare.com
  connect_timeout_ms: 1500
  request_timeout_ms: 9000
  retry: {max_attempts: 2, initial_backoff_ms: 50, max_backoff_ms: 400}
projects:
  - name: main
    public_key: pub1
    secret_key_file: )",
                                         secret_file, R"(
  - name: legacy
    public_key: pub2
    secret_key_env: LEGACY_SECRET
    api_version: "0.6"
    auth_scheme: simple
)"),
                            FakeEnvironment({{"LEGACY_SECRET", "env-secret"}}));
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->listen, "0.0.0.0:6000");
  EXPECT_EQ(config->worker_threads, 8);
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  EXPECT_EQ(config->upstream.connect_timeout, absl::Milliseconds(1500));
  EXPECT_EQ(config->upstream.retry.max_attempts, 2);
  EXPECT_EQ(config->upstream.retry.max_backoff, absl::Milliseconds(400));
  ASSERT_EQ(config->projects.size(), 2u);
  EXPECT_EQ(config->projects[0].secret_key.Reveal(), "file-secret");
  EXPECT_EQ(config->projects[0].api_version, ApiVersion::kV07);
  EXPECT_EQ(config->projects[1].secret_key.Reveal(), "env-secret");
  EXPECT_EQ(config->projects[1].api_version, ApiVersion::kV06);
  EXPECT_EQ(config->projects[1].auth_scheme, auth::AuthScheme::kSimple);
  EXPECT_THAT(ValidateConfig(*config), IsOk());
}

TEST(ConfigTest, ErrorsNameTheKey) {
  auto env = FakeEnvironment({});
  EXPECT_THAT(ParseConfig("listen: [", env),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line")));
  EXPECT_THAT(ParseConfig("lisen: x", env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config.lisen: unknown key"));
  EXPECT_THAT(ParseConfig("worker_threads: many", env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config.worker_threads: must be a whole number"));
  EXPECT_THAT(
      ParseConfig(
          "projects:\n  - {name: a, public_key: p, secret_key_env: NOPE}", env),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("config.projects[0].secret_key_env")));
  EXPECT_THAT(
      ParseConfig("projects:\n  - {name: a, public_key: p, api_version: '0.5', "
                  "secret_key_env: X}",
                  FakeEnvironment({{"X", "s"}})),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("api_version")));
}

TEST(ConfigTest, RefusesLiteralSecrets) {
  EXPECT_THAT(
      ParseConfig(
          "projects:\n  - {name: a, public_key: p, secret_key: hunter2}",
          FakeEnvironment({})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("secret keys are not accepted in the config file")));
}

TEST(ConfigTest, SimpleAuthNeedsHttps) {
  auto config = ParseConfig(
      "upstream: {base_url: 'http://127.0.0.1:8080'}\n"
      "projects:\n  - {name: a, public_key: p, secret_key_env: X, auth_scheme: "
      "simple}",
      FakeEnvironment({{"X", "s"}}));
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("HTTPS")));
  config->upstream.base_url = "https://127.0.0.1:8443";
  EXPECT_THAT(ValidateConfig(*config), IsOk());
}

TEST(ConfigTest, ValidationCatchesCrossFieldMistakes) {
  GatewayConfig config;
  EXPECT_THAT(
      ValidateConfig(config),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least one")));
  ProjectConfig project;
  project.name = "a";
  project.public_key = "p";
  project.secret_key = Secret("s");
  config.projects = {project, project};
  EXPECT_THAT(
      ValidateConfig(config),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicate")));
}

GatewayConfig ValidConfig() {
  GatewayConfig config;
  ProjectConfig project;
  project.name = "a";
  project.public_key = "p";
  project.secret_key = Secret("s");
  config.projects = {project};
  return config;
}

TEST(ConfigTest, RepeatedKeysAreRefused) {
  auto env = FakeEnvironment({});
  EXPECT_THAT(ParseConfig("listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n", env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config.listen: given more than once"));
  EXPECT_THAT(
      ParseConfig("upstream: {retry: {max_attempts: 2, max_attempts: 3}}", env),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "upstream.retry.max_attempts: given more than once"));
}

TEST(ConfigTest, StartUpNumbersAndFilesAreChecked) {
  ASSERT_THAT(ValidateConfig(ValidConfig()), IsOk());
  GatewayConfig config = ValidConfig();
  config.upstream.retry.initial_backoff = absl::Milliseconds(-1);
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("upstream.retry: backoffs")));
  config = ValidConfig();
  config.upstream.retry.max_backoff = absl::Milliseconds(-5);
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("upstream.retry: backoffs")));
  config = ValidConfig();
  config.upstream.max_idle_connections = -1;
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("upstream.max_idle_connections")));
  config = ValidConfig();
  config.upstream.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "upstream.ca_file: cannot read '/nonexistent/ca.pem'"));
  config.upstream.ca_file = WriteTempFile("-----BEGIN CERTIFICATE-----\n");
  EXPECT_THAT(ValidateConfig(config), IsOk());
}

TEST(ConfigTest, ListenMustBeHostAndPort) {
  for (const char* listen : {"", "bogus", ":50051", "127.0.0.1:", "host:http",
                             "127.0.0.1:65536", "127.0.0.1:-1", "a b:1"}) {
    GatewayConfig config = ValidConfig();
    config.listen = listen;
    EXPECT_THAT(
        ValidateConfig(config),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listen: ")))
        << listen;
  }
  for (const char* listen : {"127.0.0.1:0", "0.0.0.0:50051", "[::1]:8080",
                             "localhost:1", "unix:/tmp/ucgate.sock"}) {
    EXPECT_THAT(ValidateListenAddress(listen), IsOk()) << listen;
  }
}

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  GatewayConfig config;
  ASSERT_THAT(
      ApplyEnvironment(FakeEnvironment({{"UCGATE_LISTEN", "0.0.0.0:1"},
                                        {"UCGATE_UPSTREAM_URL", "https://x"},
                                        {"UCGATE_LOG_LEVEL", "error"}}),
                       &config),
      IsOk());
  EXPECT_EQ(config.listen, "0.0.0.0:1");
  EXPECT_EQ(config.upstream.base_url, "https://x");
  EXPECT_EQ(config.log_level, LogLevel::kError);
  EXPECT_THAT(ApplyEnvironment(FakeEnvironment({{"UCGATE_LOG_LEVEL", "loud"}}),
                               &config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("UCGATE_LOG_LEVEL")));
}

TEST(ConfigTest, ObservabilityOptions) {
  GatewayConfig defaults;
  EXPECT_FALSE(defaults.log_format.has_value());  // json unless --emulator
  EXPECT_EQ(defaults.admin_listen, "");           // no admin listener

  auto env = FakeEnvironment({{"X", "s"}});
  const std::string project = R"(
projects: [{name: a, public_key: p, secret_key_env: X}]
)";
  auto config = ParseConfig(
      absl::StrCat("log_format: text\nadmin_listen: 0.0.0.0:9090\n", project),
      env);
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->log_format, LogFormat::kText);
  EXPECT_EQ(config->admin_listen, "0.0.0.0:9090");
  EXPECT_THAT(ValidateConfig(*config), IsOk());

  EXPECT_THAT(ParseConfig(absl::StrCat("log_format: xml\n", project), env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("config.log_format")));
  config->admin_listen = config->listen;
  EXPECT_THAT(
      ValidateConfig(*config),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("admin_listen")));
  config->listen = config->admin_listen = "127.0.0.1:0";  // two free ports
  EXPECT_THAT(ValidateConfig(*config), IsOk());

  GatewayConfig from_env;
  ASSERT_THAT(
      ApplyEnvironment(FakeEnvironment({{"UCGATE_LOG_FORMAT", "json"},
                                        {"UCGATE_ADMIN_LISTEN", "[::]:9091"}}),
                       &from_env),
      IsOk());
  EXPECT_EQ(from_env.log_format, LogFormat::kJson);
  EXPECT_EQ(from_env.admin_listen, "[::]:9091");
  EXPECT_THAT(ApplyEnvironment(FakeEnvironment({{"UCGATE_LOG_FORMAT", "yaml"}}),
                               &from_env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("UCGATE_LOG_FORMAT")));
}

TEST(ConfigTest, CacheAndBatchOptions) {
  GatewayConfig defaults;
  EXPECT_EQ(defaults.cache.max_bytes, 64 << 20);
  EXPECT_EQ(defaults.cache.ttl, absl::Seconds(30));
  EXPECT_EQ(defaults.batch.max_concurrent_chunks, 4);

  auto env = FakeEnvironment({{"X", "s"}});
  const std::string project = R"(
projects: [{name: a, public_key: p, secret_key_env: X}]
)";
  auto config = ParseConfig(absl::StrCat(R"(
cache: {max_bytes: 1048576, ttl_seconds: 5}
batch: {max_concurrent_chunks: 2}
)",
                                         project),
                            env);
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->cache.max_bytes, 1048576);
  EXPECT_EQ(config->cache.ttl, absl::Seconds(5));
  EXPECT_EQ(config->batch.max_concurrent_chunks, 2);
  EXPECT_THAT(ValidateConfig(*config), IsOk());

  auto off = ParseConfig(absl::StrCat("cache: {max_bytes: 0}\n", project), env);
  ASSERT_THAT(off.status(), IsOk());
  EXPECT_EQ(off->cache.max_bytes, 0);
  EXPECT_THAT(ValidateConfig(*off), IsOk());

  EXPECT_THAT(ParseConfig("cache: {max_byte: 1}", env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cache.max_byte")));
  EXPECT_THAT(ParseConfig("cache: {ttl_seconds: soon}", env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cache.ttl_seconds")));
  config->cache.max_bytes = -1;
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cache.max_bytes")));
  config->cache.max_bytes = 0;
  config->cache.ttl = absl::ZeroDuration();
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cache.ttl_seconds")));
  config->cache.ttl = absl::Seconds(1);
  config->batch.max_concurrent_chunks = 0;
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("batch.max_concurrent_chunks")));

  GatewayConfig from_env;
  ASSERT_THAT(
      ApplyEnvironment(FakeEnvironment({{"UCGATE_CACHE_MAX_BYTES", "0"},
                                        {"UCGATE_CACHE_TTL_SECONDS", "7"}}),
                       &from_env),
      IsOk());
  EXPECT_EQ(from_env.cache.max_bytes, 0);
  EXPECT_EQ(from_env.cache.ttl, absl::Seconds(7));
  EXPECT_THAT(
      ApplyEnvironment(FakeEnvironment({{"UCGATE_CACHE_MAX_BYTES", "lots"}}),
                       &from_env),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("UCGATE_CACHE_MAX_BYTES")));
}

TEST(ConfigTest, StreamOptions) {
  GatewayConfig defaults;
  EXPECT_EQ(defaults.streams.items_per_message, 100);
  EXPECT_EQ(defaults.streams.watch_initial_interval, absl::Milliseconds(500));
  EXPECT_EQ(defaults.streams.watch_max_interval, absl::Seconds(5));
  EXPECT_EQ(defaults.streams.memory_budget_bytes, int64_t{512} << 20);

  auto env = FakeEnvironment({{"X", "s"}});
  auto config = ParseConfig(R"(
streams: {items_per_message: 500, watch_initial_interval_ms: 250,
          watch_max_interval_ms: 10000, memory_budget_bytes: 1048576}
projects: [{name: a, public_key: p, secret_key_env: X}]
)",
                            env);
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->streams.items_per_message, 500);
  EXPECT_EQ(config->streams.watch_initial_interval, absl::Milliseconds(250));
  EXPECT_EQ(config->streams.watch_max_interval, absl::Seconds(10));
  EXPECT_EQ(config->streams.memory_budget_bytes, 1048576);
  EXPECT_THAT(ValidateConfig(*config), IsOk());
  config->streams.memory_budget_bytes = 4096;
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("streams.memory_budget_bytes")));
  config->streams.memory_budget_bytes = 0;  // unbounded
  EXPECT_THAT(ValidateConfig(*config), IsOk());

  EXPECT_THAT(
      ParseConfig("streams: {items: 1}", env),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("streams.items")));
  config->streams.items_per_message = 1001;
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("streams.items_per_message")));
  config->streams.items_per_message = 100;
  config->streams.watch_initial_interval = absl::Seconds(20);
  EXPECT_THAT(ValidateConfig(*config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("watch_initial_interval_ms")));
}

TEST(ConfigTest, LoadConfigFileNamesTheFile) {
  EXPECT_THAT(LoadConfigFile("/nonexistent/ucgate.yaml", FakeEnvironment({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("/nonexistent/ucgate.yaml")));
}

// --- Who may call (issue 14) -------------------------------------------------

std::string WithProjects(const std::string& yaml) {
  return absl::StrCat(yaml, R"(
projects:
  - {name: main, public_key: pub1, secret_key_env: SECRET}
  - {name: legacy, public_key: pub2, secret_key_env: SECRET,
     limits: {calls_per_second: 5, max_in_flight: 3}}
)");
}

const EnvironmentLookup kSecretEnvironment =
    FakeEnvironment({{"SECRET", "s3cret-value"}});

TEST(ConfigTest, ParsesTheAccessKeys) {
  auto config = ParseConfig(WithProjects(R"(
tls: {cert_file: /tls/tls.crt, key_file: /tls/tls.key, client_ca_file: /tls/ca.crt}
allow_unauthenticated: false
authorization_mode: log_only
page_token_keys_file: /keys/tokens
page_token_max_age_seconds: 3600
callers:
  - name: billing
    token_sha256: ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    projects: [main]
    methods: ["uploadcare.gateway.v1.FileService/*"]
    limits: {calls_per_second: 10, burst: 20, max_in_flight: 4}
  - name: reports
    jwt: {issuer: "https://issuer", audience: ucgate, jwks_file: /jwks.json, subject: reports}
    projects: ["*"]
    methods: ["/uploadcare.gateway.v1.FileService/ListFiles"]
)"),
                            kSecretEnvironment);
  ASSERT_THAT(config.status(), IsOk());
  const AccessConfig& access = config->access;
  ASSERT_TRUE(access.tls.has_value());
  EXPECT_EQ(access.tls->cert_file, "/tls/tls.crt");
  EXPECT_EQ(access.tls->client_certificates,
            access::ClientCertificates::kRequire);
  EXPECT_EQ(access.authorization_mode, access::AuthorizationMode::kLogOnly);
  EXPECT_EQ(access.page_token_keys_file, "/keys/tokens");
  EXPECT_EQ(access.page_token_max_age, absl::Hours(1));
  ASSERT_EQ(access.callers.size(), 2u);
  EXPECT_EQ(access.callers[0].limits.max_in_flight, 4);
  ASSERT_TRUE(access.callers[1].jwt.has_value());
  EXPECT_EQ(access.callers[1].jwt->subject, "reports");
  EXPECT_EQ(config->projects[1].limits.calls_per_second, 5);
}

TEST(ConfigTest, AccessKeysWithMistakesNameTheKey) {
  for (
      const auto& [yaml, key] :
      std::vector<std::pair<std::string, std::string>>{
          {"callers: [{name: a, token_sha256: [abc], projects: [main], "
           "methods: ['*']}]",
           "config.callers[0].token_sha256"},
          {"callers: [{name: a, token_sha256: "
           "['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'"
           "], projects: [shop], methods: ['*']}]",
           "config.callers[0].projects"},
          {"callers: [{name: a, token_sha256: "
           "['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'"
           "], projects: [main], methods: ['uploadcare.gateway.v1.FileService/"
           "ListFile']}]",
           "config.callers[0].methods"},
          {"tls: {cert_file: /a}", "config.tls.key_file"},
          {"allow_unauthenticated: sometimes", "config.allow_unauthenticated"},
          {"authorization_mode: lax", "config.authorization_mode"},
      }) {
    auto config = ParseConfig(WithProjects(yaml), kSecretEnvironment);
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument)
        << yaml;
    EXPECT_THAT(config.status().message(), HasSubstr(key)) << yaml;
  }
}

TEST(ConfigTest, NoCallersOnAPublicAddressNeedsAllowUnauthenticated) {
  auto config =
      ParseConfig(WithProjects("listen: 0.0.0.0:50051"), kSecretEnvironment);
  ASSERT_THAT(config.status(), IsOk());
  auto reloader = access::FileReloader::Create();
  auto refused = MakeGatewayAccess(*config, reloader, MakeSystemClock());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("allow_unauthenticated"));

  config->access.allow_unauthenticated = true;
  ::ucgate::testing::LogCapture logs;
  auto allowed = MakeGatewayAccess(*config, reloader, MakeSystemClock());
  ASSERT_THAT(allowed.status(), IsOk());
  EXPECT_EQ(logs.LinesContaining("without caller authentication").size(), 1u);
  // Without callers every call goes through, but tokens are still sealed.
  ASSERT_NE(allowed->access.gate, nullptr);
  EXPECT_TRUE(allowed->access.gate->seals_tokens());
  EXPECT_EQ(allowed->access.credentials, nullptr);

  // Loopback needs nothing.
  config->access.allow_unauthenticated = false;
  config->listen = "127.0.0.1:50051";
  EXPECT_THAT(MakeGatewayAccess(*config, reloader, MakeSystemClock()).status(),
              IsOk());
}

}  // namespace
}  // namespace ucgate::gateway
