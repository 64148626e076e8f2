// One page of a cursor-paged upstream listing (files, groups): GET it, map it
// with `parse`, and wrap the upstream's `next` URL into the opaque
// next_page_token. Shared by every REST stub that lists.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "service/api/page_token.h"
#include "service/common/url.h"
#include "service/restapi/file_json.h"
#include "service/upstream/rest/rest_client.h"

namespace ucgate::upstream {

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
absl::StatusOr<api::ListCursor> CursorOfNextUrl(absl::string_view next_url);

// `parse(body, &page, &next_url, on_next_url)` is one of restapi's page
// parsers. context.on_next_page_token, when set, hears the next page's token
// as soon as the parser has read `next`, before the page is mapped.
template <typename Page, typename Parse>
absl::StatusOr<Page> GetListingPage(const RestClient& rest,
                                    const CallContext& context,
                                    std::string path, const QueryParams& query,
                                    uint64_t fingerprint, Parse parse) {
  Page page;
  std::string next_url;
  // Made from `next` once: when announced early, the token is kept for the
  // page.
  std::optional<absl::StatusOr<std::string>> announced_token;
  restapi::NextUrlListener on_next_url;
  if (context.on_next_page_token) {
    on_next_url = [&](const std::string& url) {
      announced_token = NextPageToken(url, fingerprint);
      // A bad URL fails the page below; nothing is announced for it.
      if (announced_token->ok() && !(*announced_token)->empty()) {
        context.on_next_page_token(**announced_token);
      }
    };
  }
  if (absl::Status status = rest.CallAndParse(
          context, http::HttpMethod::kGet, WithQuery(std::move(path), query),
          "",
          [&](const std::string& body, Page* out) {
            return parse(body, out, &next_url, on_next_url);
          },
          &page);
      !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> next_page_token =
      announced_token ? *std::move(announced_token)
                      : NextPageToken(next_url, fingerprint);
  if (!next_page_token.ok()) return next_page_token.status();
  page.set_next_page_token(*std::move(next_page_token));
  return page;
}

// The upstream `limit`: the page size asked for, or the upstream default.
inline void AppendLimit(int32_t page_size, int32_t default_size,
                        QueryParams& query) {
  query.emplace_back("limit",
                     absl::StrCat(page_size > 0 ? page_size : default_size));
}

}  // namespace ucgate::upstream
