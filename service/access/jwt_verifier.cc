#include "service/access/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/access/access_reasons.h"
#include "service/access/crypto_util.h"
#include "service/access/openssl_ptr.h"
#include "service/common/status.h"

namespace ucgate::access {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr size_t kP256CoordinateBytes = 32;

absl::Status JwtError(const char* reason, absl::string_view what) {
  return WithErrorInfo(
      absl::UnauthenticatedError(absl::StrCat("bearer JWT: ", what)), reason);
}

absl::Status JwksError(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("JWKS ", where, ": ", what));
}

BignumPtr ToBignum(absl::string_view bytes) {
  return BignumPtr(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                static_cast<int>(bytes.size()), nullptr));
}

// A JSON object whose members all have distinct names (RFC 7515 section 4
// allows refusing duplicates; accepting them invites parser differentials).
bool IsObjectWithDistinctMembers(const rapidjson::Value& value) {
  if (!value.IsObject()) return false;
  std::set<absl::string_view> names;
  for (const auto& member : value.GetObject()) {
    const absl::string_view name(member.name.GetString(),
                                 member.name.GetStringLength());
    if (!names.insert(name).second) return false;
  }
  return true;
}

bool ParseObject(absl::string_view json, rapidjson::Document* document) {
  document->Parse<rapidjson::kParseValidateEncodingFlag>(json.data(),
                                                         json.size());
  return !document->HasParseError() && IsObjectWithDistinctMembers(*document);
}

// The member `name` as a string; nullopt when absent or of another type.
std::optional<std::string> StringMember(const rapidjson::Value& object,
                                        const char* name) {
  auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) {
    return std::nullopt;
  }
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

bool HasMember(const rapidjson::Value& object, const char* name) {
  return object.FindMember(name) != object.MemberEnd();
}

// A base64url member decoded; nullopt when absent, not a string or not
// base64url.
std::optional<std::string> Base64UrlMember(const rapidjson::Value& object,
                                           const char* name) {
  std::optional<std::string> text = StringMember(object, name);
  if (!text) return std::nullopt;
  return Base64UrlDecode(*text);
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> KeyFromParams(
    const char* key_type, OSSL_PARAM_BLD* build, absl::string_view where) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(build));
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return JwksError(where, "the key parameters do not form a public key");
  }
  std::shared_ptr<EVP_PKEY> owned(key, EVP_PKEY_free);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return JwksError(where, "the public key fails validation");
  }
  return owned;
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> RsaKey(const rapidjson::Value& jwk,
                                                 absl::string_view where) {
  std::optional<std::string> modulus = Base64UrlMember(jwk, "n");
  std::optional<std::string> exponent = Base64UrlMember(jwk, "e");
  if (!modulus || !exponent || modulus->empty() || exponent->empty() ||
      exponent->size() > 8) {
    return JwksError(where, "an RSA key needs base64url 'n' and 'e'");
  }
  BignumPtr n = ToBignum(*modulus);
  BignumPtr e = ToBignum(*exponent);
  if (!n || !e) return JwksError(where, "out of memory");
  const int bits = BN_num_bits(n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return JwksError(where, absl::StrCat("RSA keys must have ", kMinRsaBits,
                                         " to ", kMaxRsaBits, " bits"));
  }
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) !=
          1) {
    return JwksError(where, "out of memory");
  }
  return KeyFromParams("RSA", build.get(), where);
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> P256Key(const rapidjson::Value& jwk,
                                                  absl::string_view where) {
  std::optional<std::string> x = Base64UrlMember(jwk, "x");
  std::optional<std::string> y = Base64UrlMember(jwk, "y");
  if (!x || !y || x->size() != kP256CoordinateBytes ||
      y->size() != kP256CoordinateBytes) {
    return JwksError(where,
                     "a P-256 key needs base64url 'x' and 'y' of 32 bytes");
  }
  // SEC 1 uncompressed point: 0x04 | x | y.
  const std::string point = absl::StrCat("\x04", *x, *y);
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return JwksError(where, "out of memory");
  }
  return KeyFromParams("EC", build.get(), where);
}

// JWS ES256 signatures are r | s (32 bytes each); OpenSSL verifies DER.
std::optional<std::string> Es256SignatureToDer(absl::string_view signature) {
  if (signature.size() != 2 * kP256CoordinateBytes) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r = ToBignum(signature.substr(0, kP256CoordinateBytes));
  BignumPtr s = ToBignum(signature.substr(kP256CoordinateBytes));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return std::nullopt;
  }
  r.release();  // Owned by sig now.
  s.release();
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string result(reinterpret_cast<char*>(der), length);
  OPENSSL_free(der);
  return result;
}

bool SignatureVerifies(EVP_PKEY* key, JwtAlgorithm algorithm,
                       absl::string_view signing_input,
                       absl::string_view signature) {
  std::string der;
  if (algorithm == JwtAlgorithm::kEs256) {
    std::optional<std::string> converted = Es256SignatureToDer(signature);
    if (!converted) return false;
    der = *std::move(converted);
    signature = der;
  }
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  // RSA keys default to PKCS #1 v1.5 padding, which RS256 is.
  return context &&
         EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr,
                              key) == 1 &&
         EVP_DigestVerify(
             context.get(),
             reinterpret_cast<const unsigned char*>(signature.data()),
             signature.size(),
             reinterpret_cast<const unsigned char*>(signing_input.data()),
             signing_input.size()) == 1;
}

struct JwtParts {
  absl::string_view header;
  absl::string_view payload;
  absl::string_view signature;
  absl::string_view signing_input;  // header.payload
};

std::optional<JwtParts> SplitJwt(absl::string_view token) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return std::nullopt;
  }
  return JwtParts{parts[0], parts[1], parts[2],
                  token.substr(0, parts[0].size() + 1 + parts[1].size())};
}

std::optional<absl::Time> NumericDate(const rapidjson::Value& claims,
                                      const char* name) {
  auto member = claims.FindMember(name);
  if (member == claims.MemberEnd() || !member->value.IsNumber()) {
    return std::nullopt;
  }
  const double seconds = member->value.GetDouble();
  if (!std::isfinite(seconds)) return std::nullopt;
  return absl::UnixEpoch() + absl::Seconds(seconds);
}

}  // namespace

absl::StatusOr<Jwks> Jwks::Parse(absl::string_view json) {
  rapidjson::Document document;
  if (!ParseObject(json, &document)) {
    return JwksError("document", "not a JSON object with distinct members");
  }
  auto keys = document.FindMember("keys");
  if (keys == document.MemberEnd() || !keys->value.IsArray()) {
    return JwksError("document", "has no 'keys' list");
  }
  std::vector<Key> usable;
  for (rapidjson::SizeType i = 0; i < keys->value.Size(); ++i) {
    const rapidjson::Value& jwk = keys->value[i];
    const std::string where = absl::StrCat("keys[", i, "]");
    if (!IsObjectWithDistinctMembers(jwk)) {
      return JwksError(where, "must be an object with distinct members");
    }
    std::optional<std::string> type = StringMember(jwk, "kty");
    if (!type) return JwksError(where, "has no 'kty'");
    std::optional<std::string> use = StringMember(jwk, "use");
    if (use && *use != "sig") continue;
    std::optional<std::string> algorithm = StringMember(jwk, "alg");
    std::optional<std::string> kid = StringMember(jwk, "kid");
    if (HasMember(jwk, "kid") && !kid) {
      return JwksError(where, "'kid' must be a string");
    }
    Key key{kid.value_or(""), JwtAlgorithm::kRs256, nullptr};
    absl::StatusOr<std::shared_ptr<EVP_PKEY>> public_key;
    if (*type == "RSA") {
      if (algorithm && *algorithm != "RS256") continue;
      public_key = RsaKey(jwk, where);
    } else if (*type == "EC") {
      if (StringMember(jwk, "crv") != "P-256") continue;
      if (algorithm && *algorithm != "ES256") continue;
      key.algorithm = JwtAlgorithm::kEs256;
      public_key = P256Key(jwk, where);
    } else {
      continue;
    }
    if (!public_key.ok()) return public_key.status();
    key.public_key = *std::move(public_key);
    usable.push_back(std::move(key));
  }
  if (usable.empty()) {
    return JwksError("document", "holds no RS256 or ES256 signature key");
  }
  return Jwks(std::move(usable));
}

absl::StatusOr<std::shared_ptr<ReloadingValue<Jwks>>> LoadJwksFile(
    const std::string& path) {
  return ReloadingValue<Jwks>::Load(
      absl::StrCat("JWKS '", path, "'"), {path},
      [](const std::vector<std::string>& contents) {
        return Jwks::Parse(contents[0]);
      });
}

bool VerifiedJwt::HasAudience(absl::string_view audience) const {
  for (const std::string& candidate : audiences) {
    if (candidate == audience) return true;
  }
  return false;
}

std::optional<std::string> UnverifiedJwtIssuer(absl::string_view token) {
  std::optional<JwtParts> parts = SplitJwt(token);
  if (!parts) return std::nullopt;
  std::optional<std::string> payload = Base64UrlDecode(parts->payload);
  rapidjson::Document claims;
  if (!payload || !ParseObject(*payload, &claims)) return std::nullopt;
  return StringMember(claims, "iss");
}

JwtVerifier::JwtVerifier(std::string issuer, std::vector<std::string> audiences,
                         std::shared_ptr<const ValueSource<Jwks>> jwks,
                         std::shared_ptr<const Clock> clock,
                         JwtVerifierOptions options)
    : issuer_(std::move(issuer)),
      audiences_(std::move(audiences)),
      jwks_(std::move(jwks)),
      clock_(std::move(clock)),
      options_(options) {}

absl::StatusOr<VerifiedJwt> JwtVerifier::Verify(absl::string_view token) const {
  if (token.size() > options_.max_token_bytes) {
    return JwtError(kJwtMalformed, "too long");
  }
  const std::shared_ptr<const Jwks> jwks = jwks_->Get();
  const Sha256Digest digest = Sha256(token);
  const std::string cache_key(reinterpret_cast<const char*>(digest.data()),
                              digest.size());
  if (options_.cache_entries > 0) {
    absl::MutexLock lock(&cache_mutex_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && it->second.jwks == jwks) {
      if (clock_->Now() > it->second.jwt.expires + options_.leeway) {
        cache_.erase(it);
        return JwtError(kJwtExpired, "the token has expired");
      }
      return it->second.jwt;
    }
  }
  absl::StatusOr<VerifiedJwt> verified = VerifyUncached(token, *jwks);
  if (verified.ok() && options_.cache_entries > 0) {
    absl::MutexLock lock(&cache_mutex_);
    if (cache_.size() >= options_.cache_entries) cache_.clear();
    cache_[cache_key] = CacheEntry{*verified, jwks};
  }
  return verified;
}

absl::StatusOr<VerifiedJwt> JwtVerifier::VerifyUncached(
    absl::string_view token, const Jwks& jwks) const {
  if (token.size() > options_.max_token_bytes) {
    return JwtError(kJwtMalformed, "too long");
  }
  std::optional<JwtParts> parts = SplitJwt(token);
  if (!parts) return JwtError(kJwtMalformed, "not header.payload.signature");
  std::optional<std::string> header_json = Base64UrlDecode(parts->header);
  rapidjson::Document header;
  if (!header_json || !ParseObject(*header_json, &header)) {
    return JwtError(kJwtMalformed, "the header is not a JSON object");
  }
  // The algorithm comes from the header but must match the key's type
  // below; anything but the two supported ones ("none", HS256, ...) stops
  // here.
  const std::optional<std::string> alg = StringMember(header, "alg");
  JwtAlgorithm algorithm;
  if (alg == "RS256") {
    algorithm = JwtAlgorithm::kRs256;
  } else if (alg == "ES256") {
    algorithm = JwtAlgorithm::kEs256;
  } else {
    return JwtError(kJwtAlgorithmRefused, "only RS256 and ES256 are accepted");
  }
  if (HasMember(header, "crit")) {
    return JwtError(kJwtMalformed, "critical header extensions are refused");
  }
  if (HasMember(header, "typ")) {
    std::optional<std::string> type = StringMember(header, "typ");
    if (!type || (!absl::EqualsIgnoreCase(*type, "JWT") &&
                  !absl::EqualsIgnoreCase(*type, "at+jwt") &&
                  !absl::EqualsIgnoreCase(*type, "application/at+jwt"))) {
      return JwtError(kJwtMalformed, "'typ' must be JWT or at+jwt");
    }
  }
  // Keys embedded in the token (jwk, jku, x5u, x5c) are never used: only
  // the JWKS file decides which keys are trusted.
  const std::optional<std::string> kid = StringMember(header, "kid");
  if (HasMember(header, "kid") && !kid) {
    return JwtError(kJwtMalformed, "'kid' must be a string");
  }

  std::optional<std::string> signature = Base64UrlDecode(parts->signature);
  if (!signature || signature->empty()) {
    return JwtError(kJwtMalformed, "the signature is not base64url");
  }
  bool key_found = false;
  bool verified = false;
  for (const Jwks::Key& key : jwks.keys()) {
    if (key.algorithm != algorithm || (kid && key.kid != *kid)) continue;
    key_found = true;
    if (SignatureVerifies(key.public_key.get(), algorithm, parts->signing_input,
                          *signature)) {
      verified = true;
      break;
    }
  }
  if (!key_found) {
    return JwtError(kJwtKeyUnknown,
                    "no key of the issuer's JWKS matches the token's kid and "
                    "algorithm");
  }
  if (!verified) {
    return JwtError(kJwtSignatureInvalid, "the signature does not verify");
  }

  // Signed by the issuer: the claims can be read now.
  std::optional<std::string> payload_json = Base64UrlDecode(parts->payload);
  rapidjson::Document claims;
  if (!payload_json || !ParseObject(*payload_json, &claims)) {
    return JwtError(kJwtMalformed, "the claims are not a JSON object");
  }
  VerifiedJwt jwt;
  std::optional<std::string> issuer = StringMember(claims, "iss");
  if (!issuer || *issuer != issuer_) {
    return JwtError(kJwtIssuerUnknown, "the issuer is not trusted");
  }
  jwt.issuer = *std::move(issuer);
  if (HasMember(claims, "sub")) {
    std::optional<std::string> subject = StringMember(claims, "sub");
    if (!subject) return JwtError(kJwtMalformed, "'sub' must be a string");
    jwt.subject = *std::move(subject);
  }

  const absl::Time now = clock_->Now();
  std::optional<absl::Time> expires = NumericDate(claims, "exp");
  if (!expires) return JwtError(kJwtMalformed, "'exp' is required");
  if (now > *expires + options_.leeway) {
    return JwtError(kJwtExpired, "the token has expired");
  }
  jwt.expires = *expires;
  if (HasMember(claims, "nbf")) {
    std::optional<absl::Time> not_before = NumericDate(claims, "nbf");
    if (!not_before) return JwtError(kJwtMalformed, "'nbf' must be a number");
    if (now + options_.leeway < *not_before) {
      return JwtError(kJwtNotYetValid, "the token is not valid yet");
    }
  }

  auto audience = claims.FindMember("aud");
  if (audience != claims.MemberEnd()) {
    if (audience->value.IsString()) {
      jwt.audiences.emplace_back(audience->value.GetString(),
                                 audience->value.GetStringLength());
    } else if (audience->value.IsArray()) {
      for (const auto& entry : audience->value.GetArray()) {
        if (!entry.IsString()) {
          return JwtError(kJwtMalformed, "'aud' must hold strings");
        }
        jwt.audiences.emplace_back(entry.GetString(), entry.GetStringLength());
      }
    } else {
      return JwtError(kJwtMalformed, "'aud' must be a string or a list");
    }
  }
  bool audience_matches = false;
  for (const std::string& accepted : audiences_) {
    audience_matches = audience_matches || jwt.HasAudience(accepted);
  }
  if (!audience_matches) {
    return JwtError(kJwtAudienceMismatch,
                    "the token is not meant for this gateway (aud)");
  }
  return jwt;
}

}  // namespace ucgate::access
