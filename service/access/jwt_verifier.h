// JSON Web Tokens as caller credentials, verified with OpenSSL 3 against the
// public keys of a JWKS file (RFC 7517/7518/7519).
//
// Accepted: RS256 (RSA keys of 2048 bits or more) and ES256 (P-256), the
// algorithm bound to the key type so that one can never be verified as the
// other. Everything else is refused, `alg: none` first of all, as are `crit`
// headers, duplicate JSON members, and tokens without `exp`. `exp` and `nbf`
// are checked against an injected clock with a small leeway, `iss` must be
// the verifier's issuer and `aud` must name one of its audiences.
//
// Failures are UNAUTHENTICATED with a google.rpc.ErrorInfo reason (see
// access_reasons.h). No message quotes anything from the token: it is the
// caller's credential, and its unverified claims are the caller's to choose.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/access/watched_file.h"
#include "service/common/clock.h"

namespace ucgate::access {

enum class JwtAlgorithm { kRs256, kEs256 };

// The signature keys of a JWKS document.
class Jwks {
 public:
  struct Key {
    std::string kid;  // Empty when the JWK has none.
    JwtAlgorithm algorithm;
    std::shared_ptr<EVP_PKEY> public_key;
  };

  // Keys of other types (oct, OKP, EC curves other than P-256) and keys
  // marked for encryption (`use: enc`) are skipped; a usable key type with
  // broken parameters, or a document with no usable key, is an error.
  static absl::StatusOr<Jwks> Parse(absl::string_view json);

  const std::vector<Key>& keys() const { return keys_; }

 private:
  explicit Jwks(std::vector<Key> keys) : keys_(std::move(keys)) {}
  std::vector<Key> keys_;
};

// Loads a JWKS file and keeps it current (register it with a FileReloader).
absl::StatusOr<std::shared_ptr<ReloadingValue<Jwks>>> LoadJwksFile(
    const std::string& path);

struct VerifiedJwt {
  std::string issuer;
  std::string subject;  // Empty when the token has no `sub`.
  std::vector<std::string> audiences;
  absl::Time expires;

  bool HasAudience(absl::string_view audience) const;
};

// The `iss` claim of a token that looks like a JWT, not verified: which
// issuer's keys to verify it with. nullopt when it is no JWT.
std::optional<std::string> UnverifiedJwtIssuer(absl::string_view token);

struct JwtVerifierOptions {
  // Clock skew tolerated on `exp` and `nbf`.
  absl::Duration leeway = absl::Seconds(30);
  size_t max_token_bytes = 8192;
  // Tokens verified recently, by SHA-256 of the whole token: a signature
  // check costs 40 us (RS256) to 90 us (ES256), a hit a few us. A hit
  // still checks `exp`, and counts only while the JWKS is the one that
  // verified it. 0 turns the cache off; when full it starts over.
  size_t cache_entries = 4096;
};

// Verifies the tokens of one issuer.
class JwtVerifier {
 public:
  JwtVerifier(std::string issuer, std::vector<std::string> audiences,
              std::shared_ptr<const ValueSource<Jwks>> jwks,
              std::shared_ptr<const Clock> clock,
              JwtVerifierOptions options = {});

  absl::StatusOr<VerifiedJwt> Verify(absl::string_view token) const;

  const std::string& issuer() const { return issuer_; }

 private:
  struct CacheEntry {
    VerifiedJwt jwt;
    // The key set that verified it; another one (reloaded) verifies again.
    std::shared_ptr<const Jwks> jwks;
  };

  absl::StatusOr<VerifiedJwt> VerifyUncached(absl::string_view token,
                                             const Jwks& jwks) const;

  std::string issuer_;
  std::vector<std::string> audiences_;
  std::shared_ptr<const ValueSource<Jwks>> jwks_;
  std::shared_ptr<const Clock> clock_;
  JwtVerifierOptions options_;
  mutable absl::Mutex cache_mutex_;
  mutable absl::flat_hash_map<std::string, CacheEntry> cache_
      ABSL_GUARDED_BY(cache_mutex_);
};

}  // namespace ucgate::access
