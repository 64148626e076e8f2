#include "service/gateway/listing_pump.h"

#include "absl/strings/strip.h"
#include "service/common/status.h"
#include "service/upstream/page_token.h"

namespace ucgate::gateway {

// A resume token is a page token (page_token.h) whose cursor holds the
// upstream page token of the page as `from` and the items to skip as
// `offset`: the same opaque, versioned, fingerprint-bound format.
std::string EncodeResumeToken(const ResumePoint& point, uint64_t fingerprint) {
  return upstream::EncodePageToken({point.page_token, point.skip}, fingerprint);
}

absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token,
                                              uint64_t fingerprint) {
  if (token.empty()) return ResumePoint{};
  absl::StatusOr<upstream::ListCursor> cursor =
      upstream::DecodePageToken(token, fingerprint);
  if (!cursor.ok()) {
    // DecodePageToken names page_token; this field is resume_token.
    return InvalidFieldError(
        "resume_token",
        absl::StripPrefix(cursor.status().message(), "page_token: "));
  }
  return ResumePoint{std::move(cursor->from), cursor->offset};
}

absl::Status GatewayOverloadedError() {
  return WithErrorInfo(
      absl::ResourceExhaustedError(
          "gateway overloaded: too many calls in flight, retry with backoff"),
      "GATEWAY_OVERLOADED");
}

}  // namespace ucgate::gateway
