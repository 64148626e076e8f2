#include "service/upstream/rest/listing_page.h"

#include "absl/strings/numbers.h"

namespace ucgate::upstream {

absl::StatusOr<api::ListCursor> CursorOfNextUrl(absl::string_view next_url) {
  absl::StatusOr<QueryParams> params = ParseQueryOfUrl(next_url);
  if (!params.ok()) {
    return absl::InternalError(absl::StrCat(
        "upstream: malformed next-page URL: ", params.status().message()));
  }
  api::ListCursor cursor;
  bool has_from = false;
  for (const auto& [key, value] : *params) {
    if (key == "from") {
      cursor.from = value;
      has_from = true;
    } else if (key == "offset" && !absl::SimpleAtoi(value, &cursor.offset)) {
      return absl::InternalError("upstream: next-page URL has a bad offset");
    }
  }
  if (!has_from) {
    return absl::InternalError("upstream: next-page URL has no 'from' cursor");
  }
  return cursor;
}

absl::Status AppendListingPosition(absl::string_view page_token,
                                   uint64_t fingerprint, absl::string_view from,
                                   QueryParams& query) {
  if (page_token.empty()) {
    if (!from.empty()) query.emplace_back("from", std::string(from));
    return absl::OkStatus();
  }
  absl::StatusOr<api::ListCursor> cursor =
      api::DecodePageToken(page_token, fingerprint);
  if (!cursor.ok()) return cursor.status();
  query.emplace_back("from", cursor->from);
  query.emplace_back("offset", absl::StrCat(cursor->offset));
  return absl::OkStatus();
}

absl::StatusOr<std::string> NextPageToken(absl::string_view next_url,
                                          uint64_t fingerprint) {
  if (next_url.empty()) return std::string();
  absl::StatusOr<api::ListCursor> cursor = CursorOfNextUrl(next_url);
  if (!cursor.ok()) return cursor.status();
  return api::EncodePageToken(*cursor, fingerprint);
}

}  // namespace ucgate::upstream
