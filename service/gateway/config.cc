#include "service/gateway/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/api/rpcs.h"
#include "service/common/url.h"

namespace ucgate::gateway {
namespace {

absl::Status ConfigError(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

// Reads the keys of a YAML mapping, refusing unknown ones so typos surface.
class MappingReader {
 public:
  MappingReader(const YAML::Node& node, std::string where,
                std::set<std::string> known)
      : node_(node), where_(std::move(where)) {
    if (!node_.IsMap()) {
      status_ = ConfigError(where_, "must be a mapping");
      return;
    }
    // yaml-cpp keeps a repeated key silently (lookups see the first), so a
    // second `listen:` or `upstream:` would be ignored without this check.
    std::set<std::string> seen;
    for (const auto& entry : node_) {
      std::string key = entry.first.as<std::string>();
      if (!known.count(key)) {
        status_ = ConfigError(absl::StrCat(where_, ".", key), "unknown key");
        return;
      }
      if (!seen.insert(key).second) {
        status_ =
            ConfigError(absl::StrCat(where_, ".", key), "given more than once");
        return;
      }
    }
  }

  const absl::Status& status() const { return status_; }
  bool Has(const std::string& key) const { return status_.ok() && node_[key]; }
  const YAML::Node Node(const std::string& key) const { return node_[key]; }
  std::string Where(const std::string& key) const {
    return absl::StrCat(where_, ".", key);
  }

  void String(const std::string& key, std::string* out) {
    if (!Has(key)) return;
    const YAML::Node value = node_[key];
    if (!value.IsScalar()) {
      Fail(key, "must be a string");
      return;
    }
    *out = value.as<std::string>();
  }

  void Int(const std::string& key, int* out) {
    std::string text;
    String(key, &text);
    if (!Has(key) || !status_.ok()) return;
    if (!absl::SimpleAtoi(text, out)) Fail(key, "must be a whole number");
  }

  void Int64(const std::string& key, int64_t* out) {
    std::string text;
    String(key, &text);
    if (!Has(key) || !status_.ok()) return;
    if (!absl::SimpleAtoi(text, out)) Fail(key, "must be a whole number");
  }

  void Bool(const std::string& key, bool* out) {
    if (!Has(key)) return;
    const YAML::Node value = node_[key];
    bool parsed = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, parsed)) {
      Fail(key, "must be true or false");
      return;
    }
    *out = parsed;
  }

  void DurationSeconds(const std::string& key, absl::Duration* out) {
    int seconds = 0;
    if (!Has(key)) return;
    Int(key, &seconds);
    if (status_.ok()) *out = absl::Seconds(seconds);
  }

  void DurationMs(const std::string& key, absl::Duration* out) {
    int ms = 0;
    if (!Has(key)) return;
    Int(key, &ms);
    if (status_.ok()) *out = absl::Milliseconds(ms);
  }

  void Fail(const std::string& key, absl::string_view what) {
    if (status_.ok()) status_ = ConfigError(Where(key), what);
  }

 private:
  const YAML::Node node_;
  std::string where_;
  absl::Status status_;
};

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return absl::NotFoundError(absl::StrCat("cannot read '", path, "'"));
  std::stringstream contents;
  contents << file.rdbuf();
  // Kubernetes secret files and `echo` often end with a newline.
  return std::string(absl::StripAsciiWhitespace(contents.str()));
}

absl::Status ParseProject(const YAML::Node& node, const std::string& where,
                          const EnvironmentLookup& env,
                          ProjectConfig* project) {
  MappingReader reader(node, where,
                       {"name", "public_key", "public_key_file",
                        "secret_key_file", "secret_key_env", "auth_scheme",
                        "api_version", "base_url", "limits", "secret_key"});
  if (!reader.status().ok()) return reader.status();
  if (reader.Has("secret_key")) {
    return ConfigError(reader.Where("secret_key"),
                       "secret keys are not accepted in the config file; use "
                       "secret_key_file or secret_key_env");
  }
  reader.String("name", &project->name);
  reader.String("public_key", &project->public_key);
  reader.String("base_url", &project->base_url);
  std::string scheme = "signed", version = "0.7", secret_file, secret_env;
  reader.String("auth_scheme", &scheme);
  reader.String("api_version", &version);
  reader.String("secret_key_file", &secret_file);
  reader.String("secret_key_env", &secret_env);
  reader.String("public_key_file", &project->public_key_file);
  if (!reader.status().ok()) return reader.status();
  if (reader.Has("limits")) {
    absl::StatusOr<access::CallLimits> limits =
        access::ParseCallLimits(reader.Node("limits"), reader.Where("limits"));
    if (!limits.ok()) return limits.status();
    project->limits = *limits;
  }
  if (!project->public_key_file.empty()) {
    if (!project->public_key.empty()) {
      return ConfigError(where,
                         "give at most one of public_key and public_key_file");
    }
    absl::StatusOr<std::string> public_key =
        ReadSecretFile(project->public_key_file);
    if (!public_key.ok()) {
      return ConfigError(reader.Where("public_key_file"),
                         public_key.status().message());
    }
    project->public_key = *std::move(public_key);
  }

  if (scheme == "signed") {
    project->auth_scheme = auth::AuthScheme::kSigned;
  } else if (scheme == "simple") {
    project->auth_scheme = auth::AuthScheme::kSimple;
  } else {
    return ConfigError(reader.Where("auth_scheme"),
                       "must be 'signed' or 'simple'");
  }
  std::optional<ApiVersion> api_version = ParseApiVersion(version);
  if (!api_version) {
    return ConfigError(reader.Where("api_version"),
                       "must be \"0.7\" or \"0.6\"");
  }
  project->api_version = *api_version;

  if (!secret_file.empty() == !secret_env.empty()) {
    return ConfigError(
        where, "give exactly one of secret_key_file and secret_key_env");
  }
  if (!secret_file.empty()) {
    absl::StatusOr<std::string> secret = ReadSecretFile(secret_file);
    if (!secret.ok()) {
      return ConfigError(reader.Where("secret_key_file"),
                         secret.status().message());
    }
    project->secret_key = Secret(*std::move(secret));
    project->secret_key_file = secret_file;
  } else {
    std::optional<std::string> secret = env(secret_env);
    if (!secret || secret->empty()) {
      return ConfigError(
          reader.Where("secret_key_env"),
          absl::StrCat("environment variable ", secret_env, " is not set"));
    }
    project->secret_key = Secret(*std::move(secret));
  }
  return absl::OkStatus();
}

absl::Status ParseUpstream(const YAML::Node& node, UpstreamConfig* upstream) {
  MappingReader reader(
      node, "upstream",
      {"base_url", "ca_file", "connect_timeout_ms", "request_timeout_ms",
       "max_idle_connections", "max_response_bytes", "io_threads",
       "max_connections_per_host", "max_in_flight", "http2", "retry"});
  reader.String("base_url", &upstream->base_url);
  reader.String("ca_file", &upstream->ca_file);
  reader.DurationMs("connect_timeout_ms", &upstream->connect_timeout);
  reader.DurationMs("request_timeout_ms", &upstream->request_timeout);
  reader.Int("max_idle_connections", &upstream->max_idle_connections);
  reader.Int64("max_response_bytes", &upstream->max_response_bytes);
  reader.Int("io_threads", &upstream->io_threads);
  reader.Int("max_connections_per_host", &upstream->max_connections_per_host);
  reader.Int("max_in_flight", &upstream->max_in_flight);
  reader.Bool("http2", &upstream->http2);
  if (!reader.status().ok()) return reader.status();
  if (reader.Has("retry")) {
    MappingReader retry(reader.Node("retry"), "upstream.retry",
                        {"max_attempts", "initial_backoff_ms", "max_backoff_ms",
                         "max_retry_after_ms"});
    retry.Int("max_attempts", &upstream->retry.max_attempts);
    retry.DurationMs("initial_backoff_ms", &upstream->retry.initial_backoff);
    retry.DurationMs("max_backoff_ms", &upstream->retry.max_backoff);
    retry.DurationMs("max_retry_after_ms", &upstream->retry.max_retry_after);
    if (!retry.status().ok()) return retry.status();
  }
  return absl::OkStatus();
}

absl::Status ParseCache(const YAML::Node& node, CacheConfig* cache) {
  MappingReader reader(node, "cache", {"max_bytes", "ttl_seconds"});
  reader.Int64("max_bytes", &cache->max_bytes);
  reader.DurationSeconds("ttl_seconds", &cache->ttl);
  return reader.status();
}

absl::Status ParseStreams(const YAML::Node& node, StreamsConfig* streams) {
  MappingReader reader(
      node, "streams",
      {"items_per_message", "max_concurrent", "memory_budget_bytes",
       "watch_initial_interval_ms", "watch_max_interval_ms"});
  reader.Int("items_per_message", &streams->items_per_message);
  reader.Int("max_concurrent", &streams->max_concurrent);
  reader.Int64("memory_budget_bytes", &streams->memory_budget_bytes);
  reader.DurationMs("watch_initial_interval_ms",
                    &streams->watch_initial_interval);
  reader.DurationMs("watch_max_interval_ms", &streams->watch_max_interval);
  return reader.status();
}

// Every RPC of the API as "/package.Service/Method", so that a caller's
// method pattern with a typo is an error at start.
std::vector<std::string> KnownMethods() {
  std::vector<std::string> methods;
  for (const api::rpc::Service& service : api::kServices) {
    for (int i = 0; i < service.rpc_count; ++i) {
      const std::string& package = service.rpcs[i].request()->file()->package();
      methods.push_back(absl::StrCat("/", package, ".", service.name, "/",
                                     service.rpcs[i].method));
    }
  }
  return methods;
}

// tls, allow_unauthenticated, authorization_mode, callers,
// page_token_keys_file, page_token_max_age_seconds. Callers are parsed after
// the projects they name.
absl::Status ParseAccess(MappingReader& reader, GatewayConfig* config) {
  AccessConfig& access = config->access;
  if (reader.Has("tls")) {
    absl::StatusOr<access::TlsServerConfig> tls =
        access::ParseTlsConfig(reader.Node("tls"), reader.Where("tls"));
    if (!tls.ok()) return tls.status();
    access.tls = *std::move(tls);
  }
  reader.Bool("allow_unauthenticated", &access.allow_unauthenticated);
  if (!reader.status().ok()) return reader.status();
  absl::StatusOr<access::AuthorizationMode> mode =
      access::ParseAuthorizationMode(reader.Node("authorization_mode"),
                                     reader.Where("authorization_mode"));
  if (!mode.ok()) return mode.status();
  access.authorization_mode = *mode;
  reader.String("page_token_keys_file", &access.page_token_keys_file);
  int max_age_seconds = 0;
  reader.Int("page_token_max_age_seconds", &max_age_seconds);
  if (!reader.status().ok()) return reader.status();
  if (reader.Has("page_token_max_age_seconds")) {
    if (max_age_seconds < 60) {
      return ConfigError(reader.Where("page_token_max_age_seconds"),
                         "must be at least 60");
    }
    access.page_token_max_age = absl::Seconds(max_age_seconds);
  }
  if (reader.Has("callers")) {
    access::ParseCallersOptions options;
    options.where = reader.Where("callers");
    for (const ProjectConfig& project : config->projects) {
      options.known_projects.push_back(project.name);
    }
    options.known_methods = KnownMethods();
    absl::StatusOr<std::vector<access::CallerConfig>> callers =
        access::ParseCallers(reader.Node("callers"), options);
    if (!callers.ok()) return callers.status();
    access.callers = *std::move(callers);
  }
  return absl::OkStatus();
}

absl::Status ParseBatch(const YAML::Node& node, BatchConfig* batch) {
  MappingReader reader(node, "batch", {"max_concurrent_chunks"});
  reader.Int("max_concurrent_chunks", &batch->max_concurrent_chunks);
  return reader.status();
}

}  // namespace

EnvironmentLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<GatewayConfig> ParseConfig(const std::string& yaml,
                                          const EnvironmentLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", error.mark.line + 1, ": ", error.msg));
  }
  GatewayConfig config;
  if (root.IsNull()) return config;
  try {
    MappingReader reader(
        root, "config",
        {"listen", "worker_threads", "max_queued_calls", "log_level",
         "log_format", "admin_listen", "drain_delay_ms", "upstream", "cache",
         "batch", "streams", "projects", "tls", "allow_unauthenticated",
         "authorization_mode", "callers", "page_token_keys_file",
         "page_token_max_age_seconds"});
    reader.String("listen", &config.listen);
    reader.String("admin_listen", &config.admin_listen);
    reader.Int("worker_threads", &config.worker_threads);
    config.worker_threads_set = reader.Has("worker_threads");
    reader.Int("max_queued_calls", &config.max_queued_calls);
    reader.DurationMs("drain_delay_ms", &config.drain_delay);
    std::string log_level;
    reader.String("log_level", &log_level);
    if (!reader.status().ok()) return reader.status();
    if (!log_level.empty() && !ParseLogLevel(log_level, &config.log_level)) {
      return ConfigError("config.log_level",
                         "must be debug, info, warning or error");
    }
    if (reader.Has("log_format")) {
      std::string log_format;
      reader.String("log_format", &log_format);
      if (!reader.status().ok()) return reader.status();
      LogFormat format;
      if (!ParseLogFormat(log_format, &format)) {
        return ConfigError("config.log_format", "must be json or text");
      }
      config.log_format = format;
    }
    if (reader.Has("upstream")) {
      if (absl::Status status =
              ParseUpstream(reader.Node("upstream"), &config.upstream);
          !status.ok()) {
        return status;
      }
    }
    if (reader.Has("cache")) {
      if (absl::Status status = ParseCache(reader.Node("cache"), &config.cache);
          !status.ok()) {
        return status;
      }
    }
    if (reader.Has("batch")) {
      if (absl::Status status = ParseBatch(reader.Node("batch"), &config.batch);
          !status.ok()) {
        return status;
      }
    }
    if (reader.Has("streams")) {
      if (absl::Status status =
              ParseStreams(reader.Node("streams"), &config.streams);
          !status.ok()) {
        return status;
      }
    }
    if (reader.Has("projects")) {
      const YAML::Node projects = reader.Node("projects");
      if (!projects.IsSequence())
        return ConfigError("config.projects", "must be a list");
      for (size_t i = 0; i < projects.size(); ++i) {
        ProjectConfig project;
        if (absl::Status status = ParseProject(
                projects[i], absl::StrCat("config.projects[", i, "]"), env,
                &project);
            !status.ok()) {
          return status;
        }
        config.projects.push_back(std::move(project));
      }
    }
    if (absl::Status status = ParseAccess(reader, &config); !status.ok()) {
      return status;
    }
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", error.mark.line + 1, ": ", error.msg));
  }
  return config;
}

absl::StatusOr<GatewayConfig> LoadConfigFile(const std::string& path,
                                             const EnvironmentLookup& env) {
  std::ifstream file(path);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file '", path, "' cannot be read"));
  }
  std::stringstream contents;
  contents << file.rdbuf();
  absl::StatusOr<GatewayConfig> config = ParseConfig(contents.str(), env);
  if (!config.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file '", path, "': ", config.status().message()));
  }
  return config;
}

absl::Status ApplyEnvironment(const EnvironmentLookup& env,
                              GatewayConfig* config) {
  if (auto listen = env("UCGATE_LISTEN")) config->listen = *listen;
  if (auto url = env("UCGATE_UPSTREAM_URL")) config->upstream.base_url = *url;
  if (auto level = env("UCGATE_LOG_LEVEL")) {
    if (!ParseLogLevel(*level, &config->log_level)) {
      return absl::InvalidArgumentError(
          "UCGATE_LOG_LEVEL must be debug, info, warning or error");
    }
  }
  if (auto format = env("UCGATE_LOG_FORMAT")) {
    LogFormat parsed;
    if (!ParseLogFormat(*format, &parsed)) {
      return absl::InvalidArgumentError(
          "UCGATE_LOG_FORMAT must be json or text");
    }
    config->log_format = parsed;
  }
  if (auto admin = env("UCGATE_ADMIN_LISTEN")) config->admin_listen = *admin;
  if (auto threads = env("UCGATE_WORKER_THREADS")) {
    if (!absl::SimpleAtoi(*threads, &config->worker_threads)) {
      return absl::InvalidArgumentError(
          "UCGATE_WORKER_THREADS must be a whole number");
    }
    config->worker_threads_set = true;
  }
  if (auto max_bytes = env("UCGATE_CACHE_MAX_BYTES")) {
    if (!absl::SimpleAtoi(*max_bytes, &config->cache.max_bytes)) {
      return absl::InvalidArgumentError(
          "UCGATE_CACHE_MAX_BYTES must be a whole number (0 disables the "
          "cache)");
    }
  }
  if (auto drain = env("UCGATE_DRAIN_DELAY_MS")) {
    int ms = 0;
    if (!absl::SimpleAtoi(*drain, &ms)) {
      return absl::InvalidArgumentError(
          "UCGATE_DRAIN_DELAY_MS must be a whole number");
    }
    config->drain_delay = absl::Milliseconds(ms);
  }
  if (auto ttl = env("UCGATE_CACHE_TTL_SECONDS")) {
    int seconds = 0;
    if (!absl::SimpleAtoi(*ttl, &seconds)) {
      return absl::InvalidArgumentError(
          "UCGATE_CACHE_TTL_SECONDS must be a whole number");
    }
    config->cache.ttl = absl::Seconds(seconds);
  }
  return absl::OkStatus();
}

absl::Status ValidateListenAddress(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) {
    return listen.size() > 5 ? absl::OkStatus()
                             : ConfigError("listen", "unix: needs a path");
  }
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1), &port) ||
      port < 0 || port > 65535 ||
      listen.find_first_of(" \t") != std::string::npos) {
    return ConfigError("listen",
                       absl::StrCat("'", absl::CEscape(listen.substr(0, 64)),
                                    "' is not HOST:PORT (port 0-65535)"));
  }
  return absl::OkStatus();
}

namespace {

// A whole-number setting and the range it must lie in.
struct IntRange {
  const char* key;
  int64_t value;
  int64_t min;
  int64_t max;
};

// The first setting out of its range, as one line naming it.
absl::Status CheckRanges(std::initializer_list<IntRange> ranges) {
  for (const IntRange& range : ranges) {
    if (range.value < range.min || range.value > range.max) {
      return ConfigError(range.key, absl::StrCat("must be between ", range.min,
                                                 " and ", range.max));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateConfig(const GatewayConfig& config) {
  if (absl::Status status = ValidateListenAddress(config.listen);
      !status.ok()) {
    return status;
  }
  // Port 0 (a free port) may appear in both.
  if (!config.admin_listen.empty() &&
      (config.admin_listen.rfind(':') == std::string::npos ||
       (config.admin_listen == config.listen &&
        !absl::EndsWith(config.admin_listen, ":0")))) {
    return ConfigError("admin_listen",
                       "must be HOST:PORT, apart from listen (or empty: off)");
  }
  if (config.worker_threads < 1 || config.worker_threads > 1024) {
    return ConfigError("worker_threads", "must be between 1 and 1024");
  }
  if (config.max_queued_calls < 1)
    return ConfigError("max_queued_calls", "must be positive");
  if (config.drain_delay < absl::ZeroDuration() ||
      config.drain_delay > absl::Minutes(5)) {
    return ConfigError("drain_delay_ms", "must be between 0 and 300000");
  }
  if (config.upstream.retry.max_attempts < 1 ||
      config.upstream.retry.max_attempts > 10) {
    return ConfigError("upstream.retry.max_attempts",
                       "must be between 1 and 10");
  }
  if (config.upstream.connect_timeout <= absl::ZeroDuration() ||
      config.upstream.request_timeout <= absl::ZeroDuration()) {
    return ConfigError("upstream", "timeouts must be positive");
  }
  const upstream::RetryOptions& retry = config.upstream.retry;
  if (retry.initial_backoff < absl::ZeroDuration() ||
      retry.max_backoff < retry.initial_backoff) {
    return ConfigError("upstream.retry",
                       "backoffs must satisfy 0 <= initial_backoff_ms <= "
                       "max_backoff_ms");
  }
  if (retry.max_retry_after < absl::ZeroDuration() ||
      retry.max_retry_after > absl::Minutes(1)) {
    return ConfigError("upstream.retry.max_retry_after_ms",
                       "must be between 0 and 60000");
  }
  if (absl::Status status = CheckRanges({
          {"upstream.max_idle_connections",
           config.upstream.max_idle_connections, 0, 10000},
          {"upstream.io_threads", config.upstream.io_threads, 0, 64},
          {"upstream.max_connections_per_host",
           config.upstream.max_connections_per_host, 0, 100000},
          {"upstream.max_in_flight", config.upstream.max_in_flight, 1, 1000000},
          {"upstream.max_response_bytes", config.upstream.max_response_bytes,
           64 * 1024, int64_t{1} << 30},
      });
      !status.ok()) {
    return status;
  }
  // Checked here rather than at the first TLS handshake, where it would fail
  // every call with a TLS configuration error.
  if (!config.upstream.ca_file.empty() &&
      !std::ifstream(config.upstream.ca_file)) {
    return ConfigError(
        "upstream.ca_file",
        absl::StrCat("cannot read '", config.upstream.ca_file, "'"));
  }
  if (config.cache.max_bytes < 0)
    return ConfigError("cache.max_bytes", "must be 0 (off) or positive");
  if (config.cache.ttl <= absl::ZeroDuration() ||
      config.cache.ttl > absl::Hours(24)) {
    return ConfigError("cache.ttl_seconds", "must be between 1 and 86400");
  }
  if (absl::Status status = CheckRanges({
          {"batch.max_concurrent_chunks", config.batch.max_concurrent_chunks, 1,
           64},
          {"streams.max_concurrent", config.streams.max_concurrent, 0, 1000000},
          {"streams.items_per_message", config.streams.items_per_message, 1,
           1000},
      });
      !status.ok()) {
    return status;
  }
  if (config.streams.memory_budget_bytes != 0 &&
      config.streams.memory_budget_bytes < (int64_t{1} << 20)) {
    return ConfigError("streams.memory_budget_bytes",
                       "must be 0 (unbounded) or at least 1048576 (1 MiB)");
  }
  if (config.streams.watch_initial_interval < absl::Milliseconds(10) ||
      config.streams.watch_max_interval > absl::Minutes(5) ||
      config.streams.watch_initial_interval >
          config.streams.watch_max_interval) {
    return ConfigError("streams",
                       "watch intervals must satisfy 10 ms <= "
                       "watch_initial_interval_ms <= watch_max_interval_ms "
                       "<= 300000");
  }
  if (config.projects.empty()) {
    return ConfigError("projects", "configure at least one Uploadcare project");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < config.projects.size(); ++i) {
    const ProjectConfig& project = config.projects[i];
    std::string where = absl::StrCat("projects[", i, "]");
    if (project.name.empty()) return ConfigError(where, "name is required");
    if (!names.insert(project.name).second) {
      return ConfigError(
          where, absl::StrCat("duplicate project name '", project.name, "'"));
    }
    if (project.public_key.empty())
      return ConfigError(where, "public_key is required");
    if (project.secret_key.empty())
      return ConfigError(where, "the secret key is empty");
    const std::string& base_url =
        project.base_url.empty() ? config.upstream.base_url : project.base_url;
    absl::StatusOr<BaseUrl> parsed = ParseBaseUrl(base_url);
    if (!parsed.ok()) return ConfigError(where, parsed.status().message());
    if (project.auth_scheme == auth::AuthScheme::kSimple && !parsed->https) {
      return ConfigError(
          where,
          "auth_scheme 'simple' sends the secret key itself and is "
          "refused unless the upstream is HTTPS");
    }
  }
  return absl::OkStatus();
}

}  // namespace ucgate::gateway
