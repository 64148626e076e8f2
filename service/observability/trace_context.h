// W3C Trace Context (https://www.w3.org/TR/trace-context/) for the gateway's
// calls: a caller's `traceparent` is kept when it is valid and one is made
// when it is absent or invalid. The trace id is the call's request id: it is
// logged with the call and returned to the caller (x-request-id trailer), so
// a caller's error can be found in the gateway's logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ucgate::observability {

inline constexpr char kTraceparentHeader[] = "traceparent";
inline constexpr char kRequestIdTrailer[] = "x-request-id";

// What a valid `traceparent` header says (ids in lowercase hex).
struct Traceparent {
  std::string trace_id;   // 32 hex digits, not all zero
  std::string parent_id;  // 16 hex digits, not all zero
  uint8_t flags = 0;      // bit 0: sampled

  friend bool operator==(const Traceparent& a, const Traceparent& b) {
    return a.trace_id == b.trace_id && a.parent_id == b.parent_id &&
           a.flags == b.flags;
  }
};

// Parses a `traceparent` header value, as the spec's processing model reads
// it: surrounding spaces and tabs are ignored; the version is two lowercase
// hex digits other than "ff"; version 00 is exactly
// "00-<trace-id>-<parent-id>-<flags>"; a later version is read by the
// version-00 layout and may go on only after a '-'; ids are lowercase hex,
// not all zero. Nullopt when the value is not a valid traceparent.
std::optional<Traceparent> ParseTraceparent(absl::string_view header);

// The trace context of one call served by the gateway.
struct CallTrace {
  std::string trace_id;        // the caller's, or made here; the request id
  std::string span_id;         // this call's span, always made here
  std::string parent_span_id;  // the caller's span, empty when none came
  uint8_t flags = 0;           // the caller's flags, else 0 (not sampled)
  bool from_caller = false;    // the trace id came from the caller

  // "00-<trace_id>-<span_id>-<flags>": the traceparent for requests this call
  // makes on (this call's span as their parent).
  std::string ToTraceparent() const;
};

// The trace of a call whose `traceparent` header values are `headers` (all
// of them: a repeated header is invalid, as is any invalid value). Random ids
// come from `random` (an absl::BitGen, or a seeded generator in tests).
CallTrace StartCallTrace(absl::Span<const absl::string_view> headers,
                         absl::BitGenRef random);

// `bytes` random bytes as lowercase hex, never all zero (an all-zero id is
// invalid in W3C Trace Context).
std::string RandomHexId(int bytes, absl::BitGenRef random);

}  // namespace ucgate::observability
