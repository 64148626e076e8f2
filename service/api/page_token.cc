#include "service/api/page_token.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "service/common/status.h"

namespace ucgate::api {
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

}  // namespace

uint64_t PagedRequestFingerprint(absl::string_view project,
                                 const google::protobuf::Message& request) {
  return Fnv1a(PagedRequestBinding(project, request));
}

std::string PagedRequestBinding(absl::string_view project,
                                const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> filters(request.New());
  filters->CopyFrom(request);
  const google::protobuf::Reflection* reflection = filters->GetReflection();
  for (const char* paging_field : {"page_size", "page_token", "resume_token"}) {
    if (const google::protobuf::FieldDescriptor* field =
            filters->GetDescriptor()->FindFieldByName(paging_field)) {
      reflection->ClearField(filters.get(), field);
    }
  }
  std::string canonical;
  // Deterministic serialization: same filters, same bytes, in any replica
  // (map fields such as search's metadata included).
  {
    google::protobuf::io::StringOutputStream stream(&canonical);
    google::protobuf::io::CodedOutputStream output(&stream);
    output.SetSerializationDeterministic(true);
    filters->SerializeToCodedStream(&output);
  }
  // The message type is part of it: a listing's token never pages a search.
  return absl::StrCat(project, "\n", filters->GetTypeName(), "\n", canonical);
}

std::string EncodePageToken(const ListCursor& cursor, uint64_t fingerprint) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenVersion, "|", absl::Hex(fingerprint), "|",
                   cursor.offset, "|", cursor.from));
}

absl::StatusOr<ListCursor> DecodePageToken(absl::string_view token,
                                           uint64_t fingerprint,
                                           absl::string_view field) {
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded)) {
    return InvalidFieldError(field, "not a page token issued by this gateway");
  }
  std::vector<std::string> parts =
      absl::StrSplit(decoded, absl::MaxSplits('|', 3));
  uint64_t token_fingerprint = 0;
  ListCursor cursor;
  if (parts.size() != 4 || parts[0] != kTokenVersion ||
      !absl::SimpleHexAtoi(parts[1], &token_fingerprint) ||
      !absl::SimpleAtoi(parts[2], &cursor.offset) || cursor.offset < 0) {
    return InvalidFieldError(field, "not a page token issued by this gateway");
  }
  if (token_fingerprint != fingerprint) {
    return InvalidFieldError(
        field,
        "the token belongs to a listing with other filters or another "
        "project; keep every field but page_size unchanged between pages");
  }
  cursor.from = std::move(parts[3]);
  return cursor;
}

std::string EncodeResumeToken(const ResumePoint& point, uint64_t fingerprint) {
  return EncodePageToken({point.page_token, point.skip}, fingerprint);
}

absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token,
                                              uint64_t fingerprint) {
  if (token.empty()) return ResumePoint{};
  absl::StatusOr<ListCursor> cursor =
      DecodePageToken(token, fingerprint, "resume_token");
  if (!cursor.ok()) return cursor.status();
  return ResumePoint{std::move(cursor->from), cursor->offset};
}

}  // namespace ucgate::api
