#include "service/gateway/config.h"

#include <cstdio>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

  auto env = FakeEnvironment({{"X", "s"}});
  auto config = ParseConfig(R"(
streams: {items_per_message: 500, watch_initial_interval_ms: 250,
          watch_max_interval_ms: 10000}
projects: [{name: a, public_key: p, secret_key_env: X}]
)",
                            env);
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->streams.items_per_message, 500);
  EXPECT_EQ(config->streams.watch_initial_interval, absl::Milliseconds(250));
  EXPECT_EQ(config->streams.watch_max_interval, absl::Seconds(10));
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

}  // namespace
}  // namespace ucgate::gateway
