// JWT verification matrix with RS256 and ES256 keys generated in the test:
// valid, expired, not yet valid, wrong issuer, wrong audience, wrong key,
// unknown kid, alg none and other algorithms, tampered payload and
// signature; JWKS parsing and reloading.
#include "service/access/jwt_verifier.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/access/access_reasons.h"
#include "service/access/crypto_util.h"
#include "service/common/status.h"
#include "tests/access/access_test_util.h"
#include "tests/access/test_jwt.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using testing::ClaimsJson;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::JwksJson;
using testing::MakeJwt;
using ::testing::Not;
using testing::SignJwt;
using testing::TestClaims;
using testing::TestSigningKey;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);
const int64_t kNowSeconds = 1767225600;

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ =
        new Keys{testing::NewRs256Key("rsa-1"), testing::NewEs256Key("ec-1"),
                 testing::NewRs256Key("rsa-1"),  // Same kid, not listed.
                 testing::NewEs256Key("ec-2")};
  }
  static void TearDownTestSuite() {
    delete keys_;
    keys_ = nullptr;
  }

  JwtVerifierTest() {
    absl::StatusOr<Jwks> jwks = Jwks::Parse(JwksJson({rsa(), ec()}));
    EXPECT_THAT(jwks, IsOk());
    verifier_.emplace("https://issuer.test",
                      std::vector<std::string>{"ucgate", "other-audience"},
                      std::make_shared<FixedValue<Jwks>>(*std::move(jwks)),
                      clock_);
  }

  static const TestSigningKey& rsa() { return keys_->rsa; }
  static const TestSigningKey& ec() { return keys_->ec; }
  static const TestSigningKey& impostor() { return keys_->impostor; }
  static const TestSigningKey& unlisted_ec() { return keys_->unlisted_ec; }

  static TestClaims Valid() {
    TestClaims claims;
    claims.expires = kNowSeconds + 300;
    return claims;
  }

  // The verification's ErrorInfo reason; "OK" when it verified.
  std::string ReasonFor(const std::string& token) {
    absl::StatusOr<VerifiedJwt> jwt = verifier_->Verify(token);
    if (jwt.ok()) return "OK";
    EXPECT_EQ(jwt.status().code(), absl::StatusCode::kUnauthenticated);
    if (token.size() >= 20) {
      EXPECT_THAT(std::string(jwt.status().message()),
                  Not(HasSubstr(token.substr(0, 20))));
    }
    return ErrorReason(jwt.status()).value_or("no reason");
  }

  struct Keys {
    TestSigningKey rsa;
    TestSigningKey ec;
    TestSigningKey impostor;
    TestSigningKey unlisted_ec;
  };
  static Keys* keys_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kNow);
  std::optional<JwtVerifier> verifier_;
};

JwtVerifierTest::Keys* JwtVerifierTest::keys_ = nullptr;

TEST_F(JwtVerifierTest, ValidRs256AndEs256TokensVerify) {
  for (const TestSigningKey* key : {&rsa(), &ec()}) {
    absl::StatusOr<VerifiedJwt> jwt = verifier_->Verify(MakeJwt(*key, Valid()));
    ASSERT_THAT(jwt, IsOk()) << key->kid;
    EXPECT_EQ(jwt->issuer, "https://issuer.test");
    EXPECT_EQ(jwt->subject, "billing");
    EXPECT_THAT(jwt->audiences, ElementsAre("ucgate"));
    EXPECT_EQ(jwt->expires, kNow + absl::Seconds(300));
  }
}

TEST_F(JwtVerifierTest, TimeClaimsWithLeeway) {
  TestClaims claims = Valid();
  claims.expires = kNowSeconds - 10;  // Within the 30 s leeway.
  EXPECT_EQ(ReasonFor(MakeJwt(rsa(), claims)), "OK");
  claims.expires = kNowSeconds - 31;
  EXPECT_EQ(ReasonFor(MakeJwt(rsa(), claims)), kJwtExpired);
  EXPECT_EQ(ReasonFor(MakeJwt(ec(), claims)), kJwtExpired);

  claims = Valid();
  claims.not_before = kNowSeconds + 20;
  EXPECT_EQ(ReasonFor(MakeJwt(rsa(), claims)), "OK");
  claims.not_before = kNowSeconds + 60;
  EXPECT_EQ(ReasonFor(MakeJwt(rsa(), claims)), kJwtNotYetValid);
  // ... until the clock gets there.
  clock_->Advance(absl::Seconds(40));
  EXPECT_EQ(ReasonFor(MakeJwt(rsa(), claims)), "OK");
}

TEST_F(JwtVerifierTest, ACachedTokenStillExpires) {
  TestClaims claims = Valid();
  claims.expires = kNowSeconds + 60;
  const std::string token = MakeJwt(ec(), claims);
  EXPECT_EQ(ReasonFor(token), "OK");
  clock_->Advance(absl::Seconds(60 + 30));  // exp + leeway: still good.
  EXPECT_EQ(ReasonFor(token), "OK");
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(ReasonFor(token), kJwtExpired);
  EXPECT_EQ(ReasonFor(token), kJwtExpired);  // Dropped from the cache too.
}

TEST_F(JwtVerifierTest, IssuerAndAudienceMustMatch) {
  TestClaims claims = Valid();
  claims.issuer = "https://evil.test";
  EXPECT_EQ(ReasonFor(MakeJwt(rsa(), claims)), kJwtIssuerUnknown);
  claims = Valid();
  claims.audience = "someone-else";
  EXPECT_EQ(ReasonFor(MakeJwt(ec(), claims)), kJwtAudienceMismatch);
  claims.audience = "other-audience";  // The verifier's second audience.
  EXPECT_EQ(ReasonFor(MakeJwt(ec(), claims)), "OK");
  // A list of audiences needs one of ours.
  const std::string header = R"({"alg":"ES256","kid":"ec-1"})";
  EXPECT_EQ(ReasonFor(SignJwt(ec(), header,
                              absl::StrCat(R"({"iss":"https://issuer.test",)",
                                           R"("aud":["x","ucgate"],"exp":)",
                                           kNowSeconds + 60, "}"))),
            "OK");
  EXPECT_EQ(ReasonFor(SignJwt(ec(), header,
                              absl::StrCat(R"({"iss":"https://issuer.test",)",
                                           R"("aud":["x","y"],"exp":)",
                                           kNowSeconds + 60, "}"))),
            kJwtAudienceMismatch);
  EXPECT_EQ(
      ReasonFor(SignJwt(ec(), header,
                        absl::StrCat(R"({"iss":"https://issuer.test",)",
                                     R"("exp":)", kNowSeconds + 60, "}"))),
      kJwtAudienceMismatch);
}

TEST_F(JwtVerifierTest, WrongKeysAndUnknownKidsAreRefused) {
  // Same kid, other key: the signature does not verify.
  EXPECT_EQ(ReasonFor(MakeJwt(impostor(), Valid())), kJwtSignatureInvalid);
  // A kid the JWKS does not have.
  EXPECT_EQ(ReasonFor(MakeJwt(unlisted_ec(), Valid())), kJwtKeyUnknown);
  // No kid: every key of the algorithm is tried.
  EXPECT_EQ(ReasonFor(SignJwt(ec(), R"({"alg":"ES256"})", ClaimsJson(Valid()))),
            "OK");
  EXPECT_EQ(ReasonFor(SignJwt(unlisted_ec(), R"({"alg":"ES256"})",
                              ClaimsJson(Valid()))),
            kJwtSignatureInvalid);
  // An RSA kid with ES256: the algorithm is bound to the key's type.
  EXPECT_EQ(ReasonFor(SignJwt(ec(), R"({"alg":"ES256","kid":"rsa-1"})",
                              ClaimsJson(Valid()))),
            kJwtKeyUnknown);
}

TEST_F(JwtVerifierTest, OnlyRs256AndEs256AreAccepted) {
  const std::string claims = Base64UrlEncode(ClaimsJson(Valid()));
  // alg none, with and without a signature.
  for (const char* header :
       {R"({"alg":"none"})", R"({"alg":"None"})", R"({"typ":"JWT"})"}) {
    const std::string unsigned_token =
        absl::StrCat(Base64UrlEncode(header), ".", claims, ".");
    EXPECT_EQ(ReasonFor(unsigned_token), kJwtAlgorithmRefused) << header;
    EXPECT_EQ(ReasonFor(absl::StrCat(unsigned_token, "c2ln")),
              kJwtAlgorithmRefused)
        << header;
  }
  // HS256 with the RSA public key as the HMAC secret (the classic
  // confusion), and algorithms we do not take.
  const std::string hs256_input = absl::StrCat(
      Base64UrlEncode(R"({"alg":"HS256","kid":"rsa-1"})"), ".", claims);
  const Sha256Digest mac = HmacSha256(testing::PublicJwk(rsa()), hs256_input);
  EXPECT_EQ(ReasonFor(absl::StrCat(
                hs256_input, ".",
                Base64UrlEncode(absl::string_view(
                    reinterpret_cast<const char*>(mac.data()), mac.size())))),
            kJwtAlgorithmRefused);
  for (const char* alg : {"RS384", "PS256", "ES384", "EdDSA", "rs256"}) {
    EXPECT_EQ(
        ReasonFor(SignJwt(
            rsa(), absl::StrCat(R"({"alg":")", alg, R"(","kid":"rsa-1"})"),
            ClaimsJson(Valid()))),
        kJwtAlgorithmRefused)
        << alg;
  }
}

TEST_F(JwtVerifierTest, TamperedTokensAreRefused) {
  for (const TestSigningKey* key : {&rsa(), &ec()}) {
    const std::string token = MakeJwt(*key, Valid());
    std::vector<std::string> parts = absl::StrSplit(token, '.');
    ASSERT_EQ(parts.size(), 3u);

    // Another payload under the original signature.
    TestClaims elevated = Valid();
    elevated.subject = "admin";
    EXPECT_EQ(ReasonFor(absl::StrCat(parts[0], ".",
                                     Base64UrlEncode(ClaimsJson(elevated)), ".",
                                     parts[2])),
              kJwtSignatureInvalid);
    // A flipped signature byte.
    std::optional<std::string> signature = Base64UrlDecode(parts[2]);
    ASSERT_TRUE(signature.has_value());
    (*signature)[signature->size() / 2] ^= 0x20;
    EXPECT_EQ(ReasonFor(absl::StrCat(parts[0], ".", parts[1], ".",
                                     Base64UrlEncode(*signature))),
              kJwtSignatureInvalid);
    // A truncated signature, and none.
    EXPECT_EQ(ReasonFor(absl::StrCat(parts[0], ".", parts[1], ".",
                                     parts[2].substr(0, 40))),
              kJwtSignatureInvalid);
    EXPECT_EQ(ReasonFor(absl::StrCat(parts[0], ".", parts[1], ".")),
              kJwtMalformed);
  }
}

TEST_F(JwtVerifierTest, MalformedTokensAreRefused) {
  const std::string header = R"({"alg":"ES256","kid":"ec-1"})";
  const std::string good = MakeJwt(ec(), Valid());
  const std::vector<std::string> parts = absl::StrSplit(good, '.');
  const std::string claims_ok = ClaimsJson(Valid());
  struct Case {
    std::string token;
    const char* reason;
  };
  const Case cases[] = {
      {"", kJwtMalformed},
      {"a.b", kJwtMalformed},
      {absl::StrCat(good, ".extra.parts"), kJwtMalformed},  // JWE-shaped.
      {absl::StrCat(parts[0], "=.", parts[1], ".", parts[2]), kJwtMalformed},
      {absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "+/"),
       kJwtMalformed},
      {std::string(9000, 'a'), kJwtMalformed},
      // Signed, but the claims break the rules.
      {SignJwt(ec(), header, R"({"iss":"https://issuer.test","aud":"ucgate"})"),
       kJwtMalformed},  // No exp.
      {SignJwt(ec(), header,
               absl::StrCat(R"({"iss":"https://issuer.test","aud":"ucgate",)",
                            R"("exp":")", kNowSeconds + 60, "\"}")),
       kJwtMalformed},  // exp as a string.
      {SignJwt(ec(), header,
               absl::StrCat(R"({"iss":"https://issuer.test","aud":"ucgate",)",
                            R"("sub":"a","sub":"admin","exp":)",
                            kNowSeconds + 60, "}")),
       kJwtMalformed},  // Duplicate claim.
      {SignJwt(ec(), R"({"alg":"ES256","kid":"ec-1","crit":["exp"]})",
               claims_ok),
       kJwtMalformed},
      {SignJwt(ec(), R"({"alg":"ES256","kid":"ec-1","typ":"JWE"})", claims_ok),
       kJwtMalformed},
      {SignJwt(ec(), R"({"alg":"ES256","alg":"none"})", claims_ok),
       kJwtMalformed},
      {SignJwt(ec(), header, "[1,2]"), kJwtMalformed},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReasonFor(c.token), c.reason) << c.token.substr(0, 120);
  }
}

TEST_F(JwtVerifierTest, KeysEmbeddedInTheTokenAreIgnored) {
  // A token carrying its own (attacker's) key in `jwk`: only the JWKS file
  // counts.
  const std::string header = absl::StrCat(
      R"({"alg":"ES256","jwk":)", testing::PublicJwk(unlisted_ec()), "}");
  EXPECT_EQ(ReasonFor(SignJwt(unlisted_ec(), header, ClaimsJson(Valid()))),
            kJwtSignatureInvalid);
}

TEST(UnverifiedJwtIssuerTest, ReadsIssOfJwtShapedTokensOnly) {
  const std::string claims = Base64UrlEncode(R"({"iss":"https://i.test"})");
  EXPECT_EQ(UnverifiedJwtIssuer(absl::StrCat("eyJ.", claims, ".sig")),
            "https://i.test");
  EXPECT_EQ(UnverifiedJwtIssuer("opaque-static-token"), std::nullopt);
  EXPECT_EQ(UnverifiedJwtIssuer("a.b.c"), std::nullopt);
}

TEST(JwksTest, SkipsKeysOfOtherTypesAndUses) {
  const TestSigningKey ec = testing::NewEs256Key("ec-1");
  absl::StatusOr<Jwks> jwks = Jwks::Parse(JwksJson(
      {ec},
      {R"({"kty":"oct","k":"c2VjcmV0","kid":"hmac"})",
       R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
       R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})",
       absl::StrReplaceAll(testing::PublicJwk(ec),
                           {{R"("use":"sig")", R"("use":"enc")"}})}));
  ASSERT_THAT(jwks, IsOk());
  ASSERT_EQ(jwks->keys().size(), 1u);
  EXPECT_EQ(jwks->keys()[0].kid, "ec-1");
  EXPECT_EQ(jwks->keys()[0].algorithm, JwtAlgorithm::kEs256);
}

TEST(JwksTest, RefusesBrokenDocumentsAndKeys) {
  const std::string short_n = Base64UrlEncode(std::string(128, '\xc1'));
  // A point that is not on P-256.
  const std::string off_curve = Base64UrlEncode(std::string(32, '\x01'));
  struct Case {
    std::string json;
    const char* message;
  };
  const Case cases[] = {
      {"not json", "not a JSON object"},
      {R"({"keys":{}})", "has no 'keys' list"},
      {R"({"keys":[]})", "holds no RS256 or ES256 signature key"},
      {R"({"keys":[{"kty":"oct","k":"AA"}]})", "holds no RS256"},
      {R"({"keys":[{"n":"AA"}]})", "keys[0]: has no 'kty'"},
      {absl::StrCat(R"({"keys":[{"kty":"RSA","n":")", short_n,
                    R"(","e":"AQAB"}]})"),
       "keys[0]: RSA keys must have 2048"},
      {R"({"keys":[{"kty":"RSA","e":"AQAB"}]})", "needs base64url 'n' and 'e'"},
      {absl::StrCat(R"({"keys":[{"kty":"EC","crv":"P-256","x":")", off_curve,
                    R"(","y":")", off_curve, R"("}]})"),
       "keys[0]:"},
      {R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]})",
       "32 bytes"},
      {R"({"keys":[], "keys":[]})", "not a JSON object with distinct members"},
      {R"({"keys":[{"kty":"EC","kty":"RSA"}]})", "distinct members"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        Jwks::Parse(c.json),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.json;
  }
}

TEST(JwksTest, TheJwksFileIsReloadedWhenItChanges) {
  testing::LogCapture log;
  ::ucgate::testing::ScopedTempDir dir("jwks");
  testing::ProjectedVolume volume(dir.path());
  const TestSigningKey first = testing::NewEs256Key("2026-01");
  const TestSigningKey second = testing::NewEs256Key("2026-02");
  volume.Publish({{"jwks.json", JwksJson({first})}});
  auto jwks = LoadJwksFile(volume.Path("jwks.json"));
  ASSERT_THAT(jwks, IsOk());
  auto clock = std::make_shared<ManualClock>(kNow);
  JwtVerifier verifier("https://issuer.test", {"ucgate"}, *jwks, clock);
  TestClaims claims;
  claims.expires = kNowSeconds + 60;
  const std::string by_first = MakeJwt(first, claims);
  const std::string by_second = MakeJwt(second, claims);
  EXPECT_THAT(verifier.Verify(by_first), IsOk());
  EXPECT_THAT(verifier.Verify(by_first), IsOk());  // From the cache.
  EXPECT_THAT(verifier.Verify(by_second),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("kid")));

  // The issuer rotates: the new key is published, the old one withdrawn.
  // Tokens verified with the old key set are verified again (and refused).
  volume.Publish({{"jwks.json", JwksJson({second})}});
  ASSERT_TRUE((*jwks)->Poll());
  EXPECT_THAT(verifier.Verify(by_second), IsOk());
  EXPECT_THAT(verifier.Verify(by_first),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("kid")));

  // A broken publication keeps the keys that work.
  volume.Publish({{"jwks.json", R"({"keys":[)"}});
  EXPECT_FALSE((*jwks)->Poll());
  EXPECT_THAT(verifier.Verify(by_second), IsOk());
  EXPECT_THAT(log.LinesContaining("keeping the last good value"),
              ::testing::SizeIs(1));
}

}  // namespace
}  // namespace ucgate::access
