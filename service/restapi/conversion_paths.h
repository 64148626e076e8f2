// Typed conversions <-> the upstream's conversion paths. The gateway builds
// "<uuid>/document/-/format/pdf/-/page/2/" and
// "<uuid>/video/-/size/640x480/change_ratio/-/quality/best/-/format/ogg/
// -/cut/0:0:1.0/end/-/thumbs~2/" from the typed messages (only the parts that
// are set, in the order of the recorded live calls); the emulator parses them
// back.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"

namespace ucgate::restapi {

namespace v1 = ::uploadcare::gateway::v1;

// Upstream names of the enums ("pdf", "webm", "best", "change_ratio"); empty
// for UNSPECIFIED and unknown values.
absl::string_view DocumentFormatName(v1::DocumentFormat format);
absl::string_view VideoFormatName(v1::VideoFormat format);
absl::string_view VideoQualityName(v1::VideoQuality quality);
absl::string_view VideoResizeModeName(v1::VideoResizeMode mode);

// The reverse; false when `name` is none of them.
bool DocumentFormatFromName(absl::string_view name, v1::DocumentFormat* format);
bool VideoFormatFromName(absl::string_view name, v1::VideoFormat* format);
bool VideoQualityFromName(absl::string_view name, v1::VideoQuality* quality);
bool VideoResizeModeFromName(absl::string_view name, v1::VideoResizeMode* mode);

// "<uuid>/document/-/format/<fmt>/" plus "-/page/<n>/" when a page is set.
std::string DocumentConversionPath(const v1::DocumentConversion& conversion);

// "<uuid>/video/" then, each only when set: "-/size/<w>x<h>/" (0 written as
// empty) with "<mode>/", "-/quality/<q>/", "-/format/<fmt>/",
// "-/cut/<start>/<length>/", "-/thumbs~<n>/".
std::string VideoConversionPath(const v1::VideoConversion& conversion);

// Parse a path back. INVALID_ARGUMENT (naming the offending operation) on a
// path that the builders above could not have produced; the recorded
// "-/thumbs~N/<i>/" form (a trailing thumbnail index) is accepted too.
absl::Status ParseDocumentConversionPath(absl::string_view path,
                                         v1::DocumentConversion* conversion);
absl::Status ParseVideoConversionPath(absl::string_view path,
                                      v1::VideoConversion* conversion);

}  // namespace ucgate::restapi
