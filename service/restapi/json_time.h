// Timestamps as the Uploadcare REST API writes them (Python isoformat with
// "Z"): "2022-09-19T12:29:59.461061Z". Hand-rolled in both directions because
// a 1,000-file page carries thousands of them and absl::ParseTime is slow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ucgate::restapi::internal {

// Appends seconds/nanos since the Unix epoch in UTC: no fraction when nanos is
// 0 (as Python writes it), microseconds when that is exact, else nanoseconds.
void AppendTimestamp(int64_t seconds, int32_t nanos, std::string* out);

// Parses "YYYY-MM-DDThh:mm:ss[.fraction][Z|+hh:mm|-hh:mm|+hhmm]" (a space
// is accepted for "T"; no zone means UTC; digits past nanoseconds are
// truncated). Years 1..9999, as google.protobuf.Timestamp allows. False on
// anything else.
bool ParseTimestamp(std::string_view text, int64_t* seconds, int32_t* nanos);

}  // namespace ucgate::restapi::internal
