// No token, key or certificate key material in any log line (debug level
// included) or error message of the access layer, whatever goes wrong:
// every failure path is driven with real secrets in play and every line and
// message is searched for them.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/access/access_policy.h"
#include "service/access/project_keys.h"
#include "service/access/tls_config.h"
#include "service/access/token_keyring.h"
#include "tests/access/access_test_util.h"
#include "tests/access/test_jwt.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::access {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;

constexpr char kStaticToken[] = "svc-token-7f3a9c2e5b1d4086";
constexpr char kUploadcareSecret[] = "uc-secret-51f0e8a27c3b9d46";
const absl::Time kNow = absl::FromUnixSeconds(1767225600);

class AccessSecretHygieneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<::ucgate::testing::TestCertificates> certificates =
        ::ucgate::testing::WriteTestCertificates(dir_.path());
    ASSERT_THAT(certificates, IsOk());
    certificates_ = *certificates;
    secrets_ = {kStaticToken, kUploadcareSecret,
                absl::Base64Escape(keyring_secret_)};
    // Every base64 line of the PEM private keys.
    for (const std::string& key_file :
         {certificates_.key_file, certificates_.ca_key_file}) {
      for (absl::string_view line : absl::StrSplit(ReadFile(key_file), '\n')) {
        if (line.size() >= 16 && !absl::StartsWith(line, "-----")) {
          secrets_.emplace_back(line);
        }
      }
    }
  }

  // Records what a failure said, for the final check.
  void Saw(const absl::Status& status) {
    messages_.emplace_back(status.message());
  }

  // `at_least`: how many lines and messages the failure paths must have
  // produced (they did run and speak).
  void ExpectNoSecretAnywhere(size_t at_least) {
    std::vector<std::string> texts = log_.lines();
    texts.insert(texts.end(), messages_.begin(), messages_.end());
    ASSERT_GE(texts.size(), at_least);
    if (getenv("SHOW_TEXTS")) {
      for (const std::string& text : texts)
        fprintf(stderr, "%s\n", text.c_str());
    }
    for (const std::string& text : texts) {
      for (const std::string& secret : secrets_) {
        EXPECT_THAT(text, Not(HasSubstr(secret)));
      }
    }
  }

  ::ucgate::testing::ScopedTempDir dir_{"access_hygiene"};
  ::ucgate::testing::TestCertificates certificates_;
  const std::string keyring_secret_ = std::string(32, '\x5a') + "keyring!";
  std::vector<std::string> secrets_;
  std::vector<std::string> messages_;
  testing::LogCapture log_;  // Debug level.
};

TEST_F(AccessSecretHygieneTest, CallerCredentialsNeverLeak) {
  const testing::TestSigningKey key = testing::NewEs256Key("k");
  testing::TestClaims claims;
  claims.expires = absl::ToUnixSeconds(kNow) - 3600;
  const std::string expired_jwt = testing::MakeJwt(key, claims);
  claims.expires = absl::ToUnixSeconds(kNow) + 3600;
  claims.audience = "someone-else";
  const std::string foreign_jwt = testing::MakeJwt(key, claims);
  // The signatures are what a thief would need; the headers are public.
  for (const std::string& jwt : {expired_jwt, foreign_jwt}) {
    secrets_.push_back(std::vector<std::string>(absl::StrSplit(jwt, '.'))[2]);
  }

  const std::string config = absl::StrCat(
      "- {name: svc, token_sha256: [", Sha256Hex(kStaticToken),
      "], jwt: {issuer: 'https://issuer.test', audience: ucgate, jwks_file: "
      "j}, projects: [shop], methods: "
      "['uploadcare.gateway.v1.FileService/*']}");
  absl::StatusOr<std::vector<CallerConfig>> callers =
      ParseCallers(YAML::Load(config));
  ASSERT_THAT(callers, IsOk());
  absl::StatusOr<Jwks> jwks = Jwks::Parse(testing::JwksJson({key}));
  ASSERT_THAT(jwks, IsOk());
  auto source = std::make_shared<FixedValue<Jwks>>(*std::move(jwks));
  auto clock = std::make_shared<ManualClock>(kNow);
  for (AuthorizationMode mode :
       {AuthorizationMode::kEnforce, AuthorizationMode::kLogOnly}) {
    absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy =
        AccessPolicy::Create(
            *callers, mode,
            [&](const std::string&)
                -> absl::StatusOr<std::shared_ptr<const ValueSource<Jwks>>> {
              return source;
            },
            clock);
    ASSERT_THAT(policy, IsOk());
    const std::string values[] = {
        absl::StrCat("Bearer ", kStaticToken),  // Allowed, then denied.
        absl::StrCat("Bearer ", kStaticToken, "x"),
        absl::StrCat("Basic ", kStaticToken),
        absl::StrCat("Bearer ", kStaticToken, " ", kStaticToken),
        absl::StrCat("Bearer ", expired_jwt),
        absl::StrCat("Bearer ", foreign_jwt),
    };
    for (const std::string& value : values) {
      PresentedCredentials credentials;
      credentials.authorization = Secret(value);
      for (const char* method : {"/uploadcare.gateway.v1.FileService/GetFile",
                                 "/uploadcare.gateway.v1.GroupService/X"}) {
        AccessDecision decision = (*policy)->Check(credentials, method, "shop");
        Saw(decision.status);
        Saw(decision.would_refuse);
      }
    }
  }
  // A token pasted where its hash belongs.
  Saw(ParseCallers(YAML::Load(absl::StrCat("- {name: a, token_sha256: [",
                                           kStaticToken, "]}")))
          .status());
  ExpectNoSecretAnywhere(40);
}

TEST_F(AccessSecretHygieneTest, KeysAndKeyringsNeverLeak) {
  testing::ProjectedVolume volume(dir_.path());
  const std::string keyring_line =
      absl::StrCat("k1 ", absl::Base64Escape(keyring_secret_), "\n");
  volume.Publish({{"keyring", keyring_line},
                  {"secret_key", kUploadcareSecret},
                  {"tls.crt", ReadFile(certificates_.cert_file)},
                  {"tls.key", ReadFile(certificates_.key_file)}});
  auto keyring = LoadTokenKeyringFile(volume.Path("keyring"));
  ASSERT_THAT(keyring, IsOk());
  auto keys =
      LoadProjectKeyFiles({"shop", volume.Path("secret_key"), "", "public"});
  ASSERT_THAT(keys, IsOk());
  TlsServerConfig tls;
  tls.cert_file = volume.Path("tls.crt");
  tls.key_file = volume.Path("tls.key");
  tls.staging_dir = dir_.path();
  auto stage = TlsFileStage::Create(tls);
  ASSERT_THAT(stage, IsOk());
  std::shared_ptr<FileReloader> reloader = FileReloader::Create();
  reloader->Add(*keyring);
  reloader->Add(*keys);
  reloader->Add(*stage);

  // Broken versions, each holding the secrets in some wrong shape.
  const std::string tls_key = ReadFile(certificates_.key_file);
  const std::string ca_key = ReadFile(certificates_.ca_key_file);
  const std::vector<std::map<std::string, std::string>> versions = {
      {{"keyring", absl::StrCat(absl::Base64Escape(keyring_secret_), " k1")},
       {"secret_key", absl::StrCat(kUploadcareSecret, " ", kUploadcareSecret)},
       {"tls.crt", tls_key},  // Key and certificate swapped.
       {"tls.key", ReadFile(certificates_.cert_file)}},
      {{"keyring", absl::StrCat("k1 ", kUploadcareSecret)},
       {"secret_key", ""},
       {"tls.crt", ReadFile(certificates_.cert_file)},
       {"tls.key", ca_key}},  // The CA's key: does not match.
      {{"keyring", absl::StrCat(keyring_line, keyring_line)},
       {"secret_key", absl::StrCat("\x01", kUploadcareSecret)},
       {"tls.crt", ReadFile(certificates_.cert_file)},
       {"tls.key", tls_key.substr(0, tls_key.size() / 2)}},
  };
  for (const auto& version : versions) {
    volume.Publish(version);
    EXPECT_EQ(reloader->PollAll(), 0);
  }
  for (const auto& reloadable : std::vector<FileBackedValue*>{
           keyring->get(), keys->get(), stage->get()}) {
    Saw(reloadable->last_error());
  }
  // And at start, where nothing is kept.
  std::filesystem::create_directory(dir_.File("start"));
  testing::WriteFile(dir_.File("start/keyring"),
                     absl::StrCat("k1 ", kUploadcareSecret));
  Saw(LoadTokenKeyringFile(dir_.File("start/keyring")).status());
  testing::WriteFile(dir_.File("start/jwks"), tls_key);
  Saw(LoadJwksFile(dir_.File("start/jwks")).status());
  ExpectNoSecretAnywhere(14);
  // The last good values are still there.
  EXPECT_EQ((*keys)->Get()->secret_key.Reveal(), kUploadcareSecret);
  EXPECT_EQ((*keyring)->Get()->signing_key_id(), "k1");
}

}  // namespace
}  // namespace ucgate::access
