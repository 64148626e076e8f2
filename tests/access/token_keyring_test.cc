// Keyed page/resume tokens: binding to project and filters, tampering,
// expiry, and key rotation with overlap (file swapped through `..data`).
#include "service/access/token_keyring.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/access/crypto_util.h"
#include "tests/access/access_test_util.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using ::testing::HasSubstr;
using testing::IsOkAndHolds;
using testing::LogCapture;
using ::testing::Not;
using testing::ProjectedVolume;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01.
const absl::Duration kMaxAge = absl::Hours(24);

// A key line with a secret of 32 bytes of `fill`.
std::string KeyLine(absl::string_view id, char fill) {
  return absl::StrCat(id, " ", absl::Base64Escape(std::string(32, fill)), "\n");
}

TokenKeyring Ring(const std::string& text) {
  absl::StatusOr<TokenKeyring> ring = TokenKeyring::Parse(text);
  EXPECT_THAT(ring, IsOk());
  return *std::move(ring);
}

constexpr absl::string_view kBinding = "shop\nListFilesRequest\nfilters-A";

TEST(TokenKeyringTest, ParsesKeysInOrderWithComments) {
  TokenKeyring ring = Ring(absl::StrCat(
      "# rotated 2026-01\n", KeyLine("k2", 'b'), "\n", KeyLine("k1", 'a')));
  EXPECT_EQ(ring.signing_key_id(), "k2");
  EXPECT_EQ(ring.size(), 2u);
}

TEST(TokenKeyringTest, AcceptsBase64UrlSecrets) {
  const std::string secret(40, '\xfb');  // '-' and '_' in base64url.
  EXPECT_THAT(TokenKeyring::Parse(
                  absl::StrCat("k ", absl::WebSafeBase64Escape(secret))),
              IsOk());
}

TEST(TokenKeyringTest, RefusesBadFilesWithoutQuotingSecrets) {
  const std::string short_secret = absl::Base64Escape("0123456789abcdef");
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "holds no key"},
      {"# only a comment\n", "holds no key"},
      {absl::StrCat("k1 ", short_secret),
       "line 1: the secret must hold at "
       "least 32"},
      {"k1 not*base64!", "line 1: the secret is not base64"},
      {absl::StrCat(absl::Base64Escape(std::string(32, 'z')), "\n"),
       "line 1: expected '<key id> <base64 secret>'"},
      {absl::StrCat(KeyLine("k1", 'a'), KeyLine("k1", 'b')),
       "line 2: the key id is listed twice"},
      {KeyLine("bad/id", 'a'), "line 1: the key id must be"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TokenKeyring> ring = TokenKeyring::Parse(c.text);
    EXPECT_THAT(ring, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(c.message)))
        << c.text;
    EXPECT_THAT(std::string(ring.status().message()),
                Not(HasSubstr(short_secret)));
    EXPECT_THAT(std::string(ring.status().message()),
                Not(HasSubstr(absl::Base64Escape(std::string(32, 'z')))));
  }
}

TEST(TokenKeyringTest, RoundTripsThePayload) {
  TokenKeyring ring = Ring(KeyLine("k1", 'a'));
  const std::string payload("from=2026-01-01T00:00:00|offset=100\0x", 38);
  const std::string token = ring.Sign(payload, kBinding, kNow);
  EXPECT_THAT(ring.Verify(token, kBinding, kNow + absl::Hours(1), kMaxAge),
              IsOkAndHolds(payload));
  // URL-safe, no padding: fits metadata, query strings and JSON as is.
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);
}

TEST(TokenKeyringTest, ATokenIsBoundToProjectAndFilters) {
  TokenKeyring ring = Ring(KeyLine("k1", 'a'));
  const std::string token = ring.Sign("cursor", kBinding, kNow);
  for (absl::string_view other : {"other-project\nListFilesRequest\nfilters-A",
                                  "shop\nListFilesRequest\nfilters-B",
                                  "shop\nSearchFilesRequest\nfilters-A"}) {
    EXPECT_THAT(ring.Verify(token, other, kNow, kMaxAge),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("belongs to another project or to a "
                                   "request with other filters")));
  }
}

TEST(TokenKeyringTest, TamperingIsRefused) {
  TokenKeyring ring = Ring(KeyLine("k1", 'a'));
  const std::string token = ring.Sign("offset=100", kBinding, kNow);
  std::optional<std::string> bytes = Base64UrlDecode(token);
  ASSERT_TRUE(bytes.has_value());
  // Flip every byte in turn: payload, header, issued-at, tag, MAC.
  for (size_t i = 0; i < bytes->size(); ++i) {
    std::string tampered = *bytes;
    tampered[i] ^= 0x01;
    EXPECT_THAT(ring.Verify(Base64UrlEncode(tampered), kBinding, kNow, kMaxAge),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << "byte " << i;
  }
  // A longer payload with the MAC of the shorter one.
  std::string extended = *bytes;
  extended.insert(extended.size() - 32, "0");
  EXPECT_THAT(ring.Verify(Base64UrlEncode(extended), kBinding, kNow, kMaxAge),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "not a token issued by this gateway"));
  for (absl::string_view garbage :
       {std::string(), std::string("x"), std::string("not base64!"),
        std::string("AAAA"), token.substr(0, token.size() - 2)}) {
    EXPECT_THAT(ring.Verify(garbage, kBinding, kNow, kMaxAge),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "not a token issued by this gateway"))
        << garbage;
  }
}

TEST(TokenKeyringTest, TheOldUnkeyedPageTokenFormatIsRefused) {
  TokenKeyring ring = Ring(KeyLine("k1", 'a'));
  const std::string old_token =
      absl::WebSafeBase64Escape("1|ffffffffffffffff|0|2026-01-01");
  EXPECT_THAT(ring.Verify(old_token, kBinding, kNow, kMaxAge),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(TokenKeyringTest, AKeyWithTheSameIdButAnotherSecretDoesNotVerify) {
  const std::string token = Ring(KeyLine("k1", 'a')).Sign("p", kBinding, kNow);
  EXPECT_THAT(Ring(KeyLine("k1", 'b')).Verify(token, kBinding, kNow, kMaxAge),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "not a token issued by this gateway"));
}

TEST(TokenKeyringTest, TokensExpire) {
  TokenKeyring ring = Ring(KeyLine("k1", 'a'));
  const std::string token = ring.Sign("p", kBinding, kNow);
  EXPECT_THAT(ring.Verify(token, kBinding, kNow + kMaxAge, kMaxAge), IsOk());
  EXPECT_THAT(
      ring.Verify(token, kBinding, kNow + kMaxAge + absl::Seconds(1), kMaxAge),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expired")));
  // No max age: no expiry.
  EXPECT_THAT(ring.Verify(token, kBinding, kNow + absl::Hours(24 * 365),
                          absl::ZeroDuration()),
              IsOk());
}

// The three-step rotation of the header comment, each step a new version of
// the keyring file published through a `..data` swap while a replica keeps
// verifying tokens issued along the way.
TEST(TokenKeyringTest, RotationWithOverlapThroughAFileSwap) {
  LogCapture log;
  ::ucgate::testing::ScopedTempDir dir("keyring");
  ProjectedVolume volume(dir.path());
  volume.Publish({{"keys", KeyLine("old", 'o')}});
  auto keyring = LoadTokenKeyringFile(volume.Path("keys"));
  ASSERT_THAT(keyring, IsOk());
  auto clock = std::make_shared<ManualClock>(kNow);
  TokenSealer sealer(*keyring, clock, kMaxAge);
  const std::string by_old = sealer.Sign("page-2", kBinding);

  // 1. The new key is known (second) everywhere; the old one still signs.
  volume.Publish(
      {{"keys", absl::StrCat(KeyLine("old", 'o'), KeyLine("new", 'n'))}});
  ASSERT_TRUE((*keyring)->Poll());
  EXPECT_EQ((*keyring)->Get()->signing_key_id(), "old");
  EXPECT_THAT(sealer.Verify(by_old, kBinding), IsOkAndHolds("page-2"));

  // 2. The new key signs; tokens of the old one still verify.
  volume.Publish(
      {{"keys", absl::StrCat(KeyLine("new", 'n'), KeyLine("old", 'o'))}});
  ASSERT_TRUE((*keyring)->Poll());
  const std::string by_new = sealer.Sign("page-3", kBinding);
  EXPECT_THAT(sealer.Verify(by_old, kBinding), IsOk());
  EXPECT_THAT(sealer.Verify(by_new, kBinding), IsOk());

  // 3. The old key goes: its tokens are refused with a message saying why.
  clock->Advance(kMaxAge);
  volume.Publish({{"keys", KeyLine("new", 'n')}});
  ASSERT_TRUE((*keyring)->Poll());
  EXPECT_THAT(sealer.Verify(by_old, kBinding),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("keys were rotated")));
  EXPECT_THAT(sealer.Verify(by_new, kBinding), IsOkAndHolds("page-3"));

  // A broken version keeps the last good ring; nothing of it is logged.
  const std::string broken = absl::StrCat(
      "new ", absl::Base64Escape("too-short-secret-material"), "\n");
  volume.Publish({{"keys", broken}});
  EXPECT_FALSE((*keyring)->Poll());
  EXPECT_THAT(sealer.Verify(by_new, kBinding), IsOk());
  ASSERT_THAT(log.LinesContaining("token keyring: line 1"),
              ::testing::SizeIs(1));
  for (const std::string& line : log.lines()) {
    EXPECT_THAT(line, Not(HasSubstr(absl::Base64Escape(std::string(32, 'n')))));
    EXPECT_THAT(line, Not(HasSubstr("too-short")));
  }
}

}  // namespace
}  // namespace ucgate::access
