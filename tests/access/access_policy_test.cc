// The `callers` configuration and the access decision: parsing (errors name
// the key), the identity x project x method matrix, audit lines, log-only
// mode, and ErrorInfo details.
#include "service/access/access_policy.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "service/access/access_reasons.h"
#include "service/common/status.h"
#include "tests/access/access_test_util.h"
#include "tests/access/test_jwt.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::IsOkAndHolds;
using testing::LogCapture;
using ::testing::Not;
using ::testing::SizeIs;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);
constexpr char kGetFile[] = "/uploadcare.gateway.v1.FileService/GetFile";
constexpr char kDeleteFile[] = "/uploadcare.gateway.v1.FileService/DeleteFile";
constexpr char kGetGroup[] = "/uploadcare.gateway.v1.GroupService/GetGroup";
constexpr char kBillingToken[] = "billing-token-0123456789abcdef";
constexpr char kAdminToken[] = "admin-token-fedcba9876543210";
constexpr char kReaderSpiffe[] = "spiffe://cluster.local/ns/media/sa/reader";

const std::vector<std::string> kKnownMethods = {kGetFile, kDeleteFile,
                                                kGetGroup};
const std::vector<std::string> kKnownProjects = {"shop", "blog"};

YAML::Node Yaml(const std::string& text) { return YAML::Load(text); }

absl::StatusOr<std::vector<CallerConfig>> Parse(const std::string& yaml) {
  ParseCallersOptions options;
  options.where = "config.callers";
  options.known_projects = kKnownProjects;
  options.known_methods = kKnownMethods;
  return ParseCallers(Yaml(yaml), options);
}

PresentedCredentials Bearer(absl::string_view token) {
  PresentedCredentials credentials;
  credentials.authorization = Secret(absl::StrCat("Bearer ", token));
  return credentials;
}

PresentedCredentials Certificate(std::vector<std::string> identities) {
  PresentedCredentials credentials;
  credentials.certificate_identities = std::move(identities);
  return credentials;
}

std::string PolicyYaml() {
  return absl::StrReplaceAll(
      R"yaml(
- name: billing
  token_sha256: [BILLING_HASH]
  projects: [shop]
  methods: ["uploadcare.gateway.v1.FileService/*"]
  limits: {calls_per_second: 5, burst: 10, max_in_flight: 2}
- name: admin
  token_sha256: [ADMIN_HASH]
  projects: ["*"]
  methods: ["*"]
- name: reader
  certificate_identities: [READER_SPIFFE, reader.media.internal]
  projects: [shop, blog]
  methods: [/uploadcare.gateway.v1.FileService/GetFile]
- name: jobs
  jwt: {issuer: "https://issuer.test", audience: ucgate,
        jwks_file: /keys/jwks.json, subject: jobs}
  projects: [shop]
  methods: ["*"]
- name: any-service
  jwt: {issuer: "https://issuer.test", audience: ucgate,
        jwks_file: /keys/jwks.json}
  projects: [blog]
  methods: [uploadcare.gateway.v1.GroupService/GetGroup]
)yaml",
      {{"BILLING_HASH", Sha256Hex(kBillingToken)},
       {"ADMIN_HASH", Sha256Hex(kAdminToken)},
       {"READER_SPIFFE", kReaderSpiffe}});
}

TEST(ParseCallersTest, ParsesEveryKey) {
  absl::StatusOr<std::vector<CallerConfig>> callers = Parse(PolicyYaml());
  ASSERT_THAT(callers, IsOk());
  ASSERT_THAT(*callers, SizeIs(5));
  const CallerConfig& billing = (*callers)[0];
  EXPECT_EQ(billing.name, "billing");
  ASSERT_THAT(billing.token_sha256, SizeIs(1));
  EXPECT_EQ(billing.token_sha256[0], Sha256(kBillingToken));
  EXPECT_THAT(billing.projects, ElementsAre("shop"));
  EXPECT_THAT(billing.methods,
              ElementsAre("/uploadcare.gateway.v1.FileService/*"));
  EXPECT_EQ(billing.limits.calls_per_second, 5);
  EXPECT_EQ(billing.limits.burst, 10);
  EXPECT_EQ(billing.limits.max_in_flight, 2);
  EXPECT_THAT((*callers)[2].certificate_identities,
              ElementsAre(kReaderSpiffe, "reader.media.internal"));
  ASSERT_TRUE((*callers)[3].jwt.has_value());
  EXPECT_EQ((*callers)[3].jwt->issuer, "https://issuer.test");
  EXPECT_EQ((*callers)[3].jwt->audience, "ucgate");
  EXPECT_EQ((*callers)[3].jwt->jwks_file, "/keys/jwks.json");
  EXPECT_EQ((*callers)[3].jwt->subject, "jobs");
  EXPECT_EQ((*callers)[4].jwt->subject, "");
}

TEST(ParseCallersTest, NoCallersIsAnEmptyList) {
  EXPECT_THAT(ParseCallers(YAML::Node()), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(ParseCallers(Yaml("[]")), IsOkAndHolds(IsEmpty()));
}

TEST(ParseCallersTest, ErrorsNameTheKey) {
  const std::string token_hash = Sha256Hex("t");
  const std::string base =
      absl::StrCat("- name: a\n  token_sha256: [", token_hash,
                   "]\n  projects: [shop]\n  methods: ['*']\n");
  struct Case {
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"{a: 1}", "config.callers: must be a list of callers"},
      {"- name: a\n  tokens: [x]\n", "config.callers[0].tokens: unknown key"},
      {"- token_sha256: [x]\n", "config.callers[0].name: is required"},
      {"- name: 'a b'\n", "config.callers[0].name: must be 1 to 64"},
      {"- name: a\n  projects: [shop]\n  methods: ['*']\n",
       "config.callers[0]: give at least one identity"},
      {"- name: a\n  token_sha256: [abc]\n",
       "config.callers[0].token_sha256[0]: must be 64 hex digits"},
      {absl::StrCat("- name: a\n  token_sha256: [", token_hash,
                    "]\n  methods: ['*']\n"),
       "config.callers[0].projects: list the projects"},
      {absl::StrCat("- name: a\n  token_sha256: [", token_hash,
                    "]\n  projects: [shopp]\n  methods: ['*']\n"),
       "config.callers[0].projects[0]: 'shopp' is not a configured project"},
      {absl::StrCat("- name: a\n  token_sha256: [", token_hash,
                    "]\n  projects: [shop]\n"),
       "config.callers[0].methods: list the methods"},
      {absl::StrCat(
           "- name: a\n  token_sha256: [", token_hash,
           "]\n  projects: [shop]\n  methods: [FileService.GetFile]\n"),
       "config.callers[0].methods[0]: must be \"/package.Service/Method\""},
      {absl::StrCat(
           "- name: a\n  token_sha256: [", token_hash,
           "]\n  projects: [shop]\n",
           "  methods: [uploadcare.gateway.v1.FileService/GetFiles]\n"),
       "config.callers[0].methods[0]: "
       "'uploadcare.gateway.v1.FileService/GetFiles' matches no method"},
      {"- name: a\n  certificate_identities: ['*.internal']\n",
       "config.callers[0].certificate_identities[0]: must be a URI SAN"},
      {"- name: a\n  jwt: {issuer: i, audience: a}\n",
       "config.callers[0].jwt.jwks_file: is required"},
      {"- name: a\n  jwt: {issuer: i, audience: a, jwks_file: f, sub: x}\n",
       "config.callers[0].jwt.sub: unknown key"},
      {absl::StrCat(base, "  limits: {calls_per_second: -1}\n"),
       "config.callers[0].limits.calls_per_second: must be a number from 0"},
      {absl::StrCat(base, "  limits: {rps: 1}\n"),
       "config.callers[0].limits.rps: unknown key"},
      {absl::StrCat(base, "  limits: {burst: 4}\n"),
       "config.callers[0].limits.burst: needs calls_per_second"},
      {absl::StrCat(base, "  limits: {max_in_flight: 1.5}\n"),
       "config.callers[0].limits.max_in_flight: must be a whole number"},
      {absl::StrCat(base, base), "config.callers[1].name: 'a' is used twice"},
      {absl::StrCat(base, absl::StrReplaceAll(base, {{"name: a", "name: b"}})),
       "config.callers[1].token_sha256: a token hash is listed twice"},
      {"- {name: a, certificate_identities: [x.internal], projects: [shop], "
       "methods: ['*']}\n"
       "- {name: b, certificate_identities: [x.internal], projects: [shop], "
       "methods: ['*']}\n",
       "config.callers[1].certificate_identities: 'x.internal' belongs to "
       "another caller too"},
      {"- {name: a, jwt: {issuer: i, audience: u, jwks_file: f}, projects: "
       "[shop], methods: ['*']}\n"
       "- {name: b, jwt: {issuer: i, audience: u, jwks_file: f}, projects: "
       "[shop], methods: ['*']}\n",
       "config.callers[1].jwt: another caller has the same issuer, audience "
       "and subject"},
      {"- {name: a, jwt: {issuer: i, audience: u, jwks_file: f}, projects: "
       "[shop], methods: ['*']}\n"
       "- {name: b, jwt: {issuer: i, audience: v, jwks_file: g}, projects: "
       "[shop], methods: ['*']}\n",
       "config.callers[1].jwt.jwks_file: callers of one issuer must share"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Parse(c.yaml), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr(c.message)))
        << c.yaml;
  }
}

TEST(ParseCallersTest, ATokenPastedInsteadOfItsHashIsNotQuoted) {
  absl::StatusOr<std::vector<CallerConfig>> callers =
      Parse("- name: a\n  token_sha256: [sk_live_pasted_by_mistake]\n");
  EXPECT_THAT(callers, StatusIs(absl::StatusCode::kInvalidArgument,
                                Not(HasSubstr("pasted_by_mistake"))));
}

TEST(ParseCallersTest, AuthorizationMode) {
  EXPECT_THAT(ParseAuthorizationMode(YAML::Node(), "config.authorization_mode"),
              IsOkAndHolds(AuthorizationMode::kEnforce));
  EXPECT_THAT(ParseAuthorizationMode(Yaml("log_only"), "m"),
              IsOkAndHolds(AuthorizationMode::kLogOnly));
  EXPECT_THAT(
      ParseAuthorizationMode(Yaml("audit"), "config.authorization_mode"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "config.authorization_mode: must be enforce or log_only"));
}

TEST(MethodPatternTest, AcceptedSpellings) {
  const std::map<std::string, std::optional<std::string>> cases = {
      {"*", "*"},
      {"/pkg.v1.S/M", "/pkg.v1.S/M"},
      {"pkg.v1.S/M", "/pkg.v1.S/M"},
      {"pkg.v1.S/*", "/pkg.v1.S/*"},
      {"/pkg.v1.S/*", "/pkg.v1.S/*"},
      {"S/M", "/S/M"},
      {"pkg.v1.S", std::nullopt},
      {"pkg.v1.S.M", std::nullopt},
      {"pkg.v1.S/M/x", std::nullopt},
      {"pkg.*/M", std::nullopt},
      {"pkg..S/M", std::nullopt},
      {"pkg.S/Get*", std::nullopt},
      {"/pkg.S/", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& [pattern, normalized] : cases) {
    EXPECT_EQ(NormalizeMethodPattern(pattern), normalized) << pattern;
  }
}

TEST(MethodPatternTest, Matching) {
  EXPECT_TRUE(MethodPatternMatches("*", kGetFile));
  EXPECT_TRUE(MethodPatternMatches(kGetFile, kGetFile));
  EXPECT_FALSE(MethodPatternMatches(kGetFile, kDeleteFile));
  EXPECT_TRUE(MethodPatternMatches("/uploadcare.gateway.v1.FileService/*",
                                   kDeleteFile));
  EXPECT_FALSE(
      MethodPatternMatches("/uploadcare.gateway.v1.FileService/*", kGetGroup));
  // A service whose name extends another's is another service.
  EXPECT_FALSE(MethodPatternMatches("/uploadcare.gateway.v1.File/*", kGetFile));
  EXPECT_FALSE(MethodPatternMatches("/uploadcare.gateway.v1.FileService/*",
                                    "/uploadcare.gateway.v1.FileService/"));
  EXPECT_FALSE(MethodPatternMatches(kGetFile,
                                    "uploadcare.gateway.v1."
                                    "FileService/GetFile"));
}

class AccessPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new testing::TestSigningKey(testing::NewEs256Key("k1"));
  }
  static void TearDownTestSuite() {
    delete key_;
    key_ = nullptr;
  }

  std::shared_ptr<const AccessPolicy> MakePolicy(AuthorizationMode mode) {
    absl::StatusOr<std::vector<CallerConfig>> callers = Parse(PolicyYaml());
    EXPECT_THAT(callers, IsOk());
    absl::StatusOr<Jwks> jwks = Jwks::Parse(testing::JwksJson({*key_}));
    EXPECT_THAT(jwks, IsOk());
    auto source = std::make_shared<FixedValue<Jwks>>(*std::move(jwks));
    absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy =
        AccessPolicy::Create(
            *std::move(callers), mode,
            [source](const std::string& path)
                -> absl::StatusOr<std::shared_ptr<const ValueSource<Jwks>>> {
              if (path != "/keys/jwks.json") {
                return absl::NotFoundError(path);
              }
              return source;
            },
            clock_);
    EXPECT_THAT(policy, IsOk());
    return *policy;
  }

  static std::string Jwt(absl::string_view subject,
                         absl::string_view issuer = "https://issuer.test",
                         int64_t expires_in = 300) {
    testing::TestClaims claims;
    claims.issuer = std::string(issuer);
    claims.subject = std::string(subject);
    claims.expires = absl::ToUnixSeconds(kNow) + expires_in;
    return testing::MakeJwt(*key_, claims);
  }

  static testing::TestSigningKey* key_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kNow);
  LogCapture log_;
};

testing::TestSigningKey* AccessPolicyTest::key_ = nullptr;

struct MatrixRow {
  std::string label;
  PresentedCredentials credentials;
  std::string method;
  std::string project;
  absl::StatusCode code;
  std::string reason;  // ErrorInfo reason; empty when allowed.
  std::string caller;  // Identified caller; empty when none.
};

TEST_F(AccessPolicyTest, IdentityProjectMethodMatrix) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  using Code = absl::StatusCode;
  const MatrixRow rows[] = {
      {"billing reads its project", Bearer(kBillingToken), kGetFile, "shop",
       Code::kOk, "", "billing"},
      {"billing deletes in its project", Bearer(kBillingToken), kDeleteFile,
       "shop", Code::kOk, "", "billing"},
      {"billing, other project", Bearer(kBillingToken), kGetFile, "blog",
       Code::kPermissionDenied, kProjectDenied, "billing"},
      {"billing, unknown project", Bearer(kBillingToken), kGetFile, "nope",
       Code::kPermissionDenied, kProjectDenied, "billing"},
      {"billing, other service", Bearer(kBillingToken), kGetGroup, "shop",
       Code::kPermissionDenied, kMethodDenied, "billing"},
      {"admin, anything", Bearer(kAdminToken), kGetGroup, "blog", Code::kOk, "",
       "admin"},
      {"unknown token", Bearer("guessed-token"), kGetFile, "shop",
       Code::kUnauthenticated, kTokenUnknown, ""},
      {"no credentials", PresentedCredentials(), kGetFile, "shop",
       Code::kUnauthenticated, kCredentialsMissing, ""},
      {"reader by SPIFFE ID", Certificate({kReaderSpiffe}), kGetFile, "blog",
       Code::kOk, "", "reader"},
      {"reader by DNS SAN", Certificate({"other.san", "reader.media.internal"}),
       kGetFile, "shop", Code::kOk, "", "reader"},
      {"reader deletes", Certificate({kReaderSpiffe}), kDeleteFile, "shop",
       Code::kPermissionDenied, kMethodDenied, "reader"},
      {"unknown certificate", Certificate({"spiffe://cluster.local/ns/x/sa/y"}),
       kGetFile, "shop", Code::kUnauthenticated, kCertificateUnknown, ""},
      {"JWT with the jobs subject", Bearer(Jwt("jobs")), kDeleteFile, "shop",
       Code::kOk, "", "jobs"},
      {"JWT, jobs in another project", Bearer(Jwt("jobs")), kDeleteFile, "blog",
       Code::kPermissionDenied, kProjectDenied, "jobs"},
      {"JWT, any other subject", Bearer(Jwt("web")), kGetGroup, "blog",
       Code::kOk, "", "any-service"},
      {"JWT, any other subject, other method", Bearer(Jwt("web")), kGetFile,
       "blog", Code::kPermissionDenied, kMethodDenied, "any-service"},
      {"JWT of an unknown issuer", Bearer(Jwt("jobs", "https://evil.test")),
       kGetFile, "shop", Code::kUnauthenticated, kJwtIssuerUnknown, ""},
      {"expired JWT", Bearer(Jwt("jobs", "https://issuer.test", -60)), kGetFile,
       "shop", Code::kUnauthenticated, kJwtExpired, ""},
  };
  for (const MatrixRow& row : rows) {
    AccessDecision decision =
        policy->Check(row.credentials, row.method, row.project);
    EXPECT_EQ(decision.status.code(), row.code) << row.label;
    EXPECT_EQ(ErrorReason(decision.status).value_or(""), row.reason)
        << row.label;
    EXPECT_EQ(decision.caller ? decision.caller->name : "", row.caller)
        << row.label;
  }
}

TEST_F(AccessPolicyTest, ABearerTokenDecidesOverACertificate) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  PresentedCredentials both = Bearer(kBillingToken);
  both.certificate_identities = {kReaderSpiffe};
  EXPECT_EQ(policy->Check(both, kGetFile, "shop").caller->name, "billing");
  // A bad token is not rescued by a good certificate.
  PresentedCredentials bad_token = Bearer("wrong");
  bad_token.certificate_identities = {kReaderSpiffe};
  EXPECT_THAT(policy->Check(bad_token, kGetFile, "shop").status,
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(AccessPolicyTest, ACertificateNamingTwoCallersIsRefused) {
  absl::StatusOr<std::vector<CallerConfig>> callers = Parse(
      "- {name: a, certificate_identities: [a.internal], projects: [shop], "
      "methods: ['*']}\n"
      "- {name: b, certificate_identities: [b.internal], projects: [shop], "
      "methods: ['*']}\n");
  ASSERT_THAT(callers, IsOk());
  auto policy = AccessPolicy::Create(
      *std::move(callers), AuthorizationMode::kEnforce, nullptr, clock_);
  ASSERT_THAT(policy, IsOk());
  AccessDecision decision = (*policy)->Check(
      Certificate({"a.internal", "b.internal"}), kGetFile, "shop");
  EXPECT_THAT(decision.status, StatusIs(absl::StatusCode::kUnauthenticated,
                                        HasSubstr("several callers")));
}

TEST_F(AccessPolicyTest, MalformedAuthorizationMetadata) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  for (const char* value :
       {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer", "Bearer ",
        "Bearer two words", "Token abc", "Bearerabc",
        "Bearer billing-token, Bearer other"}) {
    PresentedCredentials credentials;
    credentials.authorization = Secret(value);
    AccessDecision decision = policy->Check(credentials, kGetFile, "shop");
    EXPECT_EQ(ErrorReason(decision.status), kAuthorizationMalformed) << value;
  }
  // The scheme is case-insensitive.
  PresentedCredentials lower;
  lower.authorization = Secret(absl::StrCat("bearer ", kBillingToken));
  EXPECT_THAT(policy->Check(lower, kGetFile, "shop").status, IsOk());
}

TEST_F(AccessPolicyTest, RefusalsCarryErrorInfo) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  absl::Status denied =
      policy->Check(Bearer(kBillingToken), kGetFile, "blog").status;
  absl::optional<absl::Cord> payload = denied.GetPayload(kErrorInfoTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*payload)));
  EXPECT_EQ(info.reason(), kProjectDenied);
  EXPECT_EQ(info.domain(), "ucgate.uploadcare.com");
  EXPECT_EQ(info.metadata().at("caller"), "billing");
  EXPECT_EQ(info.metadata().at("project"), "blog");
  EXPECT_EQ(denied.message(), "caller 'billing' may not use project 'blog'");
}

TEST_F(AccessPolicyTest, OneAuditLinePerRefusalAndNeverTheToken) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  policy->Check(Bearer(kBillingToken), kGetFile, "shop");  // Allowed.
  EXPECT_THAT(log_.LinesContaining("audit"), IsEmpty());

  policy->Check(Bearer(kBillingToken), kGetGroup, "shop");
  policy->Check(Bearer("stolen-or-guessed-token"), kGetFile, "shop");
  policy->Check(Bearer(kAdminToken), kGetFile, "evil\nproject");
  const std::vector<std::string> audit = log_.LinesContaining("audit:");
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_THAT(audit[0],
              HasSubstr("WARNING audit: refused caller=billing "
                        "project=\"shop\" method=\"/uploadcare.gateway.v1."
                        "GroupService/GetGroup\" code=PERMISSION_DENIED "
                        "reason=METHOD_DENIED"));
  EXPECT_THAT(audit[1],
              HasSubstr("audit: refused caller=- project=\"shop\" "
                        "method=\"/uploadcare.gateway.v1.FileService/GetFile\" "
                        "code=UNAUTHENTICATED reason=TOKEN_UNKNOWN"));
  // The admin call was allowed: no line, and nothing was split by the
  // newline in the project name.
  for (const std::string& line : log_.lines()) {
    EXPECT_THAT(line, Not(HasSubstr(kBillingToken)));
    EXPECT_THAT(line, Not(HasSubstr("stolen-or-guessed")));
    EXPECT_THAT(line, Not(HasSubstr(kAdminToken)));
  }
}

TEST_F(AccessPolicyTest, CallerTextInAuditLinesIsEscapedAndBounded) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  policy->Check(Bearer(kBillingToken), kGetFile,
                absl::StrCat("x\ny", std::string(300, 'p')));
  const std::vector<std::string> audit = log_.LinesContaining("audit:");
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_THAT(audit[0], HasSubstr("project=\"x\\ny"));
  EXPECT_THAT(audit[0], HasSubstr("ppp...\""));
  EXPECT_LT(audit[0].size(), 400u);
}

TEST_F(AccessPolicyTest, LogOnlyModeLogsButLetsThrough) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kLogOnly);
  AccessDecision denied =
      policy->Check(Bearer(kBillingToken), kGetGroup, "shop");
  EXPECT_THAT(denied.status, IsOk());
  EXPECT_THAT(denied.would_refuse,
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  ASSERT_NE(denied.caller, nullptr);
  EXPECT_EQ(denied.caller->name, "billing");  // For per-caller limits.

  AccessDecision anonymous =
      policy->Check(PresentedCredentials(), kGetFile, "shop");
  EXPECT_THAT(anonymous.status, IsOk());
  EXPECT_EQ(anonymous.caller, nullptr);
  EXPECT_EQ(ErrorReason(anonymous.would_refuse), kCredentialsMissing);

  const std::vector<std::string> audit = log_.LinesContaining("audit:");
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_THAT(audit[0],
              HasSubstr("audit: would refuse (log-only mode, let through) "
                        "caller=billing"));
  AccessDecision allowed =
      policy->Check(Bearer(kBillingToken), kGetFile, "shop");
  EXPECT_THAT(allowed.would_refuse, IsOk());
  EXPECT_THAT(log_.LinesContaining("audit:"), SizeIs(2));
}

TEST_F(AccessPolicyTest, AMethodNoProjectScopesNeedsNoProject) {
  std::shared_ptr<const AccessPolicy> policy =
      MakePolicy(AuthorizationMode::kEnforce);
  EXPECT_THAT(policy->Check(Bearer(kBillingToken), kGetFile, "").status,
              IsOk());
}

TEST(JwksFileCacheTest, LoadsEachFileOnceAndWatchesIt) {
  LogCapture log;
  ::ucgate::testing::ScopedTempDir dir("jwks_cache");
  const std::string path = dir.File("jwks.json");
  const testing::TestSigningKey first = testing::NewEs256Key("a");
  const testing::TestSigningKey second = testing::NewEs256Key("b");
  testing::WriteFile(path, testing::JwksJson({first}));
  std::shared_ptr<FileReloader> reloader = FileReloader::Create();
  JwksFileCache cache(reloader);
  auto one = cache.Get(path);
  auto two = cache.Get(path);
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(two, IsOk());
  EXPECT_EQ(one->get(), two->get());
  EXPECT_EQ((*one)->Get()->keys()[0].kid, "a");

  testing::WriteFile(path, testing::JwksJson({first, second}));
  EXPECT_EQ(reloader->PollAll(), 1);
  EXPECT_THAT((*one)->Get()->keys(), SizeIs(2));
  EXPECT_THAT(
      cache.Get(dir.File("missing.json")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing.json")));
}

}  // namespace
}  // namespace ucgate::access
