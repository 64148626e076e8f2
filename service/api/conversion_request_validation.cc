#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"

namespace ucgate::api {
namespace {

template <typename Conversions>
absl::Status ValidateCount(const Conversions& conversions) {
  if (conversions.empty()) {
    return InvalidFieldError("conversions",
                             "at least one conversion is required");
  }
  if (conversions.size() > kMaxConversions) {
    return InvalidFieldError(
        "conversions",
        absl::StrCat("at most ", kMaxConversions, " per request"));
  }
  return absl::OkStatus();
}

// "HH:MM:SS.sss", "MM:SS", or seconds, each part digits; the upstream path
// carries it verbatim, so nothing else (no '/') may pass.
bool IsTimeOffset(absl::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  int colons = 0;
  bool dot = false;
  bool digit_before = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit_before = true;
    } else if (c == ':' && !dot && colons < 2 && digit_before) {
      ++colons;
      digit_before = false;
    } else if (c == '.' && !dot && digit_before) {
      dot = true;
      digit_before = false;
    } else {
      return false;
    }
  }
  return digit_before;
}

absl::Status ValidateCut(const std::string& field, const v1::VideoCut& cut) {
  if (!IsTimeOffset(cut.start_time())) {
    return InvalidFieldError(
        absl::StrCat(field, ".cut.start_time"),
        "a time offset such as \"0:0:1.5\" or \"90\" is required");
  }
  if (cut.length() != "end" && !IsTimeOffset(cut.length())) {
    return InvalidFieldError(
        absl::StrCat(field, ".cut.length"),
        "a time offset such as \"0:0:10\", or \"end\", is required");
  }
  return absl::OkStatus();
}

absl::Status ValidateToken(int64_t token) {
  if (token <= 0)
    return InvalidFieldError("token", "is required (a positive number)");
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequest(const v1::ConvertDocumentRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateCount(request.conversions());
      !status.ok()) {
    return status;
  }
  for (int i = 0; i < request.conversions_size(); ++i) {
    const v1::DocumentConversion& conversion = request.conversions(i);
    const std::string field = absl::StrCat("conversions[", i, "]");
    if (absl::Status status =
            ValidateUuid(absl::StrCat(field, ".uuid"), conversion.uuid());
        !status.ok()) {
      return status;
    }
    if (conversion.format() == v1::DOCUMENT_FORMAT_UNSPECIFIED ||
        !v1::DocumentFormat_IsValid(conversion.format())) {
      return InvalidFieldError(absl::StrCat(field, ".format"), "is required");
    }
    if (conversion.has_page() && conversion.page() < 1) {
      return InvalidFieldError(absl::StrCat(field, ".page"),
                               "pages count from 1");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequest(
    const v1::GetDocumentConversionStatusRequest& request, ApiVersion) {
  return ValidateToken(request.token());
}

absl::Status ValidateRequest(
    const v1::GetDocumentConversionInfoRequest& request, ApiVersion) {
  return ValidateUuid("uuid", request.uuid());
}

absl::Status ValidateRequest(const v1::ConvertVideoRequest& request,
                             ApiVersion) {
  if (absl::Status status = ValidateCount(request.conversions());
      !status.ok()) {
    return status;
  }
  for (int i = 0; i < request.conversions_size(); ++i) {
    const v1::VideoConversion& conversion = request.conversions(i);
    const std::string field = absl::StrCat("conversions[", i, "]");
    if (absl::Status status =
            ValidateUuid(absl::StrCat(field, ".uuid"), conversion.uuid());
        !status.ok()) {
      return status;
    }
    if (!v1::VideoFormat_IsValid(conversion.format()) ||
        !v1::VideoQuality_IsValid(conversion.quality())) {
      return InvalidFieldError(field, "unknown format or quality");
    }
    if (conversion.has_size()) {
      const v1::VideoSize& size = conversion.size();
      if (size.width() < 0 || size.height() < 0 || size.width() % 4 != 0 ||
          size.height() % 4 != 0 || (size.width() == 0 && size.height() == 0)) {
        return InvalidFieldError(absl::StrCat(field, ".size"),
                                 "width and height are divisible by 4, and at "
                                 "most one of them is 0");
      }
    }
    if (conversion.has_size() &&
        !v1::VideoResizeMode_IsValid(conversion.size().resize_mode())) {
      return InvalidFieldError(absl::StrCat(field, ".size.resize_mode"),
                               "unknown resize mode");
    }
    if (conversion.has_cut()) {
      if (absl::Status status = ValidateCut(field, conversion.cut());
          !status.ok()) {
        return status;
      }
    }
    if (conversion.thumbnails() < 0 ||
        conversion.thumbnails() > kMaxThumbnails) {
      return InvalidFieldError(absl::StrCat(field, ".thumbnails"),
                               absl::StrCat("between 0 and ", kMaxThumbnails));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequest(const v1::GetVideoConversionStatusRequest& request,
                             ApiVersion) {
  return ValidateToken(request.token());
}

absl::Status ValidateRequest(const v1::WatchConversionJobRequest& request,
                             ApiVersion) {
  if (request.kind() != v1::CONVERSION_KIND_DOCUMENT &&
      request.kind() != v1::CONVERSION_KIND_VIDEO) {
    return InvalidFieldError(
        "kind", "must be CONVERSION_KIND_DOCUMENT or CONVERSION_KIND_VIDEO");
  }
  return ValidateToken(request.token());
}

}  // namespace ucgate::api
