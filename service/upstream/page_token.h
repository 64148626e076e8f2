// Opaque page tokens for paged RPCs (ListFiles, SearchFiles). A token wraps
// the upstream cursor (`from` and `offset` of the upstream's `next` URL, never
// the URL itself; or search's opaque `next_cursor` as `from`) and a
// fingerprint of the listing's filters, so a token used with other filters is
// refused instead of silently listing something else. Tokens are stable
// across gateway replicas (no process-local state).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/common/url.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::upstream {

struct ListCursor {
  // The upstream's position: `from` of a listing, or a search's cursor.
  std::string from;
  int64_t offset = 0;
};

// Fingerprint of everything in a paged request that must not change from page
// to page (all fields but `page_size` and `page_token`, whichever the message
// has), plus the project name.
uint64_t PagedRequestFingerprint(absl::string_view project,
                                 const google::protobuf::Message& request);

inline uint64_t ListingFingerprint(
    absl::string_view project,
    const uploadcare::gateway::v1::ListFilesRequest& request) {
  return PagedRequestFingerprint(project, request);
}

std::string EncodePageToken(const ListCursor& cursor, uint64_t fingerprint);

// Where a cursor-paged listing (files, groups) starts: the cursor of
// `page_token` when set (refused when it belongs to other filters), else
// `from` of the first page. Appended to `query` as `from` and `offset`.
absl::Status AppendListingPosition(absl::string_view page_token,
                                   uint64_t fingerprint, absl::string_view from,
                                   QueryParams& query);

// The next_page_token for a listing answer whose upstream `next` URL is
// `next_url` (empty on the last page).
absl::StatusOr<std::string> NextPageToken(absl::string_view next_url,
                                          uint64_t fingerprint);

// The cursor of an upstream listing's absolute `next` URL (its `from` and
// `offset`); INTERNAL when the upstream sent something else.
absl::StatusOr<ListCursor> CursorOfNextUrl(absl::string_view next_url);

// INVALID_ARGUMENT naming page_token when it is malformed or was issued for
// other filters.
absl::StatusOr<ListCursor> DecodePageToken(absl::string_view token,
                                           uint64_t fingerprint);

}  // namespace ucgate::upstream
