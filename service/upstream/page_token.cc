#include "service/upstream/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "service/common/status.h"

namespace ucgate::upstream {
namespace {

constexpr char kTokenVersion[] = "1";

// FNV-1a: stable across processes and builds, unlike std::hash/absl::Hash.
uint64_t Fnv1a(absl::string_view data) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

absl::Status BadToken(absl::string_view why) {
  return InvalidFieldError("page_token", why);
}

}  // namespace

uint64_t ListingFingerprint(
    absl::string_view project,
    const uploadcare::gateway::v1::ListFilesRequest& request) {
  uploadcare::gateway::v1::ListFilesRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  std::string canonical;
  // Deterministic serialization: same filters, same bytes, in any replica.
  {
    google::protobuf::io::StringOutputStream stream(&canonical);
    google::protobuf::io::CodedOutputStream output(&stream);
    output.SetSerializationDeterministic(true);
    filters.SerializeToCodedStream(&output);
  }
  return Fnv1a(absl::StrCat(project, "\n", canonical));
}

std::string EncodePageToken(const ListCursor& cursor, uint64_t fingerprint) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenVersion, "|", absl::Hex(fingerprint), "|",
                   cursor.offset, "|", cursor.from));
}

absl::StatusOr<ListCursor> DecodePageToken(absl::string_view token,
                                           uint64_t fingerprint) {
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded)) {
    return BadToken("not a page token issued by this gateway");
  }
  std::vector<std::string> parts =
      absl::StrSplit(decoded, absl::MaxSplits('|', 3));
  uint64_t token_fingerprint = 0;
  ListCursor cursor;
  if (parts.size() != 4 || parts[0] != kTokenVersion ||
      !absl::SimpleHexAtoi(parts[1], &token_fingerprint) ||
      !absl::SimpleAtoi(parts[2], &cursor.offset) || cursor.offset < 0) {
    return BadToken("not a page token issued by this gateway");
  }
  if (token_fingerprint != fingerprint) {
    return BadToken(
        "the token belongs to a listing with other filters or another "
        "project; keep every field but page_size unchanged between pages");
  }
  cursor.from = std::move(parts[3]);
  return cursor;
}

}  // namespace ucgate::upstream
