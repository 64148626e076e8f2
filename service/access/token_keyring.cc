#include "service/access/token_keyring.h"

#include <cstdint>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "service/access/crypto_util.h"

namespace ucgate::access {
namespace {

constexpr uint8_t kTokenVersion = 2;
constexpr size_t kMaxKeyIdBytes = 64;
constexpr size_t kBindingTagBytes = 8;
constexpr size_t kMacBytes = 32;
constexpr size_t kMaxTokenChars = 8192;
// Separates these MACs from any other use of the same key.
constexpr absl::string_view kMacDomain("ucgate token v2", 16);

bool IsKeyId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdBytes) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::optional<std::string> DecodeSecret(absl::string_view text) {
  std::string decoded;
  if (absl::Base64Unescape(text, &decoded) ||
      absl::WebSafeBase64Unescape(text, &decoded)) {
    return decoded;
  }
  return std::nullopt;
}

void AppendBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t ReadBigEndian64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return value;
}

absl::string_view AsBytes(const Sha256Digest& digest, size_t length) {
  return absl::string_view(reinterpret_cast<const char*>(digest.data()),
                           length);
}

std::string Mac(const Secret& secret, const Sha256Digest& binding_digest,
                absl::string_view signed_part) {
  const Sha256Digest mac = HmacSha256(
      secret.Reveal(),
      absl::StrCat(kMacDomain, AsBytes(binding_digest, 32), signed_part));
  return std::string(AsBytes(mac, kMacBytes));
}

absl::Status NotOurToken() {
  return absl::InvalidArgumentError("not a token issued by this gateway");
}

}  // namespace

absl::StatusOr<TokenKeyring> TokenKeyring::Parse(absl::string_view text) {
  std::vector<Key> keys;
  std::set<std::string> ids;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    // '#' occurs in neither key ids nor base64.
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    // Errors never quote the line: a misplaced secret stays out of logs.
    const std::string where = absl::StrCat("line ", line_number, ": ");
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected '<key id> <base64 secret>'"));
    }
    if (!IsKeyId(fields[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the key id must be 1 to ", kMaxKeyIdBytes,
                       " letters, digits, '.', '_' or '-'"));
    }
    if (!ids.insert(std::string(fields[0])).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the key id is listed twice"));
    }
    std::optional<std::string> secret = DecodeSecret(fields[1]);
    if (!secret) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the secret is not base64"));
    }
    if (secret->size() < kMinSecretBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "the secret must hold at least ", kMinSecretBytes,
          " random bytes (openssl rand -base64 ", kMinSecretBytes, ")"));
    }
    keys.push_back({std::string(fields[0]), Secret(*std::move(secret))});
  }
  if (keys.empty()) return absl::InvalidArgumentError("holds no key");
  return TokenKeyring(std::move(keys));
}

const TokenKeyring::Key* TokenKeyring::FindKey(absl::string_view id) const {
  for (const Key& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

std::string TokenKeyring::Sign(absl::string_view payload,
                               absl::string_view binding,
                               absl::Time now) const {
  const Key& key = keys_.front();
  const Sha256Digest binding_digest = Sha256(binding);
  std::string token;
  token.push_back(static_cast<char>(kTokenVersion));
  token.push_back(static_cast<char>(key.id.size()));
  token.append(key.id);
  AppendBigEndian64(static_cast<uint64_t>(absl::ToUnixSeconds(now)), &token);
  absl::StrAppend(&token, AsBytes(binding_digest, kBindingTagBytes), payload);
  token.append(Mac(key.secret, binding_digest, token));
  return Base64UrlEncode(token);
}

absl::StatusOr<std::string> TokenKeyring::Verify(absl::string_view token,
                                                 absl::string_view binding,
                                                 absl::Time now,
                                                 absl::Duration max_age) const {
  if (token.size() > kMaxTokenChars) return NotOurToken();
  std::optional<std::string> decoded = Base64UrlDecode(token);
  if (!decoded || decoded->size() < 2 ||
      static_cast<uint8_t>((*decoded)[0]) != kTokenVersion) {
    return NotOurToken();
  }
  const absl::string_view bytes(*decoded);
  const size_t id_length = static_cast<uint8_t>(bytes[1]);
  const size_t header_length = 2 + id_length + 8 + kBindingTagBytes;
  if (bytes.size() < header_length + kMacBytes) return NotOurToken();
  const absl::string_view key_id = bytes.substr(2, id_length);
  const uint64_t issued_seconds = ReadBigEndian64(bytes.substr(2 + id_length));
  const absl::string_view binding_tag =
      bytes.substr(2 + id_length + 8, kBindingTagBytes);
  const absl::string_view signed_part =
      bytes.substr(0, bytes.size() - kMacBytes);
  const absl::string_view mac = bytes.substr(bytes.size() - kMacBytes);

  const Key* key = FindKey(key_id);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        "the token was signed with a key this gateway no longer accepts "
        "(keys were rotated); start again without the token");
  }
  const Sha256Digest binding_digest = Sha256(binding);
  if (!ConstantTimeEquals(Mac(key->secret, binding_digest, signed_part), mac)) {
    if (binding_tag != AsBytes(binding_digest, kBindingTagBytes)) {
      return absl::InvalidArgumentError(
          "the token belongs to another project or to a request with other "
          "filters; keep every field but page_size unchanged between calls");
    }
    return NotOurToken();
  }
  const absl::Time issued = absl::FromUnixSeconds(
      static_cast<int64_t>(issued_seconds & 0x7fffffffffffffffULL));
  if (max_age > absl::ZeroDuration() && now - issued > max_age) {
    return absl::InvalidArgumentError(
        "the token has expired; start again without the token");
  }
  return std::string(
      bytes.substr(header_length, signed_part.size() - header_length));
}

TokenSealer::TokenSealer(
    std::shared_ptr<const ValueSource<TokenKeyring>> keyring,
    std::shared_ptr<const Clock> clock, absl::Duration max_age)
    : keyring_(std::move(keyring)),
      clock_(std::move(clock)),
      max_age_(max_age) {}

std::string TokenSealer::Sign(absl::string_view payload,
                              absl::string_view binding) const {
  return keyring_->Get()->Sign(payload, binding, clock_->Now());
}

absl::StatusOr<std::string> TokenSealer::Verify(
    absl::string_view token, absl::string_view binding) const {
  return keyring_->Get()->Verify(token, binding, clock_->Now(), max_age_);
}

absl::StatusOr<std::shared_ptr<ReloadingValue<TokenKeyring>>>
LoadTokenKeyringFile(const std::string& path) {
  return ReloadingValue<TokenKeyring>::Load(
      "token keyring", {path}, [](const std::vector<std::string>& contents) {
        return TokenKeyring::Parse(contents[0]);
      });
}

}  // namespace ucgate::access
