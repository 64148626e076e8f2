#include "tests/access/test_jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/access/crypto_util.h"

namespace ucgate::access::testing {
namespace {

// Test setup cannot go on without its keys.
void Require(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "test_jwt: %s failed\n", what);
    std::abort();
  }
}

std::string BignumParam(EVP_PKEY* key, const char* name, int pad_to) {
  BIGNUM* number = nullptr;
  Require(EVP_PKEY_get_bn_param(key, name, &number) == 1, name);
  std::string bytes(pad_to > 0 ? pad_to : BN_num_bytes(number), '\0');
  Require(BN_bn2binpad(number, reinterpret_cast<unsigned char*>(bytes.data()),
                       static_cast<int>(bytes.size())) > 0,
          "BN_bn2binpad");
  BN_free(number);
  return bytes;
}

}  // namespace

TestSigningKey NewRs256Key(std::string kid) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  Require(key != nullptr, "RSA key generation");
  return {std::move(kid), JwtAlgorithm::kRs256,
          std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free)};
}

TestSigningKey NewEs256Key(std::string kid) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Require(key != nullptr, "EC key generation");
  return {std::move(kid), JwtAlgorithm::kEs256,
          std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free)};
}

std::string PublicJwk(const TestSigningKey& key) {
  if (key.algorithm == JwtAlgorithm::kRs256) {
    return absl::StrCat(
        R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")", key.kid,
        R"(","n":")",
        Base64UrlEncode(BignumParam(key.key.get(), OSSL_PKEY_PARAM_RSA_N, 0)),
        R"(","e":")",
        Base64UrlEncode(BignumParam(key.key.get(), OSSL_PKEY_PARAM_RSA_E, 0)),
        R"("})");
  }
  return absl::StrCat(
      R"({"kty":"EC","crv":"P-256","use":"sig","kid":")", key.kid, R"(","x":")",
      Base64UrlEncode(BignumParam(key.key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)),
      R"(","y":")",
      Base64UrlEncode(BignumParam(key.key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)),
      R"("})");
}

std::string JwksJson(const std::vector<TestSigningKey>& keys,
                     const std::vector<std::string>& extra_jwks) {
  std::vector<std::string> jwks;
  for (const TestSigningKey& key : keys) jwks.push_back(PublicJwk(key));
  jwks.insert(jwks.end(), extra_jwks.begin(), extra_jwks.end());
  return absl::StrCat(R"({"keys":[)", absl::StrJoin(jwks, ","), "]}");
}

std::string SignJwt(const TestSigningKey& key, const std::string& header_json,
                    const std::string& claims_json) {
  const std::string signing_input = absl::StrCat(
      Base64UrlEncode(header_json), ".", Base64UrlEncode(claims_json));
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t length = 0;
  Require(EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr,
                             key.key.get()) == 1,
          "EVP_DigestSignInit");
  const auto* input =
      reinterpret_cast<const unsigned char*>(signing_input.data());
  Require(EVP_DigestSign(context, nullptr, &length, input,
                         signing_input.size()) == 1,
          "EVP_DigestSign (size)");
  std::string signature(length, '\0');
  Require(EVP_DigestSign(context,
                         reinterpret_cast<unsigned char*>(signature.data()),
                         &length, input, signing_input.size()) == 1,
          "EVP_DigestSign");
  EVP_MD_CTX_free(context);
  signature.resize(length);
  if (key.algorithm == JwtAlgorithm::kEs256) {
    // DER -> JWS r | s.
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, length);
    Require(sig != nullptr, "d2i_ECDSA_SIG");
    std::string raw(64, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32);
    ECDSA_SIG_free(sig);
    signature = raw;
  }
  return absl::StrCat(signing_input, ".", Base64UrlEncode(signature));
}

std::string ClaimsJson(const TestClaims& claims) {
  std::string json =
      absl::StrCat(R"({"iss":")", claims.issuer, R"(","aud":")",
                   claims.audience, R"(","exp":)", claims.expires);
  if (claims.subject)
    absl::StrAppend(&json, R"(,"sub":")", *claims.subject, "\"");
  if (claims.not_before)
    absl::StrAppend(&json, R"(,"nbf":)", *claims.not_before);
  return json + "}";
}

std::string MakeJwt(const TestSigningKey& key, const TestClaims& claims) {
  const char* algorithm =
      key.algorithm == JwtAlgorithm::kRs256 ? "RS256" : "ES256";
  return SignJwt(key,
                 absl::StrCat(R"({"alg":")", algorithm,
                              R"(","typ":"JWT","kid":")", key.kid, R"("})"),
                 ClaimsJson(claims));
}

}  // namespace ucgate::access::testing
