// A gateway (in-process gRPC server, real libcurl transport) in front of a
// real emulator (HTTP or HTTPS), and a client-library client of it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/ucgate_client.h"
#include "gtest/gtest.h"
#include "service/emulator/emulator.h"
#include "service/gateway/gateway_server.h"
#include "service/gateway/gateway_telemetry.h"
#include "service/upstream/http/http_client.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::testing {

inline constexpr char kPublicKey[] = "integrationpublickey";
inline constexpr char kSecretKey[] = "integration-secret-0123456789";

struct GatewaySetup {
  ApiVersion api_version = ApiVersion::kV07;
  auth::AuthScheme auth_scheme = auth::AuthScheme::kSigned;
  bool https = false;
  int seed_files = 300;
  // What the gateway is configured with (a wrong one tests 401 handling).
  std::string gateway_secret = kSecretKey;
  int max_attempts = 3;
  // Calls the gateway runs at once (fibers on the upstream I/O loops, as
  // ucgate runs them).
  int max_calls = 64;
  // The gateway's file-info cache budget (0: no cache).
  int64_t cache_max_bytes = gateway::CacheConfig().max_bytes;
  // The emulator's clock (jobs move on it); the system clock when null.
  std::shared_ptr<ManualClock> emulator_clock;
  // The gateway's metrics and observing interceptor, as ucgate runs them.
  bool observe = false;
  // upstream.max_response_bytes.
  int64_t max_response_bytes = gateway::UpstreamConfig().max_response_bytes;
  // streams.memory_budget_bytes.
  int64_t stream_memory_budget_bytes =
      gateway::StreamsConfig().memory_budget_bytes;
};

class GatewayFixture {
 public:
  explicit GatewayFixture(GatewaySetup setup) : setup_(std::move(setup)) {}

  void Start() {
    emulator::EmulatorOptions emulator_options;
    emulator_options.projects.push_back({kPublicKey, kSecretKey});
    emulator_options.seed_files = setup_.seed_files;
    if (setup_.emulator_clock) emulator_options.clock = setup_.emulator_clock;
    http::CurlHttpClientOptions http_options;
    http_options.max_response_bytes =
        static_cast<std::size_t>(setup_.max_response_bytes);
    if (setup_.https) {
      auto certificates = WriteTestCertificates(::testing::TempDir());
      ASSERT_THAT(certificates.status(), IsOk());
      emulator_options.tls =
          emulator::TlsFiles{certificates->cert_file, certificates->key_file};
      http_options.ca_file = certificates->ca_pem_file;
    }
    auto emulator = emulator::Emulator::Start(emulator_options);
    ASSERT_THAT(emulator.status(), IsOk());
    emulator_ = *std::move(emulator);

    gateway::GatewayConfig config;
    gateway::ProjectConfig project;
    project.name = "main";
    project.public_key = kPublicKey;
    project.secret_key = Secret(setup_.gateway_secret);
    project.api_version = setup_.api_version;
    project.auth_scheme = setup_.auth_scheme;
    project.base_url = emulator_->base_url();
    config.projects.push_back(project);
    config.upstream.retry.max_attempts = setup_.max_attempts;
    config.cache.max_bytes = setup_.cache_max_bytes;
    config.streams.memory_budget_bytes = setup_.stream_memory_budget_bytes;
    ASSERT_THAT(gateway::ValidateConfig(config), IsOk());
    std::optional<observability::ServerObservabilityOptions> observability;
    if (setup_.observe) {
      auto telemetry = gateway::MakeGatewayTelemetry(config);
      ASSERT_THAT(telemetry.status(), IsOk());
      telemetry_ = *std::move(telemetry);
      observability = gateway::ObservabilityOptionsOf(telemetry_);
    }
    stream_options_ =
        gateway::MakeStreamOptions(config.streams, telemetry_.gateway);
    std::shared_ptr<http::HttpClient> http_client =
        http::MakeCurlHttpClient(http_options);
    if (setup_.observe) {
      gateway::WatchUpstreamConnections(*telemetry_.gateway, http_client);
    }
    config.max_queued_calls = setup_.max_calls;
    const gateway::CallExecutors executors =
        gateway::MakeCallExecutors(*http_client, config);
    auto projects = gateway::MakeProjectRegistry(
        config, std::move(http_client), MakeSystemClock(),
        [this](absl::Duration delay, const Cancellation*) {
          absl::MutexLock lock(&sleeps_mutex_);
          sleeps_.push_back(delay);
        },
        /*reloader=*/nullptr, telemetry_.gateway, executors.chunks);
    ASSERT_THAT(projects.status(), IsOk());
    projects_ = *projects;
    auto server = gateway::GatewayServer::Start(
        "127.0.0.1:0", projects_, executors.calls, stream_options_,
        /*scheduler=*/nullptr, gateway::GatewayAccess{}, observability);
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    client::ClientOptions client_options;
    client_options.timeout = absl::Seconds(10);
    client_ = std::make_unique<client::FileClient>(server_->InProcessChannel(),
                                                   client_options);
    channel_ = server_->InProcessChannel();
  }

  emulator::Emulator& emulator() { return *emulator_; }
  client::FileClient& client() { return *client_; }
  gateway::GatewayServer& server() { return *server_; }
  const gateway::ProjectRegistry& projects() const { return *projects_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  std::vector<absl::Duration> sleeps() const {
    absl::MutexLock lock(&sleeps_mutex_);
    return sleeps_;
  }
  // Set up with GatewaySetup::observe only.
  const gateway::GatewayTelemetry& telemetry() const { return telemetry_; }
  const gateway::StreamMemoryBudget& stream_memory() const {
    return *stream_options_.memory;
  }

  // A present (not removed) file of the emulator's project.
  uploadcare::gateway::v1::File PresentFile(bool stored) {
    for (const auto& file : emulator_->Files(kPublicKey)) {
      if (!file.has_datetime_removed() &&
          file.has_datetime_stored() == stored) {
        return file;
      }
    }
    ADD_FAILURE() << "no such file in the seed";
    return {};
  }

 private:
  GatewaySetup setup_;
  std::unique_ptr<emulator::Emulator> emulator_;
  std::shared_ptr<const gateway::ProjectRegistry> projects_;
  std::unique_ptr<gateway::GatewayServer> server_;
  std::unique_ptr<client::FileClient> client_;
  std::shared_ptr<grpc::Channel> channel_;
  mutable absl::Mutex sleeps_mutex_;
  std::vector<absl::Duration> sleeps_ ABSL_GUARDED_BY(sleeps_mutex_);
  gateway::GatewayTelemetry telemetry_;
  gateway::StreamOptions stream_options_;
};

}  // namespace ucgate::testing
