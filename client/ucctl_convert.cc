// ucctl convert (ConversionService) and ucctl addons (AddonService).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/ucctl_command.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr size_t kAnyCount = std::numeric_limits<size_t>::max();

int ConvertDocument(Command& command, const std::vector<std::string>& args) {
  std::string format_text;
  int64_t page = 0;
  bool store = false, save_in_group = false;
  CommandLine& flags = command.command_line();
  flags.AddString(
      "to", "FORMAT",
      absl::StrCat("Target format (required): ",
                   EnumChoices<v1::DocumentFormat>("DOCUMENT_FORMAT_"), "."),
      &format_text);
  flags.AddInt("page", "N",
               "Convert only page N (from 1) of a multi-page document, for "
               "jpg and png (default: every page).",
               &page);
  flags.AddFlag("store",
                "Store the results permanently (without it: the project's "
                "auto-store setting).",
                &store);
  flags.AddFlag("save-in-group",
                "Put the pages of a multi-page jpg/png result into a group "
                "instead of a zip.",
                &save_in_group);
  flags.AddEpilog(
      "Each UUID is converted with the same options; the answer lists one job "
      "per source (token for ucctl convert status document) and the per-path "
      "problems.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, kAnyCount, "UUID")) return *done;
  if (format_text.empty()) return command.UsageError("--to FORMAT is required");
  absl::StatusOr<v1::DocumentFormat> format =
      ParseEnum<v1::DocumentFormat>("DOCUMENT_FORMAT_", "--to", format_text);
  if (!format.ok()) return command.UsageError(format.status());
  if (page < 0 || page > std::numeric_limits<int32_t>::max()) {
    return command.UsageError(
        absl::StrCat("--page expects a positive number, got ", page));
  }
  v1::ConvertDocumentRequest request;
  for (const std::string& uuid : command.positional()) {
    v1::DocumentConversion* conversion = request.add_conversions();
    conversion->set_uuid(uuid);
    conversion->set_format(*format);
    if (page > 0) conversion->set_page(static_cast<int32_t>(page));
  }
  // Unset unless given: the service then applies the project's auto-store
  // setting and its own save_in_group default.
  if (store) request.set_store(true);
  if (save_in_group) request.set_save_in_group(true);
  return command.Run<ConversionClient>([&](ConversionClient& client) {
    return client.ConvertDocument(request);
  });
}

// "640x480" (one side may be 0: keep the ratio).
absl::Status ParseSize(absl::string_view text, v1::VideoSize& size) {
  std::vector<absl::string_view> sides = absl::StrSplit(text, 'x');
  int32_t width = 0, height = 0;
  if (sides.size() != 2 || !absl::SimpleAtoi(sides[0], &width) ||
      !absl::SimpleAtoi(sides[1], &height) || width < 0 || height < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--size expects WIDTHxHEIGHT, got '", text, "'"));
  }
  size.set_width(width);
  size.set_height(height);
  return absl::OkStatus();
}

int ConvertVideo(Command& command, const std::vector<std::string>& args) {
  std::string format_text, quality_text, size_text, resize_mode_text, cut_text;
  int64_t thumbnails = 0;
  bool store = false;
  CommandLine& flags = command.command_line();
  flags.AddString("format", "FORMAT",
                  absl::StrCat("Target format: ",
                               EnumChoices<v1::VideoFormat>("VIDEO_FORMAT_"),
                               " (default: mp4)."),
                  &format_text);
  flags.AddString(
      "quality", "Q",
      absl::StrCat("Quality: ", EnumChoices<v1::VideoQuality>("VIDEO_QUALITY_"),
                   " (default: normal)."),
      &quality_text);
  flags.AddString("size", "WxH",
                  "Output size, e.g. 640x480 (dimensions divisible by 4; one "
                  "may be 0 to keep the ratio). Default: the source's.",
                  &size_text);
  flags.AddString(
      "resize-mode", "MODE",
      absl::StrCat("How the video fits --size: ",
                   EnumChoices<v1::VideoResizeMode>("VIDEO_RESIZE_MODE_"),
                   " (default: preserve_ratio)."),
      &resize_mode_text);
  flags.AddString("cut", "START/LENGTH",
                  "Keep only this part: START as HH:MM:SS.sss or seconds, "
                  "LENGTH likewise or 'end', e.g. 0:0:10/0:0:30.",
                  &cut_text);
  flags.AddInt("thumbnails", "N", "Thumbnails to make, 1..50.", &thumbnails);
  flags.AddFlag("store",
                "Store the results permanently (without it: the project's "
                "auto-store setting).",
                &store);
  flags.AddEpilog(
      "Each UUID is converted with the same options; the answer lists one job "
      "per source (token for ucctl convert status video, thumbnails group) "
      "and the per-path problems.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, kAnyCount, "UUID")) return *done;
  v1::VideoConversion options;
  if (!format_text.empty()) {
    absl::StatusOr<v1::VideoFormat> format =
        ParseEnum<v1::VideoFormat>("VIDEO_FORMAT_", "--format", format_text);
    if (!format.ok()) return command.UsageError(format.status());
    options.set_format(*format);
  }
  if (!quality_text.empty()) {
    absl::StatusOr<v1::VideoQuality> quality = ParseEnum<v1::VideoQuality>(
        "VIDEO_QUALITY_", "--quality", quality_text);
    if (!quality.ok()) return command.UsageError(quality.status());
    options.set_quality(*quality);
  }
  if (!size_text.empty()) {
    if (absl::Status s = ParseSize(size_text, *options.mutable_size());
        !s.ok()) {
      return command.UsageError(s);
    }
  }
  if (!resize_mode_text.empty()) {
    if (size_text.empty()) {
      return command.UsageError("--resize-mode needs --size");
    }
    absl::StatusOr<v1::VideoResizeMode> mode = ParseEnum<v1::VideoResizeMode>(
        "VIDEO_RESIZE_MODE_", "--resize-mode", resize_mode_text);
    if (!mode.ok()) return command.UsageError(mode.status());
    options.mutable_size()->set_resize_mode(*mode);
  }
  if (!cut_text.empty()) {
    std::vector<std::string> parts = absl::StrSplit(cut_text, '/');
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
      return command.UsageError(
          absl::StrCat("--cut expects START/LENGTH, got '", cut_text, "'"));
    }
    options.mutable_cut()->set_start_time(parts[0]);
    options.mutable_cut()->set_length(parts[1]);
  }
  if (thumbnails < 0 || thumbnails > std::numeric_limits<int32_t>::max()) {
    return command.UsageError(absl::StrCat(
        "--thumbnails expects a positive number, got ", thumbnails));
  }
  options.set_thumbnails(static_cast<int32_t>(thumbnails));
  v1::ConvertVideoRequest request;
  for (const std::string& uuid : command.positional()) {
    v1::VideoConversion* conversion = request.add_conversions();
    *conversion = options;
    conversion->set_uuid(uuid);
  }
  if (store) request.set_store(true);
  return command.Run<ConversionClient>(
      [&](ConversionClient& client) { return client.ConvertVideo(request); });
}

int ConvertStatus(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "KIND is document or video; TOKEN is the job's token from ucctl "
      "convert document|video.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(2, 2, "KIND TOKEN")) return *done;
  const std::string& kind = command.positional()[0];
  int64_t token = 0;
  if (!absl::SimpleAtoi(command.positional()[1], &token)) {
    return command.UsageError(absl::StrCat("TOKEN expects a number, got '",
                                           command.positional()[1], "'"));
  }
  if (kind == "document") {
    v1::GetDocumentConversionStatusRequest request;
    request.set_token(token);
    return command.Run<ConversionClient>([&](ConversionClient& client) {
      return client.GetDocumentConversionStatus(request);
    });
  }
  if (kind == "video") {
    v1::GetVideoConversionStatusRequest request;
    request.set_token(token);
    return command.Run<ConversionClient>([&](ConversionClient& client) {
      return client.GetVideoConversionStatus(request);
    });
  }
  return command.UsageError(
      absl::StrCat("KIND expects document or video, got '", kind, "'"));
}

// Prints each status of a watch as it arrives: JSON, one array of the
// statuses (closed even on failure); text, each status as text format.
template <typename Client, typename Request, typename Update>
int RunWatch(Command& command, const Request& request,
             absl::Status (Client::*watch)(
                 const Request&, const std::function<bool(const Update&)>&)) {
  absl::StatusOr<std::unique_ptr<Client>> client = command.Connect<Client>();
  if (!client.ok()) return kUsageExitCode;
  absl::Status status;
  if (command.format() == OutputFormat::kJson) {
    JsonArrayWriter writer(command.out());
    status = ((**client).*watch)(request, [&](const Update& update) {
      writer.Add(update);
      return true;
    });
    writer.Finish();
  } else {
    status = ((**client).*watch)(request, [&](const Update& update) {
      command.out() << ToText(update) << "\n";
      command.out().flush();
      return true;
    });
  }
  if (!status.ok()) return command.RpcError(status);
  return 0;
}

int ConvertWatch(Command& command, const std::vector<std::string>& args) {
  bool document = false, video = false;
  CommandLine& flags = command.command_line();
  flags.AddFlag("document", "TOKEN is a document conversion job.", &document);
  flags.AddFlag("video", "TOKEN is a video conversion job.", &video);
  flags.AddEpilog(
      "Prints the job's status at once, then each change, and ends after "
      "finished, failed or cancelled. TOKEN is the job's token from ucctl "
      "convert document|video; exactly one of --document and --video.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "TOKEN")) return *done;
  if (document == video) {
    return command.UsageError("expects exactly one of --document and --video");
  }
  int64_t token = 0;
  if (!absl::SimpleAtoi(command.positional()[0], &token)) {
    return command.UsageError(absl::StrCat("TOKEN expects a number, got '",
                                           command.positional()[0], "'"));
  }
  v1::WatchConversionJobRequest request;
  request.set_kind(document ? v1::CONVERSION_KIND_DOCUMENT
                            : v1::CONVERSION_KIND_VIDEO);
  request.set_token(token);
  return RunWatch(command, request, &ConversionClient::WatchConversionJob);
}

int ConvertInfo(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "The document's format, the formats it converts to, and its converted "
      "groups.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "UUID")) return *done;
  v1::GetDocumentConversionInfoRequest request;
  request.set_uuid(command.positional()[0]);
  return command.Run<ConversionClient>([&](ConversionClient& client) {
    return client.GetDocumentConversionInfo(request);
  });
}

constexpr Verb kConvertVerbs[] = {
    {"document", "UUID...", "Converts documents (--to pdf, docx, png, ...).",
     ConvertDocument},
    {"video", "UUID...", "Converts videos (format, quality, size, cut, ...).",
     ConvertVideo},
    {"status", "document|video TOKEN", "Status of a conversion job.",
     ConvertStatus},
    {"info", "UUID", "What a document converts to.", ConvertInfo},
    {"watch", "--document|--video TOKEN",
     "Follows a conversion job until it ends.", ConvertWatch},
};

// The remove_bg options; their presence is checked against the add-on.
struct RemoveBgOptions {
  std::string crop, crop_margin, scale, add_shadow, type_level, type,
      semitransparency, channels, roi, position;

  void AddTo(CommandLine& flags) {
    flags.AddString("crop", "true|false",
                    "remove_bg: crop off empty regions (default: false).",
                    &crop);
    flags.AddString("crop-margin", "M",
                    "remove_bg: margin around the cropped subject, e.g. 30px "
                    "or 10%.",
                    &crop_margin);
    flags.AddString("scale", "S",
                    "remove_bg: scale of the subject, e.g. 80% or original.",
                    &scale);
    flags.AddString("add-shadow", "true|false",
                    "remove_bg: add an artificial shadow (default: false).",
                    &add_shadow);
    flags.AddString("type-level", "L",
                    "remove_bg: classification level: none, 1, 2 or latest.",
                    &type_level);
    flags.AddString("type", "T",
                    "remove_bg: foreground type: auto, person, product or "
                    "car.",
                    &type);
    flags.AddString("semitransparency", "true|false",
                    "remove_bg: keep semi-transparent regions (default: "
                    "true).",
                    &semitransparency);
    flags.AddString("channels", "C", "remove_bg: rgba or alpha.", &channels);
    flags.AddString("roi", "R",
                    "remove_bg: region of interest, e.g. '0% 0% 100% 100%'.",
                    &roi);
    flags.AddString("position", "P",
                    "remove_bg: position of the subject, e.g. original or "
                    "center.",
                    &position);
  }

  bool AnyGiven() const {
    for (const std::string* value :
         {&crop, &crop_margin, &scale, &add_shadow, &type_level, &type,
          &semitransparency, &channels, &roi, &position}) {
      if (!value->empty()) return true;
    }
    return false;
  }

  absl::Status Apply(v1::RemoveBgParams& params) const {
    std::optional<bool> value;
    if (absl::Status s = ParseOptionalBool("crop", crop, &value); !s.ok()) {
      return s;
    }
    if (value) params.set_crop(*value);
    value.reset();
    if (absl::Status s = ParseOptionalBool("add-shadow", add_shadow, &value);
        !s.ok()) {
      return s;
    }
    if (value) params.set_add_shadow(*value);
    value.reset();
    if (absl::Status s =
            ParseOptionalBool("semitransparency", semitransparency, &value);
        !s.ok()) {
      return s;
    }
    if (value) params.set_semitransparency(*value);
    params.set_crop_margin(crop_margin);
    params.set_scale(scale);
    params.set_type_level(type_level);
    params.set_type(type);
    params.set_channels(channels);
    params.set_roi(roi);
    params.set_position(position);
    return absl::OkStatus();
  }
};

absl::StatusOr<v1::Addon> ParseAddon(absl::string_view text) {
  return ParseEnum<v1::Addon>("ADDON_", "ADDON", text);
}

int AddonsRun(Command& command, const std::vector<std::string>& args) {
  bool purge_infected = false;
  RemoveBgOptions remove_bg;
  command.command_line().AddFlag(
      "purge-infected", "uc_clamav_virus_scan: delete the file when infected.",
      &purge_infected);
  remove_bg.AddTo(command.command_line());
  command.command_line().AddEpilog(
      absl::StrCat("ADDON: ", EnumChoices<v1::Addon>("ADDON_"),
                   ". Options marked remove_bg: or uc_clamav_virus_scan: "
                   "belong to that add-on only. The answer's request_id goes "
                   "to ucctl addons status; results land in the file's "
                   "appdata (ucctl files get UUID --include-appdata)."));
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(2, 2, "ADDON UUID")) return *done;
  absl::StatusOr<v1::Addon> addon = ParseAddon(command.positional()[0]);
  if (!addon.ok()) return command.UsageError(addon.status());
  if (purge_infected && *addon != v1::ADDON_UC_CLAMAV_VIRUS_SCAN) {
    return command.UsageError(
        "--purge-infected belongs to uc_clamav_virus_scan");
  }
  if (remove_bg.AnyGiven() && *addon != v1::ADDON_REMOVE_BG) {
    return command.UsageError("remove_bg options belong to remove_bg");
  }
  v1::ExecuteAddonRequest request;
  request.set_addon(*addon);
  request.set_target(command.positional()[1]);
  if (*addon == v1::ADDON_UC_CLAMAV_VIRUS_SCAN) {
    v1::ClamavVirusScanParams* params = request.mutable_clamav_virus_scan();
    if (purge_infected) params->set_purge_infected(true);
  } else if (*addon == v1::ADDON_REMOVE_BG) {
    if (absl::Status s = remove_bg.Apply(*request.mutable_remove_bg());
        !s.ok()) {
      return command.UsageError(s);
    }
  }
  return command.Run<AddonClient>(
      [&](AddonClient& client) { return client.ExecuteAddon(request); });
}

// ADDON REQUEST_ID of `status` and `watch` into `request` (a
// GetAddonExecutionStatusRequest or WatchAddonExecutionRequest); an exit code
// when parsing is done (help, usage error), nullopt to go on.
template <typename Request>
std::optional<int> ParseAddonRun(Command& command,
                                 const std::vector<std::string>& args,
                                 absl::string_view summary, Request* request) {
  command.command_line().AddEpilog(
      absl::StrCat(summary, "ADDON: ", EnumChoices<v1::Addon>("ADDON_"),
                   "; REQUEST_ID: the request_id of ucctl addons run."));
  if (auto done = command.Parse(args)) return done;
  if (auto done = command.ExpectPositional(2, 2, "ADDON REQUEST_ID")) {
    return done;
  }
  absl::StatusOr<v1::Addon> addon = ParseAddon(command.positional()[0]);
  if (!addon.ok()) return command.UsageError(addon.status());
  request->set_addon(*addon);
  request->set_request_id(command.positional()[1]);
  return std::nullopt;
}

int AddonsStatus(Command& command, const std::vector<std::string>& args) {
  v1::GetAddonExecutionStatusRequest request;
  if (auto done = ParseAddonRun(command, args, "", &request)) return *done;
  return command.Run<AddonClient>([&](AddonClient& client) {
    return client.GetAddonExecutionStatus(request);
  });
}

int AddonsWatch(Command& command, const std::vector<std::string>& args) {
  v1::WatchAddonExecutionRequest request;
  if (auto done = ParseAddonRun(
          command, args,
          "Prints the run's status at once, then each change, and ends after "
          "done or error (or unknown). ",
          &request)) {
    return *done;
  }
  return RunWatch(command, request, &AddonClient::WatchAddonExecution);
}

constexpr Verb kAddonsVerbs[] = {
    {"run", "ADDON UUID", "Runs an add-on on a file.", AddonsRun},
    {"status", "ADDON REQUEST_ID", "Status of an add-on run.", AddonsStatus},
    {"watch", "ADDON REQUEST_ID", "Follows an add-on run until it ends.",
     AddonsWatch},
};

}  // namespace

const VerbGroup kConvertGroup = {
    "convert",
    "Converts documents and videos and follows the jobs (ConversionService).",
    kConvertVerbs};

const VerbGroup kAddonsGroup = {
    "addons", "Runs add-ons on files and follows the runs (AddonService).",
    kAddonsVerbs};

}  // namespace ucgate::client
