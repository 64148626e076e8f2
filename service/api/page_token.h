// Opaque tokens of the paged and streamed listings. A page token (ListFiles,
// SearchFiles, ListGroups) wraps the upstream cursor (`from` and `offset` of
// the upstream's `next` URL, never the URL itself; or search's opaque
// `next_cursor` as `from`); a resume token (StreamFiles, StreamGroups) wraps a
// page token and how many items of that page were delivered. Both carry a
// fingerprint of the listing's filters and project, so a token used with other
// filters is refused instead of silently listing something else, and both are
// stable across gateway replicas (no process-local state).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace ucgate::api {

struct ListCursor {
  // The upstream's position: `from` of a listing, or a search's cursor.
  std::string from;
  int64_t offset = 0;
};

// Fingerprint of everything in a paged request that must not change from page
// to page (all fields but `page_size`, `page_token` and `resume_token`,
// whichever the message has), plus the project name.
uint64_t PagedRequestFingerprint(absl::string_view project,
                                 const google::protobuf::Message& request);
// What the fingerprint hashes, in full: the project, the request type and its
// deterministic serialization without the paging fields. The gateway's keyed
// token seal (access::TokenSealer) binds tokens to it.
std::string PagedRequestBinding(absl::string_view project,
                                const google::protobuf::Message& request);

std::string EncodePageToken(const ListCursor& cursor, uint64_t fingerprint);

// INVALID_ARGUMENT naming `field` when `token` is malformed or was issued for
// other filters.
absl::StatusOr<ListCursor> DecodePageToken(
    absl::string_view token, uint64_t fingerprint,
    absl::string_view field = "page_token");

// Where a listing stream starts: the upstream page token of a page (empty:
// the first page) and how many items of that page to skip.
struct ResumePoint {
  std::string page_token;
  int64_t skip = 0;
};

// Opaque, bound to `fingerprint` (the stream's filters and project): a page
// token whose cursor holds the page's token as `from` and the items to skip as
// `offset`.
std::string EncodeResumeToken(const ResumePoint& point, uint64_t fingerprint);
// The start of a stream: the beginning for an empty token. INVALID_ARGUMENT
// naming resume_token when it is malformed or belongs to other filters.
absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token,
                                              uint64_t fingerprint);

}  // namespace ucgate::api
