// Throw-away JWT signing keys and tokens for the tests, made with OpenSSL in
// the test (no fixtures, no network): RSA-2048 for RS256, P-256 for ES256.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/access/jwt_verifier.h"

namespace ucgate::access::testing {

struct TestSigningKey {
  std::string kid;
  JwtAlgorithm algorithm;
  std::shared_ptr<EVP_PKEY> key;  // Private; the JWK shows the public half.
};

TestSigningKey NewRs256Key(std::string kid);
TestSigningKey NewEs256Key(std::string kid);

// The public JWK of `key` as a JSON object.
std::string PublicJwk(const TestSigningKey& key);
// {"keys": [...]} of the keys' public JWKs, plus `extra_jwks` verbatim.
std::string JwksJson(const std::vector<TestSigningKey>& keys,
                     const std::vector<std::string>& extra_jwks = {});

// A compact JWS: base64url(header).base64url(claims).base64url(signature),
// signed with `key` whatever the header says.
std::string SignJwt(const TestSigningKey& key, const std::string& header_json,
                    const std::string& claims_json);

struct TestClaims {
  std::string issuer = "https://issuer.test";
  std::optional<std::string> subject = "billing";
  std::string audience = "ucgate";
  int64_t expires = 0;  // Unix seconds.
  std::optional<int64_t> not_before;
};
std::string ClaimsJson(const TestClaims& claims);
// Header {"alg": <key's>, "typ": "JWT", "kid": <key's>} and `claims`.
std::string MakeJwt(const TestSigningKey& key, const TestClaims& claims);

}  // namespace ucgate::access::testing
