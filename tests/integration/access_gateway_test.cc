// Who may call, through the real gateway (issue 14): the configuration
// parsed from YAML, TLS and mTLS on loopback with certificates the test
// makes, bearer tokens (static and JWT) and client certificates, the
// authorization matrix, audit lines, limits, sealed page tokens, and key and
// certificate files rotated while calls run.
#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/ucgate_client.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "service/access/access_reasons.h"
#include "service/access/crypto_util.h"
#include "service/api/page_token.h"
#include "service/common/blocking_executor.h"
#include "service/common/status.h"
#include "service/emulator/emulator.h"
#include "service/gateway/config.h"
#include "service/gateway/gateway_access.h"
#include "service/gateway/gateway_server.h"
#include "service/upstream/http/http_client.h"
#include "tests/access/access_test_util.h"
#include "tests/access/test_jwt.h"
#include "tests/testing_util/eventually.h"
#include "tests/testing_util/log_capture.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::testing {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using access::testing::IsOkAndHolds;
using access::testing::ProjectedVolume;
using access::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

constexpr char kPublicA[] = "publickeyofprojecta";
constexpr char kSecretA[] = "secret-of-project-a-0123456789";
constexpr char kPublicB[] = "publickeyofprojectb";
constexpr char kSecretB[] = "secret-of-project-b-9876543210";
constexpr char kBillingToken[] = "billing-token-3f9a1c7e5b2d4a6f8e0c";
constexpr char kAdminToken[] = "admin-token-7c1e9b3a5d2f4e6a8b0d";
constexpr char kThumbnailsId[] =
    "spiffe://cluster.local/ns/media/sa/thumbnails";
constexpr char kIssuer[] = "https://issuer.test";

// The configuration of these tests; $DIR, $EMULATOR, $TLS and $MODE are
// filled in by Start.
constexpr char kConfig[] = R"yaml(
authorization_mode: $MODE
$TLS
page_token_keys_file: $DIR/token-keys
callers:
  - name: billing
    token_sha256: ["$BILLING_SHA"]
    projects: [a]
    methods: ["uploadcare.gateway.v1.FileService/*"]
  - name: admin
    token_sha256: ["$ADMIN_SHA"]
    projects: ["*"]
    methods: ["*"]
  - name: thumbnails
    certificate_identities: ["spiffe://cluster.local/ns/media/sa/thumbnails"]
    projects: [a]
    methods: ["/uploadcare.gateway.v1.FileService/ListFiles"]
  - name: reports
    jwt: {issuer: "https://issuer.test", audience: ucgate,
          jwks_file: $DIR/jwks.json, subject: reports}
    projects: [b]
    methods: ["uploadcare.gateway.v1.FileService/ListFiles"]
  - name: limited
    token_sha256: ["$LIMITED_SHA"]
    projects: [a]
    methods: ["*"]
    limits: {calls_per_second: 0.001, burst: 2}
projects:
  - name: a
    public_key_file: $DIR/keys/public
    secret_key_file: $DIR/keys/secret
    base_url: $EMULATOR
  - name: b
    public_key: publickeyofprojectb
    secret_key_file: $DIR/secret-b
    base_url: $EMULATOR
)yaml";

constexpr char kLimitedToken[] = "limited-token-5e7a9c1b3d";

class AccessGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestCertificates> certificates =
        WriteTestCertificates(dir_.path());
    ASSERT_THAT(certificates.status(), IsOk());
    ca_ = *certificates;
    absl::StatusOr<TestLeafCertificate> thumbnails = WriteTestLeafCertificate(
        ca_, dir_.path(), "thumbnails", absl::StrCat("URI:", kThumbnailsId));
    ASSERT_THAT(thumbnails.status(), IsOk());
    thumbnails_ = *thumbnails;
    absl::StatusOr<TestLeafCertificate> stranger = WriteTestLeafCertificate(
        ca_, dir_.path(), "stranger",
        "URI:spiffe://cluster.local/ns/other/sa/stranger");
    ASSERT_THAT(stranger.status(), IsOk());
    stranger_ = *stranger;

    emulator::EmulatorOptions emulator_options;
    emulator_options.projects.push_back({kPublicA, kSecretA});
    emulator_options.projects.push_back({kPublicB, kSecretB});
    emulator_options.seed_files = 12;
    auto emulator = emulator::Emulator::Start(emulator_options);
    ASSERT_THAT(emulator.status(), IsOk());
    emulator_ = *std::move(emulator);

    std::filesystem::create_directory(dir_.File("keys"));
    keys_.Publish({{"public", kPublicA}, {"secret", kSecretA}});
    WriteFile(dir_.File("secret-b"), kSecretB);
    WriteFile(dir_.File("token-keys"),
              absl::StrCat("k1 ", access::Base64UrlEncode(std::string(32, 'k')),
                           "\n"));
    WriteFile(dir_.File("jwks.json"), access::testing::JwksJson({jwt_key_}));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::ZeroDuration());
  }

  // `tls`: the YAML of the tls key (empty: plaintext).
  void Start(const std::string& tls, const std::string& mode = "enforce") {
    const std::string yaml = absl::StrReplaceAll(
        kConfig, {{"$MODE", mode},
                  {"$TLS", tls},
                  {"$DIR", dir_.path()},
                  {"$EMULATOR", emulator_->base_url()},
                  {"$BILLING_SHA", access::Sha256Hex(kBillingToken)},
                  {"$ADMIN_SHA", access::Sha256Hex(kAdminToken)},
                  {"$LIMITED_SHA", access::Sha256Hex(kLimitedToken)}});
    config_text_ = yaml;
    WriteFile(dir_.File("config.yaml"), yaml);
    absl::StatusOr<gateway::GatewayConfig> config =
        gateway::ParseConfig(yaml, NoEnvironment());
    ASSERT_THAT(config.status(), IsOk());
    ASSERT_THAT(gateway::ValidateConfig(*config), IsOk());
    config_ = *config;
    reloader_ = access::FileReloader::Create();
    auto clock = MakeSystemClock();
    absl::StatusOr<gateway::GatewayAccessSetup> access =
        gateway::MakeGatewayAccess(*config, reloader_, clock);
    ASSERT_THAT(access.status(), IsOk());
    access_ = *access;
    auto reload = gateway::ConfigFileReload::Create(
        dir_.File("config.yaml"), NoEnvironment(), *config, access_.gate,
        access_.jwks, clock);
    ASSERT_THAT(reload.status(), IsOk());
    config_reload_ = *reload;
    reloader_->Add(config_reload_);
    auto projects = gateway::MakeProjectRegistry(
        *config, http::MakeCurlHttpClient({}), clock, nullptr, reloader_);
    ASSERT_THAT(projects.status(), IsOk());
    auto server = gateway::GatewayServer::Start(
        "127.0.0.1:0", *projects, std::make_shared<BlockingExecutor>(8, 64), {},
        nullptr, access_.access);
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
  }

  static gateway::EnvironmentLookup NoEnvironment() {
    return [](const std::string&) { return std::nullopt; };
  }

  std::string TlsYaml(const std::string& extra = "") const {
    return absl::StrCat(
        "tls: {cert_file: ", ca_.cert_file, ", key_file: ", ca_.key_file,
        ", reload_interval_seconds: 1, staging_dir: ", dir_.path(), extra, "}");
  }
  std::string MutualTlsYaml(const std::string& client_certificates) const {
    return TlsYaml(
        absl::StrCat(", client_ca_file: ", ca_.ca_pem_file,
                     ", client_certificates: ", client_certificates));
  }

  // A client of the gateway over TLS (plaintext when `tls` is false).
  client::ClientOptions Options(
      const std::string& project, const std::string& token = "",
      const TestLeafCertificate* certificate = nullptr, bool tls = true) const {
    client::ClientOptions options;
    options.target = absl::StrCat("127.0.0.1:", server_->port());
    options.project = project;
    options.timeout = absl::Seconds(10);
    options.use_tls = tls;
    if (tls) options.ca_file = ca_.ca_pem_file;
    options.bearer_token = token;
    if (certificate != nullptr) {
      options.cert_file = certificate->cert_file;
      options.key_file = certificate->key_file;
    }
    return options;
  }

  // The running configuration with the billing caller granted project b
  // too.
  std::string ConfigGrantingBillingProjectB() const {
    return absl::StrReplaceAll(
        config_text_,
        {{"    projects: [a]\n    methods: [\"uploadcare.gateway.v1."
          "FileService/*\"]",
          "    projects: [a, b]\n    methods: [\"uploadcare.gateway."
          "v1.FileService/*\"]"}});
  }

  // The upstream's next /files/ answer: 429 with this Retry-After.
  static emulator::Fault ThrottledOnce(int retry_after_seconds) {
    emulator::Fault throttled;
    throttled.path_prefix = "/files/";
    throttled.status = 429;
    throttled.retry_after_seconds = retry_after_seconds;
    throttled.times = 1;
    return throttled;
  }

  absl::StatusOr<v1::ListFilesResponse> ListFiles(
      const client::ClientOptions& options, v1::ListFilesRequest request = {}) {
    auto client = client::FileClient::Create(options);
    if (!client.ok()) return client.status();
    return (*client)->ListFiles(request);
  }

  ScopedTempDir dir_{"access_gateway"};
  TestCertificates ca_;
  TestLeafCertificate thumbnails_;
  TestLeafCertificate stranger_;
  access::testing::TestSigningKey jwt_key_ =
      access::testing::NewRs256Key("issuer-key-1");
  ProjectedVolume keys_{dir_.File("keys")};
  std::unique_ptr<emulator::Emulator> emulator_;
  gateway::GatewayConfig config_;
  std::shared_ptr<access::FileReloader> reloader_;
  gateway::GatewayAccessSetup access_;
  std::string config_text_;
  std::shared_ptr<gateway::ConfigFileReload> config_reload_;
  std::unique_ptr<gateway::GatewayServer> server_;
};

MATCHER_P2(IsRefusal, code, reason, "") {
  if (arg.status().code() != code) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  std::optional<std::string> found = ErrorReason(arg.status());
  if (found != std::string(reason)) {
    *result_listener << "reason is " << found.value_or("(none)") << " in "
                     << arg.status();
    return false;
  }
  return true;
}

TEST_F(AccessGatewayTest, StaticTokensAndTheAuthorizationMatrix) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  LogCapture logs;
  EXPECT_THAT(ListFiles(Options("a", kBillingToken)).status(), IsOk());
  EXPECT_THAT(ListFiles(Options("a")),
              IsRefusal(absl::StatusCode::kUnauthenticated,
                        access::kCredentialsMissing));
  EXPECT_THAT(
      ListFiles(Options("a", "not-a-known-token")),
      IsRefusal(absl::StatusCode::kUnauthenticated, access::kTokenUnknown));
  // A project not granted; the method is.
  EXPECT_THAT(
      ListFiles(Options("b", kBillingToken)),
      IsRefusal(absl::StatusCode::kPermissionDenied, access::kProjectDenied));
  // A project that does not exist is refused as not granted, before the
  // gateway says whether it exists.
  EXPECT_THAT(
      ListFiles(Options("nope", kBillingToken)),
      IsRefusal(absl::StatusCode::kPermissionDenied, access::kProjectDenied));
  // A method not granted.
  auto groups = client::GroupClient::Create(Options("a", kBillingToken));
  ASSERT_THAT(groups.status(), IsOk());
  EXPECT_THAT(
      (*groups)->ListGroups({}),
      IsRefusal(absl::StatusCode::kPermissionDenied, access::kMethodDenied));
  // "*" everywhere.
  auto admin_groups = client::GroupClient::Create(Options("b", kAdminToken));
  ASSERT_THAT(admin_groups.status(), IsOk());
  EXPECT_THAT((*admin_groups)->ListGroups({}).status(), IsOk());
  // Refusals come before validation: a bad request of an unknown caller is
  // UNAUTHENTICATED, not INVALID_ARGUMENT.
  v1::ListFilesRequest bad;
  bad.set_page_size(-1);
  EXPECT_THAT(
      ListFiles(Options("a", "not-a-known-token"), bad),
      IsRefusal(absl::StatusCode::kUnauthenticated, access::kTokenUnknown));

  // One audit line per refusal, naming caller, project, method and reason,
  // never a token.
  const std::vector<std::string> denied =
      logs.LinesContaining(access::kMethodDenied);
  ASSERT_EQ(denied.size(), 1u) << absl::StrJoin(logs.lines(), "\n");
  EXPECT_THAT(denied[0], HasSubstr("billing"));
  EXPECT_THAT(denied[0],
              HasSubstr("/uploadcare.gateway.v1.GroupService/ListGroups"));
  for (const std::string& line : logs.lines()) {
    EXPECT_THAT(line, Not(HasSubstr(kBillingToken)));
    EXPECT_THAT(line, Not(HasSubstr(kAdminToken)));
    EXPECT_THAT(line, Not(HasSubstr("not-a-known-token")));
  }
  // Nothing refused reached the upstream: project b was only ever listed by
  // the admin.
}

// The client library's (and ucctl's) --token-file: the token read from a
// file, trailing newline dropped; never sent in plaintext off loopback.
TEST_F(AccessGatewayTest, ClientTakesTheTokenFromAFile) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  WriteFile(dir_.File("token"), absl::StrCat(kBillingToken, "\n"));
  client::ClientOptions options = Options("a");
  options.token_file = dir_.File("token");
  EXPECT_THAT(ListFiles(options).status(), IsOk());

  WriteFile(dir_.File("empty-token"), "\n");
  options.token_file = dir_.File("empty-token");
  absl::Status empty = ListFiles(options).status();
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.message(), HasSubstr("empty-token"));

  client::ClientOptions plaintext;
  plaintext.target = "10.1.2.3:50051";
  plaintext.bearer_token = kBillingToken;
  absl::Status refused = ListFiles(plaintext).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("plaintext"));
  EXPECT_THAT(refused.message(), Not(HasSubstr(kBillingToken)));
}

TEST_F(AccessGatewayTest, HealthNeedsNoCredentials) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  auto health = client::HealthClient::Create(Options(""));
  ASSERT_THAT(health.status(), IsOk());
  auto answer = (*health)->Check({});
  ASSERT_THAT(answer.status(), IsOk());
  EXPECT_EQ(answer->status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(AccessGatewayTest, JwtMatrix) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  access::testing::TestClaims claims;
  claims.issuer = kIssuer;
  claims.subject = "reports";
  claims.audience = "ucgate";
  claims.expires = now + 600;
  EXPECT_THAT(
      ListFiles(Options("b", access::testing::MakeJwt(jwt_key_, claims)))
          .status(),
      IsOk());
  // The same caller may not use project a.
  EXPECT_THAT(
      ListFiles(Options("a", access::testing::MakeJwt(jwt_key_, claims))),
      IsRefusal(absl::StatusCode::kPermissionDenied, access::kProjectDenied));

  access::testing::TestClaims expired = claims;
  expired.expires = now - 600;
  EXPECT_THAT(
      ListFiles(Options("b", access::testing::MakeJwt(jwt_key_, expired))),
      IsRefusal(absl::StatusCode::kUnauthenticated, access::kJwtExpired));
  access::testing::TestClaims audience = claims;
  audience.audience = "someone-else";
  EXPECT_THAT(
      ListFiles(Options("b", access::testing::MakeJwt(jwt_key_, audience))),
      IsRefusal(absl::StatusCode::kUnauthenticated,
                access::kJwtAudienceMismatch));
  // Signed by a key the JWKS does not hold, under the kid it does.
  access::testing::TestSigningKey impostor =
      access::testing::NewRs256Key("issuer-key-1");
  EXPECT_THAT(
      ListFiles(Options("b", access::testing::MakeJwt(impostor, claims))),
      IsRefusal(absl::StatusCode::kUnauthenticated,
                access::kJwtSignatureInvalid));
  // alg: none, unsigned.
  const std::string unsigned_jwt = absl::StrCat(
      access::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})"), ".",
      access::Base64UrlEncode(access::testing::ClaimsJson(claims)), ".");
  EXPECT_THAT(ListFiles(Options("b", unsigned_jwt)),
              IsRefusal(absl::StatusCode::kUnauthenticated,
                        access::kJwtAlgorithmRefused));
  // Claims changed after signing (another subject).
  const std::string good = access::testing::MakeJwt(jwt_key_, claims);
  access::testing::TestClaims other = claims;
  other.subject = "admin";
  const std::vector<std::string> parts = absl::StrSplit(good, '.');
  ASSERT_EQ(parts.size(), 3u);
  const std::string tampered =
      absl::StrCat(parts[0], ".",
                   access::Base64UrlEncode(access::testing::ClaimsJson(other)),
                   ".", parts[2]);
  EXPECT_THAT(ListFiles(Options("b", tampered)),
              IsRefusal(absl::StatusCode::kUnauthenticated,
                        access::kJwtSignatureInvalid));
}

TEST_F(AccessGatewayTest, ClientCertificatesIdentifyCallers) {
  // `request`: certificates verified when sent, tokens for the others.
  ASSERT_NO_FATAL_FAILURE(Start(MutualTlsYaml("request")));
  EXPECT_THAT(ListFiles(Options("a", "", &thumbnails_)).status(), IsOk());
  EXPECT_THAT(ListFiles(Options("a", "", &stranger_)),
              IsRefusal(absl::StatusCode::kUnauthenticated,
                        access::kCertificateUnknown));
  auto project = client::ProjectClient::Create(Options("a", "", &thumbnails_));
  ASSERT_THAT(project.status(), IsOk());
  EXPECT_THAT(
      (*project)->GetProject({}),
      IsRefusal(absl::StatusCode::kPermissionDenied, access::kMethodDenied));
  EXPECT_THAT(ListFiles(Options("a", kBillingToken)).status(), IsOk());
}

TEST_F(AccessGatewayTest, RequiredClientCertificatesRefuseTheHandshake) {
  ASSERT_NO_FATAL_FAILURE(Start(MutualTlsYaml("require")));
  EXPECT_THAT(ListFiles(Options("a", "", &thumbnails_)).status(), IsOk());
  client::ClientOptions no_certificate = Options("a", kBillingToken);
  no_certificate.timeout = absl::Seconds(3);
  EXPECT_EQ(ListFiles(no_certificate).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(AccessGatewayTest, LogOnlyLetsRefusedCallsThroughAndLogsThem) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml(), "log_only"));
  LogCapture logs;
  EXPECT_THAT(ListFiles(Options("b", kBillingToken)).status(), IsOk());
  EXPECT_THAT(ListFiles(Options("a", "who-knows")).status(), IsOk());
  EXPECT_EQ(logs.LinesContaining(access::kProjectDenied).size(), 1u);
  EXPECT_EQ(logs.LinesContaining(access::kTokenUnknown).size(), 1u);
}

TEST_F(AccessGatewayTest, CallerLimitsAnswerResourceExhaustedWithRetryInfo) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  EXPECT_THAT(ListFiles(Options("a", kLimitedToken)).status(), IsOk());
  EXPECT_THAT(ListFiles(Options("a", kLimitedToken)).status(), IsOk());
  absl::StatusOr<v1::ListFilesResponse> third =
      ListFiles(Options("a", kLimitedToken));
  EXPECT_THAT(third, IsRefusal(absl::StatusCode::kResourceExhausted,
                               access::kCallerRateLimited));
  EXPECT_NE(RetryAfter(third.status()), std::nullopt);
  // Other callers are not limited by it.
  EXPECT_THAT(ListFiles(Options("a", kBillingToken)).status(), IsOk());
}

TEST_F(AccessGatewayTest, PageTokensAreSealedToProjectAndFilters) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  v1::ListFilesRequest first;
  first.set_page_size(5);
  absl::StatusOr<v1::ListFilesResponse> page =
      ListFiles(Options("a", kAdminToken), first);
  ASSERT_THAT(page.status(), IsOk());
  ASSERT_FALSE(page->next_page_token().empty());
  v1::ListFilesRequest next = first;
  next.set_page_token(page->next_page_token());
  absl::StatusOr<v1::ListFilesResponse> second =
      ListFiles(Options("a", kAdminToken), next);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_NE(second->files(0).uuid(), page->files(0).uuid());

  // Carried to another project.
  absl::StatusOr<v1::ListFilesResponse> elsewhere =
      ListFiles(Options("b", kAdminToken), next);
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(elsewhere.status().message(), HasSubstr("page_token"));
  // Other filters.
  v1::ListFilesRequest filtered = next;
  filtered.set_stored(true);
  EXPECT_EQ(ListFiles(Options("a", kAdminToken), filtered).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Forged: the unkeyed inner format anyone can compute.
  v1::ListFilesRequest forged = first;
  forged.set_page_token(api::EncodePageToken(
      {"2015-09-10T10:00:00Z", 100}, api::PagedRequestFingerprint("a", first)));
  absl::StatusOr<v1::ListFilesResponse> refused =
      ListFiles(Options("a", kAdminToken), forged);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("page_token"));
  // Tampered.
  v1::ListFilesRequest tampered = next;
  std::string token = next.page_token();
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  tampered.set_page_token(token);
  EXPECT_EQ(ListFiles(Options("a", kAdminToken), tampered).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AccessGatewayTest, StreamResumeTokensAreSealed) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  auto files = client::FileClient::Create(Options("a", kAdminToken));
  ASSERT_THAT(files.status(), IsOk());
  v1::StreamFilesRequest request;
  std::vector<std::string> resume_tokens;
  int streamed = 0;
  ASSERT_THAT(
      (*files)->StreamFiles(request,
                            [&](const v1::StreamFilesResponse& batch) {
                              streamed += batch.files_size();
                              resume_tokens.push_back(batch.resume_token());
                              return true;
                            }),
      IsOk());
  EXPECT_GT(streamed, 0);
  ASSERT_FALSE(resume_tokens.empty());
  // A resume token in the unkeyed inner format (which anyone can compute) is
  // refused, naming the field.
  v1::StreamFilesRequest forged;
  forged.set_resume_token(api::EncodeResumeToken(
      {"", 3}, api::PagedRequestFingerprint("a", forged)));
  absl::Status refused = (*files)->StreamFiles(
      forged, [](const v1::StreamFilesResponse&) { return true; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("resume_token"));
}

// Project a's keys (public and secret, one mounted volume) swapped to project
// B's while calls run: none fails, and the calls after the swap act on B.
TEST_F(AccessGatewayTest, ProjectKeysRotateUnderLoadWithoutFailedCalls) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  auto project_of = [&]() -> absl::StatusOr<std::string> {
    auto client = client::ProjectClient::Create(Options("a", kAdminToken));
    if (!client.ok()) return client.status();
    auto answer = (*client)->GetProject({});
    if (!answer.ok()) return answer.status();
    return answer->project().pub_key();
  };
  EXPECT_THAT(project_of(), IsOkAndHolds(std::string(kPublicA)));

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> load;
  for (int i = 0; i < 4; ++i) {
    load.emplace_back([&] {
      auto client = client::FileClient::Create(Options("a", kAdminToken));
      if (!client.ok()) {
        ++failures;
        return;
      }
      v1::ListFilesRequest request;
      request.set_page_size(2);
      while (!stop) {
        if (!(*client)->ListFiles(request).ok()) ++failures;
        ++calls;
      }
    });
  }
  ASSERT_TRUE(Eventually([&] { return calls > 20; }));
  keys_.Publish({{"public", kPublicB}, {"secret", kSecretB}});
  EXPECT_GE(reloader_->PollAll(), 1);
  const int at_swap = calls;
  ASSERT_TRUE(Eventually([&] { return calls > at_swap + 20; }));
  stop = true;
  for (std::thread& thread : load) thread.join();
  EXPECT_EQ(failures, 0) << "of " << calls << " calls";
  EXPECT_THAT(project_of(), IsOkAndHolds(std::string(kPublicB)));

  // A key file that turns empty keeps the last good keys, with an error line
  // that names the file and not the key.
  LogCapture logs;
  keys_.Publish({{"public", kPublicB}, {"secret", ""}});
  EXPECT_EQ(reloader_->PollAll(), 0);
  EXPECT_THAT(project_of(), IsOkAndHolds(std::string(kPublicB)));
  bool error_logged = false;
  for (const std::string& line : logs.lines()) {
    EXPECT_THAT(line, Not(HasSubstr(kSecretB)));
    error_logged |= absl::StrContains(line, "secret");
  }
  EXPECT_TRUE(error_logged) << absl::StrJoin(logs.lines(), "\n");
}

// The server's certificate replaced (Kubernetes' symlink swap) while calls
// run: no call fails, and new connections get the new certificate.
TEST_F(AccessGatewayTest, ServerCertificateRotatesUnderLoad) {
  std::filesystem::create_directory(dir_.File("tls"));
  ProjectedVolume tls(dir_.File("tls"));
  tls.Publish({{"tls.crt", access::testing::ReadFile(ca_.cert_file)},
               {"tls.key", access::testing::ReadFile(ca_.key_file)}});
  ASSERT_NO_FATAL_FAILURE(Start(absl::StrCat(
      "tls: {cert_file: ", tls.Path("tls.crt"),
      ", key_file: ", tls.Path("tls.key"),
      ", reload_interval_seconds: 1, staging_dir: ", dir_.path(), "}")));

  // The PEM of the certificate a fresh connection is served.
  auto served_certificate = [&]() -> std::string {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = access::testing::ReadFile(ca_.ca_pem_file);
    grpc::ChannelArguments arguments;
    arguments.SetInt("grpc.use_local_subchannel_pool", 1);
    auto channel =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                  grpc::SslCredentials(ssl), arguments);
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    if (!stub->Check(&context, request, &response).ok()) return "";
    auto pems = context.auth_context()->FindPropertyValues("x509_pem_cert");
    return pems.empty() ? "" : std::string(pems[0].data(), pems[0].size());
  };
  const std::string before = served_certificate();
  ASSERT_FALSE(before.empty());

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::atomic<int> failures{0};
  std::thread load([&] {
    while (!stop) {
      // A new connection per call: each handshake sees the current files.
      if (!ListFiles(Options("a", kBillingToken)).ok()) ++failures;
      ++calls;
    }
  });
  ASSERT_TRUE(Eventually([&] { return calls > 3; }));
  std::filesystem::create_directory(dir_.File("next"));
  absl::StatusOr<TestLeafCertificate> next = WriteTestLeafCertificate(
      ca_, dir_.File("next"), "localhost", "DNS:localhost,IP:127.0.0.1");
  ASSERT_THAT(next.status(), IsOk());
  tls.Publish({{"tls.crt", access::testing::ReadFile(next->cert_file)},
               {"tls.key", access::testing::ReadFile(next->key_file)}});
  EXPECT_GE(reloader_->PollAll(), 1);
  const std::string expected = access::testing::ReadFile(next->cert_file);
  EXPECT_TRUE(Eventually([&] { return served_certificate() == expected; },
                         absl::Seconds(15)));
  const int at_swap = calls;
  ASSERT_TRUE(Eventually([&] { return calls > at_swap + 3; }));
  stop = true;
  load.join();
  EXPECT_EQ(failures, 0) << "of " << calls << " calls";
}

// After the upstream answers a project's call with 429 and Retry-After, that
// project's next calls (every caller's) are held until then, or refused at
// once when that is longer than the gateway holds a call, instead of being
// forwarded into more 429s; other projects are unaffected.
TEST_F(AccessGatewayTest, UpstreamThrottlingHoldsTheProjectsNextCalls) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  emulator_->AddFault(ThrottledOnce(30));
  absl::StatusOr<v1::ListFilesResponse> first =
      ListFiles(Options("a", kAdminToken));
  ASSERT_EQ(first.status().code(), absl::StatusCode::kResourceExhausted);
  const size_t forwarded = emulator_->requests().size();
  absl::StatusOr<v1::ListFilesResponse> held =
      ListFiles(Options("a", kBillingToken));
  EXPECT_THAT(held, IsRefusal(absl::StatusCode::kResourceExhausted,
                              access::kUpstreamThrottled));
  EXPECT_THAT(RetryAfter(held.status()),
              Optional(::testing::Gt(absl::Seconds(20))));
  EXPECT_EQ(emulator_->requests().size(), forwarded);
  EXPECT_THAT(ListFiles(Options("b", kAdminToken)).status(), IsOk());

  // A short Retry-After: the next call waits for it, then goes.
  emulator_->AddFault(ThrottledOnce(1));
  ASSERT_EQ(ListFiles(Options("b", kAdminToken)).status().code(),
            absl::StatusCode::kResourceExhausted);
  const absl::Time start = absl::Now();
  EXPECT_THAT(ListFiles(Options("b", kAdminToken)).status(), IsOk());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(500));
}

// Streams obey the same throttle and feed it: a 429 met by a stream's page
// fetch holds the project's next calls, unary and streamed, and they are
// refused (30 s is past what the gateway holds a call) without reaching the
// upstream.
TEST_F(AccessGatewayTest, StreamsObeyAndRecordTheUpstreamThrottle) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  emulator_->AddFault(ThrottledOnce(30));
  auto files = client::FileClient::Create(Options("a", kAdminToken));
  ASSERT_THAT(files.status(), IsOk());
  v1::StreamFilesRequest request;
  auto keep_reading = [](const v1::StreamFilesResponse&) { return true; };
  EXPECT_EQ((*files)->StreamFiles(request, keep_reading).code(),
            absl::StatusCode::kResourceExhausted);
  const size_t forwarded = emulator_->requests().size();
  EXPECT_THAT(ListFiles(Options("a", kBillingToken)),
              IsRefusal(absl::StatusCode::kResourceExhausted,
                        access::kUpstreamThrottled));
  EXPECT_EQ((*files)->StreamFiles(request, keep_reading).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(emulator_->requests().size(), forwarded);
}

// The configuration file changed while the gateway runs: a valid version
// replaces the callers at once, an invalid one or one that needs a restart is
// refused with one line and the old one stays.
TEST_F(AccessGatewayTest, ConfigurationReloadsCallersAtomically) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  EXPECT_THAT(
      ListFiles(Options("b", kBillingToken)),
      IsRefusal(absl::StatusCode::kPermissionDenied, access::kProjectDenied));
  const std::string granted = ConfigGrantingBillingProjectB();
  ASSERT_NE(granted, config_text_);
  WriteFile(dir_.File("config.yaml"), granted);
  EXPECT_EQ(reloader_->PollAll(), 1);
  EXPECT_THAT(ListFiles(Options("b", kBillingToken)).status(), IsOk());

  LogCapture logs;
  WriteFile(dir_.File("config.yaml"), granted + "callers: [\n");
  EXPECT_EQ(reloader_->PollAll(), 0);
  EXPECT_THAT(ListFiles(Options("b", kBillingToken)).status(), IsOk());
  EXPECT_EQ(logs.LinesContaining("configuration file").size(), 1u)
      << absl::StrJoin(logs.lines(), "\n");

  // Another public key for a project needs a restart.
  const std::string rekeyed = absl::StrReplaceAll(
      granted, {{"public_key: publickeyofprojectb", "public_key: otherkey"}});
  ASSERT_NE(rekeyed, granted);
  WriteFile(dir_.File("config.yaml"), rekeyed);
  EXPECT_EQ(reloader_->PollAll(), 0);
  EXPECT_EQ(logs.LinesContaining("restart ucgate").size(), 1u)
      << absl::StrJoin(logs.lines(), "\n");
  EXPECT_THAT(ListFiles(Options("b", kBillingToken)).status(), IsOk());

  // So does any change to `tls` (the port's credentials are made at start),
  // not only turning it on or off.
  const std::string retimed = absl::StrReplaceAll(
      granted, {{"reload_interval_seconds: 1", "reload_interval_seconds: 2"}});
  ASSERT_NE(retimed, granted);
  WriteFile(dir_.File("config.yaml"), retimed);
  EXPECT_EQ(reloader_->PollAll(), 0);
  EXPECT_EQ(logs.LinesContaining("restart ucgate").size(), 2u)
      << absl::StrJoin(logs.lines(), "\n");
  EXPECT_EQ(logs.LinesContaining("tls changed").size(), 1u)
      << absl::StrJoin(logs.lines(), "\n");
  EXPECT_THAT(ListFiles(Options("b", kBillingToken)).status(), IsOk());
}

// Runs `call` in a loop on a thread of its own until the returned guard
// stops it; counts calls and failures.
class LoadWhile {
 public:
  explicit LoadWhile(std::function<bool()> call)
      : thread_([this, call = std::move(call)] {
          while (!stop_) {
            if (!call()) ++failures_;
            ++calls_;
          }
        }) {}
  ~LoadWhile() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Waits until `more` further calls have ended.
  bool AwaitMoreCalls(int more) {
    const int from = calls_;
    return Eventually([&] { return calls_ >= from + more; });
  }
  int calls() const { return calls_; }
  int failures() const { return failures_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

// The issuer's signing keys rotated while calls run, as an identity
// provider does it: the JWKS gains the new key, callers move to tokens the
// new key signs, the old key leaves the JWKS. No call fails, and a token of
// the retired key is refused afterwards.
TEST_F(AccessGatewayTest, JwksRotatesUnderLoadWithoutFailedCalls) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  access::testing::TestClaims claims;
  claims.issuer = kIssuer;
  claims.subject = "reports";
  claims.audience = "ucgate";
  claims.expires = absl::ToUnixSeconds(absl::Now()) + 600;
  const std::string old_token = access::testing::MakeJwt(jwt_key_, claims);
  access::testing::TestSigningKey next_key =
      access::testing::NewRs256Key("issuer-key-2");
  const std::string new_token = access::testing::MakeJwt(next_key, claims);
  absl::Mutex mutex;
  std::string token = old_token;
  LoadWhile load([&] {
    std::string current;
    {
      absl::MutexLock lock(&mutex);
      current = token;
    }
    return ListFiles(Options("b", current)).ok();
  });
  ASSERT_TRUE(load.AwaitMoreCalls(3));
  WriteFile(dir_.File("jwks.json"),
            access::testing::JwksJson({jwt_key_, next_key}));
  EXPECT_GE(reloader_->PollAll(), 1);
  ASSERT_TRUE(load.AwaitMoreCalls(3));
  {
    absl::MutexLock lock(&mutex);
    token = new_token;
  }
  ASSERT_TRUE(load.AwaitMoreCalls(3));
  WriteFile(dir_.File("jwks.json"), access::testing::JwksJson({next_key}));
  EXPECT_GE(reloader_->PollAll(), 1);
  ASSERT_TRUE(load.AwaitMoreCalls(3));
  load.Stop();
  EXPECT_EQ(load.failures(), 0) << "of " << load.calls() << " calls";
  EXPECT_EQ(ListFiles(Options("b", old_token)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

// The configuration file rewritten back and forth (a caller granted another
// project, then not) while that caller's calls of its first project run: no
// call fails, and each version takes effect.
TEST_F(AccessGatewayTest, ConfigurationReloadsUnderLoadWithoutFailedCalls) {
  ASSERT_NO_FATAL_FAILURE(Start(TlsYaml()));
  LoadWhile load([&] { return ListFiles(Options("a", kBillingToken)).ok(); });
  ASSERT_TRUE(load.AwaitMoreCalls(3));
  const std::string granted = ConfigGrantingBillingProjectB();
  ASSERT_NE(granted, config_text_);
  for (int round = 0; round < 3; ++round) {
    WriteFile(dir_.File("config.yaml"), granted);
    EXPECT_EQ(reloader_->PollAll(), 1);
    EXPECT_THAT(ListFiles(Options("b", kBillingToken)).status(), IsOk());
    ASSERT_TRUE(load.AwaitMoreCalls(3));
    WriteFile(dir_.File("config.yaml"), config_text_);
    EXPECT_EQ(reloader_->PollAll(), 1);
    EXPECT_THAT(
        ListFiles(Options("b", kBillingToken)),
        IsRefusal(absl::StatusCode::kPermissionDenied, access::kProjectDenied));
    ASSERT_TRUE(load.AwaitMoreCalls(3));
  }
  load.Stop();
  EXPECT_EQ(load.failures(), 0) << "of " << load.calls() << " calls";
}

// Secret hygiene for the credentials of callers (issue 14), at debug level:
// bearer tokens, JWTs, the page-token HMAC key, project keys (before and
// after a rotation) and the TLS private key never reach a log line or what a
// caller is told.
TEST_F(AccessGatewayTest, NoCredentialReachesALogLineOrAnError) {
  LogCapture logs;  // Debug level while it lives.
  ASSERT_NO_FATAL_FAILURE(Start(MutualTlsYaml("request")));
  access::testing::TestClaims claims;
  claims.issuer = kIssuer;
  claims.subject = "reports";
  claims.expires = absl::ToUnixSeconds(absl::Now()) + 600;
  const std::string jwt = access::testing::MakeJwt(jwt_key_, claims);
  claims.audience = "wrong";
  const std::string wrong_jwt = access::testing::MakeJwt(jwt_key_, claims);
  std::vector<std::string> told;
  auto tell = [&](const absl::Status& status) {
    told.push_back(status.ToString());
  };
  for (const std::string& token :
       {std::string(kBillingToken), std::string(kAdminToken), jwt, wrong_jwt,
        std::string("Bearer-looking-but-unknown-0123")}) {
    for (const char* project : {"a", "b", "nope"}) {
      tell(ListFiles(Options(project, token)).status());
    }
    v1::ListFilesRequest forged;
    forged.set_page_token("not-a-token");
    tell(ListFiles(Options("a", token), forged).status());
  }
  tell(ListFiles(Options("a", "", &stranger_)).status());
  keys_.Publish({{"public", kPublicB}, {"secret", kSecretB}});
  reloader_->PollAll();
  keys_.Publish({{"public", kPublicB}, {"secret", ""}});
  reloader_->PollAll();
  tell(ListFiles(Options("a", kAdminToken)).status());

  const std::string private_key = access::testing::ReadFile(ca_.key_file);
  const std::string private_key_body =
      private_key.substr(private_key.find('\n') + 1, 40);
  const std::vector<std::string> secrets = {
      kBillingToken,
      kAdminToken,
      jwt.substr(jwt.rfind('.') + 1),
      wrong_jwt.substr(wrong_jwt.rfind('.') + 1),
      kSecretA,
      kSecretB,
      access::Base64UrlEncode(std::string(32, 'k')),
      private_key_body};
  std::vector<std::string> seen = logs.lines();
  seen.insert(seen.end(), told.begin(), told.end());
  ASSERT_FALSE(logs.lines().empty());
  for (const std::string& text : seen) {
    for (const std::string& secret : secrets) {
      EXPECT_THAT(text, Not(HasSubstr(secret)));
    }
  }
}

}  // namespace
}  // namespace ucgate::testing
