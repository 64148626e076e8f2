// Fuzz target for the tokens callers hand back: page tokens and resume tokens
// (api::DecodePageToken, api::DecodeResumeToken), the keyed seal around them
// (access::TokenKeyring::Verify) and keyring files (TokenKeyring::Parse).
// Every input goes to every decoder, as the gateway would see it in a
// ListFiles page_token or a StreamFiles resume_token.
//
// Beyond "no crash" it checks what the decoders promise:
// - a refused page or resume token is INVALID_ARGUMENT naming its field;
// - a token that decodes re-encodes to a token that decodes to the same
//   cursor, and encoding is then stable;
// - a sealed token that opens is byte for byte what the keyring signs for
//   the same payload, key and time (no second spelling of a token opens),
//   does not open for another binding, and its payload decodes like any
//   page token;
// - a keyring that parses signs tokens it verifies; a refused one is
//   INVALID_ARGUMENT and quotes no secret.
//
// Built with UCGATE_LIBFUZZER (clang) this is a libFuzzer target; otherwise
// replay_driver.cc replays the seeds and deterministic mutations of them.
// Built with UCGATE_TOKEN_SEED_WRITER it is instead the program that wrote
// the seeds in corpus/token (target token_fuzzer_seeds, not built by
// default): real tokens of the encoders, for the fixed requests and keys
// below.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "service/access/token_keyring.h"
#include "service/api/page_token.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::ucgate::access::TokenKeyring;
using ::ucgate::api::ListCursor;
using ::ucgate::api::ResumePoint;

// Two keys, as during a rotation: "fuzz-2" signs, "fuzz-1" still verifies.
constexpr char kKeyringText[] =
    "# page token keys\n"
    "fuzz-2 MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"
    "fuzz-1 \tZnV6ei1rZXktb25lLWZ1enota2V5LW9uZS1mdXp6LWtleQ  # old\n";
constexpr char kReversedKeyringText[] =
    "fuzz-1 ZnV6ei1rZXktb25lLWZ1enota2V5LW9uZS1mdXp6LWtleQ\n"
    "fuzz-2 MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n";
const absl::Time kNow = absl::FromUnixSeconds(1700000000);

void Check(bool condition, const char* what, const std::string& input) {
  if (condition) return;
  std::fprintf(stderr, "token_fuzzer: %s\ninput (%zu bytes): %s\n", what,
               input.size(), absl::CHexEscape(input).c_str());
  std::abort();
}

struct Fixture {
  // The listing a page token belongs to, and the stream a resume token
  // belongs to (same filters: a resume token holds a page token of it).
  v1::ListFilesRequest list;
  v1::StreamFilesRequest stream;
  uint64_t list_fingerprint = 0;
  uint64_t stream_fingerprint = 0;
  std::string list_binding;
  std::string other_binding;
  TokenKeyring keyring;           // fuzz-2 signs
  TokenKeyring reversed_keyring;  // fuzz-1 signs

  static Fixture Make() {
    v1::ListFilesRequest list;
    list.set_stored(true);
    list.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
    v1::StreamFilesRequest stream;
    stream.set_stored(true);
    stream.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
    v1::ListFilesRequest other = list;
    other.set_removed(true);
    return Fixture{
        list,
        stream,
        ucgate::api::PagedRequestFingerprint("main", list),
        ucgate::api::PagedRequestFingerprint("main", stream),
        ucgate::api::PagedRequestBinding("main", list),
        ucgate::api::PagedRequestBinding("main", other),
        *TokenKeyring::Parse(kKeyringText),
        *TokenKeyring::Parse(kReversedKeyringText),
    };
  }
};

const Fixture& TheFixture() {
  static const Fixture* fixture = new Fixture(Fixture::Make());
  return *fixture;
}

void FuzzPageToken(const std::string& token, uint64_t fingerprint,
                   const char* field, const std::string& input) {
  absl::StatusOr<ListCursor> cursor =
      ucgate::api::DecodePageToken(token, fingerprint, field);
  if (!cursor.ok()) {
    Check(cursor.status().code() == absl::StatusCode::kInvalidArgument,
          "a refused page token is not INVALID_ARGUMENT", input);
    Check(
        absl::StartsWith(cursor.status().message(), std::string(field) + ": "),
        "a refused page token does not name its field", input);
    return;
  }
  Check(cursor->offset >= 0, "a page token with a negative offset opens",
        input);
  const std::string encoded =
      ucgate::api::EncodePageToken(*cursor, fingerprint);
  absl::StatusOr<ListCursor> again =
      ucgate::api::DecodePageToken(encoded, fingerprint, field);
  Check(again.ok() && again->from == cursor->from &&
            again->offset == cursor->offset,
        "a page token does not survive re-encoding", input);
  Check(ucgate::api::EncodePageToken(*again, fingerprint) == encoded,
        "page token encoding is not stable", input);
  Check(!ucgate::api::DecodePageToken(encoded, fingerprint + 1, field).ok(),
        "a page token opens for other filters", input);
}

void FuzzResumeToken(const std::string& token, const std::string& input) {
  const Fixture& fixture = TheFixture();
  absl::StatusOr<ResumePoint> point =
      ucgate::api::DecodeResumeToken(token, fixture.stream_fingerprint);
  if (!point.ok()) {
    Check(point.status().code() == absl::StatusCode::kInvalidArgument,
          "a refused resume token is not INVALID_ARGUMENT", input);
    Check(absl::StartsWith(point.status().message(), "resume_token: "),
          "a refused resume token does not name resume_token", input);
    return;
  }
  if (token.empty()) {
    Check(point->page_token.empty() && point->skip == 0,
          "an empty resume token does not start at the beginning", input);
    return;
  }
  Check(point->skip >= 0, "a resume token with a negative skip opens", input);
  const std::string encoded =
      ucgate::api::EncodeResumeToken(*point, fixture.stream_fingerprint);
  absl::StatusOr<ResumePoint> again =
      ucgate::api::DecodeResumeToken(encoded, fixture.stream_fingerprint);
  Check(again.ok() && again->page_token == point->page_token &&
            again->skip == point->skip,
        "a resume token does not survive re-encoding", input);
  // As CheckResumeToken does: the page it resumes is a page of the listing.
  if (!point->page_token.empty()) {
    FuzzPageToken(point->page_token, fixture.list_fingerprint, "resume_token",
                  input);
  }
}

void FuzzSealedToken(const std::string& token, const std::string& input) {
  const Fixture& fixture = TheFixture();
  absl::StatusOr<std::string> payload = fixture.keyring.Verify(
      token, fixture.list_binding, kNow, absl::ZeroDuration());
  if (!payload.ok()) {
    Check(payload.status().code() == absl::StatusCode::kInvalidArgument,
          "a refused sealed token is not INVALID_ARGUMENT", input);
    Check(!payload.status().message().empty(),
          "a refused sealed token has no message", input);
    return;
  }
  // Layout: version | id length | id | issued (8, big-endian) | tag | ...
  std::string bytes;
  Check(absl::WebSafeBase64Unescape(token, &bytes) && bytes.size() > 2,
        "a sealed token that opens is not base64url", input);
  const size_t id_length = static_cast<uint8_t>(bytes[1]);
  Check(bytes.size() >= 2 + id_length + 8, "a sealed token that opens is short",
        input);
  const std::string key_id = bytes.substr(2, id_length);
  uint64_t issued = 0;
  for (size_t i = 0; i < 8; ++i) {
    issued = (issued << 8) | static_cast<uint8_t>(bytes[2 + id_length + i]);
  }
  const TokenKeyring& signer = key_id == fixture.keyring.signing_key_id()
                                   ? fixture.keyring
                                   : fixture.reversed_keyring;
  Check(signer.signing_key_id() == key_id,
        "a sealed token opens under a key the keyring does not hold", input);
  if (issued <= static_cast<uint64_t>(INT64_MAX)) {
    Check(signer.Sign(*payload, fixture.list_binding,
                      absl::FromUnixSeconds(static_cast<int64_t>(issued))) ==
              token,
          "a sealed token that opens is not the one the keyring signs", input);
  }
  Check(!fixture.keyring
             .Verify(token, fixture.other_binding, kNow, absl::ZeroDuration())
             .ok(),
        "a sealed token opens for other filters", input);
  // What CallGate::OpenTokens hands on: the page token inside.
  FuzzPageToken(*payload, fixture.list_fingerprint, "page_token", input);
}

void FuzzKeyring(const std::string& text, const std::string& input) {
  absl::StatusOr<TokenKeyring> keyring = TokenKeyring::Parse(text);
  if (!keyring.ok()) {
    Check(keyring.status().code() == absl::StatusCode::kInvalidArgument,
          "a refused keyring is not INVALID_ARGUMENT", input);
    Check(!keyring.status().message().empty(),
          "a refused keyring has no message", input);
    // "Errors never quote the line": no second field (where the secret
    // goes) appears in the message.
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::vector<absl::string_view> fields =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      if (fields.size() >= 2 && fields[1].size() >= 12) {
        Check(!absl::StrContains(keyring.status().message(), fields[1]),
              "a keyring error quotes a secret", input);
      }
    }
    return;
  }
  Check(keyring->size() >= 1 && !keyring->signing_key_id().empty(),
        "a keyring parses without a signing key", input);
  const std::string binding = TheFixture().list_binding;
  const std::string token = keyring->Sign("payload", binding, kNow);
  absl::StatusOr<std::string> opened =
      keyring->Verify(token, binding, kNow, absl::Hours(1));
  Check(opened.ok() && *opened == "payload",
        "a parsed keyring does not open its own token", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const Fixture& fixture = TheFixture();
  FuzzPageToken(input, fixture.list_fingerprint, "page_token", input);
  FuzzResumeToken(input, input);
  FuzzSealedToken(input, input);
  FuzzKeyring(input, input);
  return 0;
}

#ifdef UCGATE_TOKEN_SEED_WRITER
// token_fuzzer_seeds DIR: writes real tokens of the encoders into DIR.
#include <fstream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const Fixture& fixture = TheFixture();
  const std::string dir = argv[1];
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir + "/" + name, std::ios::binary) << content;
  };
  const ListCursor first{"2023-11-14T22:13:20.000000Z", 0};
  const ListCursor later{"2023-11-14T22:13:20.123456Z", 3};
  const std::string page =
      ucgate::api::EncodePageToken(first, fixture.list_fingerprint);
  const std::string page_later =
      ucgate::api::EncodePageToken(later, fixture.list_fingerprint);
  write("page_token.txt", page);
  write("page_token_offset.txt", page_later);
  // Search's opaque cursor as `from`, with '|' in it.
  write("page_token_search.txt",
        ucgate::api::EncodePageToken({"c|2|eyJhIjoxfQ", 0},
                                     fixture.list_fingerprint));
  write("resume_token.txt", ucgate::api::EncodeResumeToken(
                                {page_later, 57}, fixture.stream_fingerprint));
  write("resume_token_first_page.txt",
        ucgate::api::EncodeResumeToken({"", 12}, fixture.stream_fingerprint));
  write("sealed_page_token.txt",
        fixture.keyring.Sign(page, fixture.list_binding,
                             kNow - absl::Minutes(1)));
  write("sealed_by_old_key.txt",
        fixture.reversed_keyring.Sign(page_later, fixture.list_binding,
                                      kNow - absl::Hours(2)));
  write("keyring.txt", kKeyringText);
  return 0;
}
#endif
