// Keyed integrity for the tokens the gateway hands out and takes back (page
// tokens, resume tokens): HMAC-SHA256 under keys every replica shares, so a
// token can be neither forged nor carried to another project or other
// filters, and any replica accepts what another issued.
//
// Keyring file, one key a line ("#" starts a comment):
//
//   <key id> <secret, base64 or base64url, at least 32 bytes decoded>
//
// The first key signs; every key listed verifies. Rotation with overlap:
// (1) add the new key as the second line on every replica, (2) once all have
// it, move it first, (3) after the token lifetime, remove the old key.
//
// Token layout (base64url, no padding), authenticated as a whole:
//   version(1) | key id length(1) | key id | issued at (8, unix seconds,
//   big-endian) | binding tag(8) | payload | HMAC(32)
// The MAC covers SHA-256 of the binding in full; the binding tag (its first
// 8 bytes) only lets a mismatch be told apart from a forgery in the error.
// The payload is authenticated, not encrypted: put nothing secret in it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/access/watched_file.h"
#include "service/common/clock.h"
#include "service/common/secret.h"

namespace ucgate::access {

class TokenKeyring {
 public:
  static constexpr size_t kMinSecretBytes = 32;

  struct Key {
    std::string id;
    Secret secret;
  };

  // Parses the file format above. Errors name the line, never the secret.
  static absl::StatusOr<TokenKeyring> Parse(absl::string_view text);

  const std::string& signing_key_id() const { return keys_.front().id; }
  size_t size() const { return keys_.size(); }

  // A token carrying `payload`, bound to `binding` (what must not change
  // between the issuing call and the one presenting the token: project,
  // request type, filters).
  std::string Sign(absl::string_view payload, absl::string_view binding,
                   absl::Time now) const;

  // The payload of `token` when it was signed by a key of this ring for this
  // `binding` and, with a positive `max_age`, is not older than that.
  // INVALID_ARGUMENT otherwise, with a message fit for the caller (which
  // names the field: page_token, resume_token).
  absl::StatusOr<std::string> Verify(absl::string_view token,
                                     absl::string_view binding, absl::Time now,
                                     absl::Duration max_age) const;

 private:
  explicit TokenKeyring(std::vector<Key> keys) : keys_(std::move(keys)) {}
  const Key* FindKey(absl::string_view id) const;

  std::vector<Key> keys_;  // Never empty; the first signs.
};

// What handlers use: the current keyring (reloaded from its file), the
// clock and the token lifetime in one place.
class TokenSealer {
 public:
  TokenSealer(std::shared_ptr<const ValueSource<TokenKeyring>> keyring,
              std::shared_ptr<const Clock> clock, absl::Duration max_age);

  std::string Sign(absl::string_view payload, absl::string_view binding) const;
  absl::StatusOr<std::string> Verify(absl::string_view token,
                                     absl::string_view binding) const;

 private:
  std::shared_ptr<const ValueSource<TokenKeyring>> keyring_;
  std::shared_ptr<const Clock> clock_;
  absl::Duration max_age_;
};

// Loads the keyring file and keeps it current (register it with a
// FileReloader).
absl::StatusOr<std::shared_ptr<ReloadingValue<TokenKeyring>>>
LoadTokenKeyringFile(const std::string& path);

}  // namespace ucgate::access
