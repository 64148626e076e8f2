// Gateway configuration: a YAML file, then environment variables, then
// command-line flags, each overriding the one before. Secret keys come only
// from files or environment variables, never from the config file itself or
// a flag, so they stay out of ConfigMaps, shell history and `ps`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/access/access_policy.h"
#include "service/access/call_limiter.h"
#include "service/access/tls_config.h"
#include "service/common/api_version.h"
#include "service/common/log.h"
#include "service/common/secret.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/stack/retrying.h"

namespace ucgate::gateway {

struct ProjectConfig {
  // What callers put in the `x-ucgate-project` metadata.
  std::string name;
  std::string public_key;
  Secret secret_key;
  auth::AuthScheme auth_scheme = auth::AuthScheme::kSigned;
  ApiVersion api_version = ApiVersion::kV07;
  // Overrides upstream.base_url for this project when set.
  std::string base_url;
  // Where the keys were read from, so that they are watched and reloaded
  // (empty: the key came from the environment, or is fixed).
  std::string secret_key_file;
  std::string public_key_file;
  // Every caller's calls of this project together (`limits:`).
  access::CallLimits limits;
};

// Who may call (issue 14; README "Securing ucgate").
struct AccessConfig {
  // TLS on the gRPC port; unset: plaintext.
  std::optional<access::TlsServerConfig> tls;
  // Lets a non-loopback port serve without `callers` (with a warning).
  bool allow_unauthenticated = false;
  access::AuthorizationMode authorization_mode =
      access::AuthorizationMode::kEnforce;
  // Empty: every caller may call everything (only allowed on loopback or
  // with allow_unauthenticated).
  std::vector<access::CallerConfig> callers;
  // The HMAC keys of page and resume tokens (access/token_keyring.h format),
  // shared by every replica; empty: a random key per process (tokens then
  // work only on the replica that issued them).
  std::string page_token_keys_file;
  // How long a page or resume token stays valid.
  absl::Duration page_token_max_age = absl::Hours(24);
};

struct UpstreamConfig {
  std::string base_url = "https://api.uploadcare.com";
  // PEM CA bundle for the upstream's TLS; empty: the system store.
  std::string ca_file;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(30);
  int max_idle_connections = 64;
  // Largest upstream answer accepted (see CurlHttpClientOptions).
  int64_t max_response_bytes = int64_t{64} << 20;
  // The upstream I/O threads (event loops, each with its libcurl multi
  // handle and connection pool), on which every call also runs as a fiber;
  // 0: one per core.
  int io_threads = 0;
  // Connections open at once to one upstream host; 0: no cap.
  int max_connections_per_host = 256;
  // Upstream exchanges in flight at once; beyond it a call is answered
  // RESOURCE_EXHAUSTED with RetryInfo without being sent.
  int max_in_flight = 4096;
  // HTTP/2 (multiplexed) where the upstream offers it over TLS.
  bool http2 = false;
  upstream::RetryOptions retry;
};

// The file-info cache (service/cache): GetFile answers by project, UUID and
// include options, shared by every project of the gateway.
struct CacheConfig {
  // Byte budget for all projects together; 0 disables the cache.
  int64_t max_bytes = 64 << 20;
  // How long an entry is served before it is fetched again. Stored/removed
  // state, metadata and appdata can change outside the gateway (other
  // clients, the dashboard, add-ons, retention), so entries expire; 30 s
  // bounds that staleness while a hot file still costs one upstream call
  // per 30 s instead of one per read.
  absl::Duration ttl = absl::Seconds(30);
};

// BatchStoreFiles / BatchDeleteFiles of any size (up to kMaxBatchUuids),
// split into upstream batches of 100.
struct BatchConfig {
  // Upstream batches one call runs at once.
  int max_concurrent_chunks = 4;
};

struct StreamsConfig {
  // Items per StreamFiles/StreamGroups message (100: see README "Streams").
  int items_per_message = 100;
  // Streams open at once across callers (StreamOptions::max_concurrent);
  // 0: no cap.
  int max_concurrent = 1024;
  // Bytes all listing streams together may hold in upstream pages (see
  // StreamMemoryBudget); 0: unbounded.
  int64_t memory_budget_bytes = int64_t{512} << 20;
  // Shared job polling: the first interval, doubling while the status stays
  // the same up to the max (each upstream poll serves every watcher).
  absl::Duration watch_initial_interval = absl::Milliseconds(500);
  absl::Duration watch_max_interval = absl::Seconds(5);
};

struct GatewayConfig {
  std::string listen = "127.0.0.1:50051";
  // No longer used: calls wait on the upstream as fibers on the I/O
  // threads (upstream.io_threads), not on worker threads. Accepted so that
  // older configurations still start; a warning says it is ignored.
  int worker_threads = 32;
  bool worker_threads_set = false;
  // Calls in progress at once (each a fiber waiting on the upstream);
  // beyond it callers get RESOURCE_EXHAUSTED at once.
  int max_queued_calls = 4096;
  LogLevel log_level = LogLevel::kInfo;
  // On SIGTERM the gateway reports NOT_SERVING at once and keeps answering
  // this long before it refuses new calls (Kubernetes removes the pod from
  // its endpoints meanwhile), then drains the calls in flight.
  absl::Duration drain_delay = absl::Seconds(5);
  // Unset: json, or text with --emulator (ucgate_main decides).
  std::optional<LogFormat> log_format;
  // Plaintext HTTP listener for /metrics, /healthz and /readyz ("HOST:PORT");
  // empty: none.
  std::string admin_listen;
  UpstreamConfig upstream;
  CacheConfig cache;
  BatchConfig batch;
  StreamsConfig streams;
  std::vector<ProjectConfig> projects;
  AccessConfig access;
};

// Reads environment variables; injected so tests control them.
using EnvironmentLookup =
    std::function<std::optional<std::string>(const std::string&)>;
EnvironmentLookup ProcessEnvironment();

// Parses a YAML config file (see README.md "Configuration"). Errors name the
// file and the key. Secret files and variables are read here.
absl::StatusOr<GatewayConfig> LoadConfigFile(const std::string& path,
                                             const EnvironmentLookup& env);
absl::StatusOr<GatewayConfig> ParseConfig(const std::string& yaml,
                                          const EnvironmentLookup& env);

// UCGATE_LISTEN, UCGATE_LOG_LEVEL, UCGATE_LOG_FORMAT, UCGATE_ADMIN_LISTEN,
// UCGATE_UPSTREAM_URL, UCGATE_WORKER_THREADS, UCGATE_CACHE_MAX_BYTES,
// UCGATE_CACHE_TTL_SECONDS, UCGATE_DRAIN_DELAY_MS.
absl::Status ApplyEnvironment(const EnvironmentLookup& env,
                              GatewayConfig* config);

// "HOST:PORT" (port 0-65535) or "unix:PATH"; says nothing about whether the
// address can be bound (see gateway::CheckCanListen).
absl::Status ValidateListenAddress(const std::string& listen);

// Cross-field checks: at least one project, unique names, keys present,
// Simple auth only over HTTPS, a readable ca_file, sane numbers.
absl::Status ValidateConfig(const GatewayConfig& config);

}  // namespace ucgate::gateway
