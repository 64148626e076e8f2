#include "service/observability/trace_context.h"

#include "absl/random/distributions.h"
#include "absl/strings/str_cat.h"

namespace ucgate::observability {
namespace {

// The version-00 layout: "vv-" then 32, 16 and 2 hex digits, '-' between.
constexpr size_t kVersion00Length = 55;
constexpr size_t kTraceIdOffset = 3;
constexpr size_t kParentIdOffset = 36;
constexpr size_t kFlagsOffset = 53;

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsAllZero(absl::string_view text) {
  return text.find_first_not_of('0') == absl::string_view::npos;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

absl::string_view TrimSpacesAndTabs(absl::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::optional<Traceparent> ParseTraceparent(absl::string_view header) {
  header = TrimSpacesAndTabs(header);
  if (header.size() < kVersion00Length) return std::nullopt;
  const absl::string_view version = header.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  // Version 00 is exactly 55 characters; a later one may carry more after a
  // dash (fields this reader does not know).
  if (version == "00" ? header.size() != kVersion00Length
                      : header.size() > kVersion00Length &&
                            header[kVersion00Length] != '-') {
    return std::nullopt;
  }
  if (header[2] != '-' || header[kParentIdOffset - 1] != '-' ||
      header[kFlagsOffset - 1] != '-') {
    return std::nullopt;
  }
  const absl::string_view trace_id = header.substr(kTraceIdOffset, 32);
  const absl::string_view parent_id = header.substr(kParentIdOffset, 16);
  const absl::string_view flags = header.substr(kFlagsOffset, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(parent_id) || !IsLowerHex(flags) ||
      IsAllZero(trace_id) || IsAllZero(parent_id)) {
    return std::nullopt;
  }
  Traceparent parsed;
  parsed.trace_id = std::string(trace_id);
  parsed.parent_id = std::string(parent_id);
  parsed.flags =
      static_cast<uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]));
  return parsed;
}

std::string RandomHexId(int bytes, absl::BitGenRef random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(2 * bytes);
  uint64_t bits = 0;
  for (int i = 0; i < bytes; ++i) {
    if (i % 8 == 0) bits = absl::Uniform<uint64_t>(random);
    const uint8_t byte = static_cast<uint8_t>(bits >> (8 * (i % 8)));
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 0xf]);
  }
  // 2^-64 at worst, but an all-zero id would make the traceparent invalid.
  if (IsAllZero(id)) id.back() = '1';
  return id;
}

std::string CallTrace::ToTraceparent() const {
  static constexpr char kHex[] = "0123456789abcdef";
  const char flag_digits[] = {kHex[flags >> 4], kHex[flags & 0xf], '\0'};
  return absl::StrCat("00-", trace_id, "-", span_id, "-", flag_digits);
}

CallTrace StartCallTrace(absl::Span<const absl::string_view> headers,
                         absl::BitGenRef random) {
  CallTrace trace;
  // A repeated traceparent is ambiguous: the spec has the receiver restart
  // the trace.
  std::optional<Traceparent> caller;
  if (headers.size() == 1) caller = ParseTraceparent(headers[0]);
  if (caller.has_value()) {
    trace.trace_id = std::move(caller->trace_id);
    trace.parent_span_id = std::move(caller->parent_id);
    trace.flags = caller->flags;
    trace.from_caller = true;
  } else {
    trace.trace_id = RandomHexId(16, random);
  }
  trace.span_id = RandomHexId(8, random);
  return trace;
}

}  // namespace ucgate::observability
