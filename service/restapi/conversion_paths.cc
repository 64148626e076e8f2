#include "service/restapi/conversion_paths.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"

namespace ucgate::restapi {
namespace {

template <typename Enum>
using NameTable = absl::Span<const std::pair<Enum, absl::string_view>>;

constexpr std::pair<v1::DocumentFormat, absl::string_view> kDocumentFormats[] =
    {{v1::DOCUMENT_FORMAT_DOC, "doc"}, {v1::DOCUMENT_FORMAT_DOCX, "docx"},
     {v1::DOCUMENT_FORMAT_XLS, "xls"}, {v1::DOCUMENT_FORMAT_XLSX, "xlsx"},
     {v1::DOCUMENT_FORMAT_ODT, "odt"}, {v1::DOCUMENT_FORMAT_ODS, "ods"},
     {v1::DOCUMENT_FORMAT_RTF, "rtf"}, {v1::DOCUMENT_FORMAT_TXT, "txt"},
     {v1::DOCUMENT_FORMAT_PDF, "pdf"}, {v1::DOCUMENT_FORMAT_JPG, "jpg"},
     {v1::DOCUMENT_FORMAT_PNG, "png"}};
constexpr std::pair<v1::VideoFormat, absl::string_view> kVideoFormats[] = {
    {v1::VIDEO_FORMAT_MP4, "mp4"},
    {v1::VIDEO_FORMAT_WEBM, "webm"},
    {v1::VIDEO_FORMAT_OGG, "ogg"}};
constexpr std::pair<v1::VideoQuality, absl::string_view> kVideoQualities[] = {
    {v1::VIDEO_QUALITY_NORMAL, "normal"},
    {v1::VIDEO_QUALITY_BETTER, "better"},
    {v1::VIDEO_QUALITY_BEST, "best"},
    {v1::VIDEO_QUALITY_LIGHTER, "lighter"},
    {v1::VIDEO_QUALITY_LIGHTEST, "lightest"}};
constexpr std::pair<v1::VideoResizeMode, absl::string_view> kResizeModes[] = {
    {v1::VIDEO_RESIZE_MODE_PRESERVE_RATIO, "preserve_ratio"},
    {v1::VIDEO_RESIZE_MODE_CHANGE_RATIO, "change_ratio"},
    {v1::VIDEO_RESIZE_MODE_SCALE_CROP, "scale_crop"},
    {v1::VIDEO_RESIZE_MODE_ADD_PADDING, "add_padding"}};

template <typename Enum>
absl::string_view NameOf(NameTable<Enum> table, Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "";
}

template <typename Enum>
bool ValueOf(NameTable<Enum> table, absl::string_view name, Enum* value) {
  for (const auto& [entry, entry_name] : table) {
    if (entry_name == name) {
      *value = entry;
      return true;
    }
  }
  return false;
}

// A path cut into its source UUID, its kind ("document"/"video") and its
// operations: each "-/name/arg/arg/" becomes {name, arg, arg}.
struct SplitPath {
  absl::string_view uuid;
  absl::string_view kind;
  std::vector<std::vector<absl::string_view>> operations;
};

absl::Status PathError(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("CDN Path error: ", what, " in \"", path, "\""));
}

absl::Status Split(absl::string_view path, SplitPath* split) {
  std::vector<absl::string_view> segments = absl::StrSplit(path, '/');
  // The path ends with '/', which leaves one empty segment last.
  if (segments.size() < 2 || !segments.back().empty()) {
    return PathError(path, "a path must end with '/'");
  }
  segments.pop_back();
  if (segments.size() < 2) return PathError(path, "no source and kind");
  split->uuid = segments[0];
  split->kind = segments[1];
  for (size_t i = 2; i < segments.size(); ++i) {
    if (segments[i] == "-") {
      if (i + 1 == segments.size() || segments[i + 1] == "-") {
        return PathError(path, "an empty operation");
      }
      split->operations.emplace_back();
    } else if (split->operations.empty() || segments[i].empty()) {
      return PathError(path, absl::StrCat("unexpected \"", segments[i], "\""));
    } else {
      split->operations.back().push_back(segments[i]);
    }
  }
  return absl::OkStatus();
}

// "600x400", "600x", "x400" -> dimensions (0 when empty).
bool ParseSize(absl::string_view text, int32_t* width, int32_t* height) {
  const size_t x = text.find('x');
  if (x == absl::string_view::npos) return false;
  absl::string_view width_text = text.substr(0, x);
  absl::string_view height_text = text.substr(x + 1);
  if (width_text.empty() && height_text.empty()) return false;
  *width = 0;
  *height = 0;
  if (!width_text.empty() && !absl::SimpleAtoi(width_text, width)) return false;
  if (!height_text.empty() && !absl::SimpleAtoi(height_text, height)) {
    return false;
  }
  return *width >= 0 && *height >= 0;
}

}  // namespace

absl::string_view DocumentFormatName(v1::DocumentFormat format) {
  return NameOf<v1::DocumentFormat>(kDocumentFormats, format);
}
absl::string_view VideoFormatName(v1::VideoFormat format) {
  return NameOf<v1::VideoFormat>(kVideoFormats, format);
}
absl::string_view VideoQualityName(v1::VideoQuality quality) {
  return NameOf<v1::VideoQuality>(kVideoQualities, quality);
}
absl::string_view VideoResizeModeName(v1::VideoResizeMode mode) {
  return NameOf<v1::VideoResizeMode>(kResizeModes, mode);
}

bool DocumentFormatFromName(absl::string_view name,
                            v1::DocumentFormat* format) {
  return ValueOf<v1::DocumentFormat>(kDocumentFormats, name, format);
}
bool VideoFormatFromName(absl::string_view name, v1::VideoFormat* format) {
  return ValueOf<v1::VideoFormat>(kVideoFormats, name, format);
}
bool VideoQualityFromName(absl::string_view name, v1::VideoQuality* quality) {
  return ValueOf<v1::VideoQuality>(kVideoQualities, name, quality);
}
bool VideoResizeModeFromName(absl::string_view name,
                             v1::VideoResizeMode* mode) {
  return ValueOf<v1::VideoResizeMode>(kResizeModes, name, mode);
}

std::string DocumentConversionPath(const v1::DocumentConversion& conversion) {
  std::string path = absl::StrCat(conversion.uuid(), "/document/-/format/",
                                  DocumentFormatName(conversion.format()), "/");
  if (conversion.has_page()) {
    absl::StrAppend(&path, "-/page/", conversion.page(), "/");
  }
  return path;
}

std::string VideoConversionPath(const v1::VideoConversion& conversion) {
  std::string path = absl::StrCat(conversion.uuid(), "/video/");
  if (conversion.has_size()) {
    const v1::VideoSize& size = conversion.size();
    absl::StrAppend(&path, "-/size/",
                    size.width() > 0 ? absl::StrCat(size.width()) : "", "x",
                    size.height() > 0 ? absl::StrCat(size.height()) : "", "/");
    absl::string_view mode = VideoResizeModeName(size.resize_mode());
    if (!mode.empty()) absl::StrAppend(&path, mode, "/");
  }
  absl::string_view quality = VideoQualityName(conversion.quality());
  if (!quality.empty()) absl::StrAppend(&path, "-/quality/", quality, "/");
  absl::string_view format = VideoFormatName(conversion.format());
  if (!format.empty()) absl::StrAppend(&path, "-/format/", format, "/");
  if (conversion.has_cut()) {
    absl::StrAppend(&path, "-/cut/", conversion.cut().start_time(), "/",
                    conversion.cut().length(), "/");
  }
  if (conversion.thumbnails() > 0) {
    absl::StrAppend(&path, "-/thumbs~", conversion.thumbnails(), "/");
  }
  return path;
}

absl::Status ParseDocumentConversionPath(absl::string_view path,
                                         v1::DocumentConversion* conversion) {
  conversion->Clear();
  SplitPath split;
  if (absl::Status status = Split(path, &split); !status.ok()) return status;
  if (split.kind != "document") return PathError(path, "not a document path");
  conversion->set_uuid(std::string(split.uuid));
  for (const auto& operation : split.operations) {
    const absl::string_view name = operation[0];
    if (name == "format" && operation.size() == 2) {
      v1::DocumentFormat format;
      if (!DocumentFormatFromName(operation[1], &format)) {
        return PathError(path,
                         absl::StrCat("unknown format \"", operation[1], "\""));
      }
      conversion->set_format(format);
    } else if (name == "page" && operation.size() == 2) {
      int32_t page = 0;
      if (!absl::SimpleAtoi(operation[1], &page) || page < 1) {
        return PathError(path, "page must be a number from 1");
      }
      conversion->set_page(page);
    } else {
      return PathError(path, absl::StrCat("unknown operation \"", name, "\""));
    }
  }
  if (conversion->format() == v1::DOCUMENT_FORMAT_UNSPECIFIED) {
    conversion->Clear();
    return PathError(path, "no format");
  }
  return absl::OkStatus();
}

absl::Status ParseVideoConversionPath(absl::string_view path,
                                      v1::VideoConversion* conversion) {
  conversion->Clear();
  SplitPath split;
  absl::Status status = Split(path, &split);
  if (status.ok() && split.kind != "video") {
    status = PathError(path, "not a video path");
  }
  if (status.ok()) conversion->set_uuid(std::string(split.uuid));
  for (const auto& operation : split.operations) {
    if (!status.ok()) break;
    const absl::string_view name = operation[0];
    if (name == "size" && (operation.size() == 2 || operation.size() == 3)) {
      v1::VideoSize* size = conversion->mutable_size();
      int32_t width = 0, height = 0;
      if (!ParseSize(operation[1], &width, &height)) {
        status = PathError(
            path, absl::StrCat("Mandatory argument "
                               "\"OneOrTwoDimensionsDivisibleByFour(size)\" "
                               "not found while parsing \"size/",
                               operation[1], "\""));
        break;
      }
      size->set_width(width);
      size->set_height(height);
      v1::VideoResizeMode mode;
      if (operation.size() == 3) {
        if (!VideoResizeModeFromName(operation[2], &mode)) {
          status = PathError(
              path, absl::StrCat("unknown resize mode \"", operation[2], "\""));
          break;
        }
        size->set_resize_mode(mode);
      }
    } else if (name == "quality" && operation.size() == 2) {
      v1::VideoQuality quality;
      if (!VideoQualityFromName(operation[1], &quality)) {
        status = PathError(
            path, absl::StrCat("unknown quality \"", operation[1], "\""));
        break;
      }
      conversion->set_quality(quality);
    } else if (name == "format" && operation.size() == 2) {
      v1::VideoFormat format;
      if (!VideoFormatFromName(operation[1], &format)) {
        status = PathError(
            path, absl::StrCat("unknown format \"", operation[1], "\""));
        break;
      }
      conversion->set_format(format);
    } else if (name == "cut" && operation.size() == 3) {
      conversion->mutable_cut()->set_start_time(std::string(operation[1]));
      conversion->mutable_cut()->set_length(std::string(operation[2]));
    } else if (absl::StartsWith(name, "thumbs~") && operation.size() <= 2) {
      int32_t thumbnails = 0;
      int32_t index = 0;
      if (!absl::SimpleAtoi(name.substr(7), &thumbnails) || thumbnails < 1 ||
          (operation.size() == 2 && !absl::SimpleAtoi(operation[1], &index))) {
        status = PathError(path, absl::StrCat("bad \"", name, "\""));
        break;
      }
      conversion->set_thumbnails(thumbnails);
    } else {
      status =
          PathError(path, absl::StrCat("unknown operation \"", name, "\""));
    }
  }
  if (!status.ok()) conversion->Clear();
  return status;
}

}  // namespace ucgate::restapi
