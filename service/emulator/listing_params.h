// Query parameters and page links shared by the emulator's listings (files,
// groups), parsed and written as the service (Django REST framework) does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "service/emulator/api_types.h"
#include "service/emulator/cursor_pagination.h"

namespace ucgate::emulator {

inline constexpr int64_t kDefaultPageLimit = 100;
inline constexpr int64_t kMaxPageLimit = 1000;

inline constexpr absl::string_view kInvalidBoolean = "Must be a valid boolean.";
inline constexpr absl::string_view kInvalidInteger =
    "A valid integer is required.";
inline constexpr absl::string_view kInvalidDatetime =
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

// DRF's BooleanField.
std::optional<bool> ParseBoolean(absl::string_view text);
std::optional<int64_t> ParseInteger(absl::string_view text);
// ISO-8601 to microseconds since the epoch. A '+' of the zone arrives as a
// space when a client forgets to escape it in the query.
std::optional<int64_t> ParseDatetimeMicros(std::string text);
// Python's isoformat(), as the service writes cursors:
// "2022-09-28T15:53:36.082137+00:00" (no fraction when it is zero).
std::string FormatCursorDatetime(int64_t micros);

// `limit` (1..1000, default 100); a bad value is recorded in `errors`.
int ParsePageLimit(const ApiRequest& request, FieldErrors* errors);
// `offset` (>= 0, default 0); a bad value is recorded in `errors`.
int64_t ParsePageOffset(const ApiRequest& request, FieldErrors* errors);

// `from` and the cursor's `to`: values of the ordering's field, integers
// (`integer_keys`) or datetimes (microseconds since the epoch). `from` wins
// when a client sends both; bad values are recorded in `errors`.
struct PagePositions {
  std::optional<int64_t> from;
  std::optional<int64_t> to;
};
PagePositions ParsePagePositions(const ApiRequest& request, bool integer_keys,
                                 FieldErrors* errors);

// The absolute URL of another page of `resource_path` ("/files/"): the
// request's own parameters in their order (cursor ones dropped), then the
// new cursor, as the live service writes them ("...&from=...&offset=0",
// "...&offset=0&to=..."). `key_text` is the cursor key as the query shows it.
std::string PageUrl(const ApiRequest& request, absl::string_view resource_path,
                    const ListCursor& cursor, bool forward,
                    absl::string_view key_text);

}  // namespace ucgate::emulator
