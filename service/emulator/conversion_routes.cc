#include "service/emulator/conversion_routes.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "service/emulator/project_data.h"
#include "service/emulator/request_body.h"
#include "service/restapi/conversion_json.h"
#include "service/restapi/conversion_paths.h"
#include "service/restapi/limits.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

// Formats by what the emulated converter can read and write.
const std::vector<std::string>& DocumentTargets() {
  static const auto* targets = new std::vector<std::string>{
      "doc", "docx", "xls", "xlsx", "odt", "ods", "rtf", "txt", "pdf"};
  return *targets;
}
bool IsPagedDocument(absl::string_view format) {
  return format == "pdf" || format == "doc" || format == "docx" ||
         format == "odt" || format == "rtf" || format == "xls" ||
         format == "xlsx" || format == "ods";
}

// The source's format, from its name ("report.PDF" -> "pdf").
std::string SourceFormat(const v1::File& file) {
  const std::string& name = file.original_filename();
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "";
  std::string format = absl::AsciiStrToLower(name.substr(dot + 1));
  return format == "jpeg" ? "jpg" : format;
}

// What `source` converts to; empty when it is no document.
std::vector<std::string> ConversionFormats(absl::string_view source) {
  if (source == "jpg" || source == "png") return {"jpg", "pdf", "png"};
  if (source == "txt" || source == "csv") return DocumentTargets();
  if (IsPagedDocument(source)) {
    std::vector<std::string> formats = DocumentTargets();
    formats.push_back("jpg");
    formats.push_back("png");
    return formats;
  }
  return {};
}

std::optional<v1::File> LiveFile(const ApiRequest& request,
                                 absl::string_view uuid) {
  std::optional<v1::File> file = request.project->files.Get(uuid);
  if (file && file->has_datetime_removed()) return std::nullopt;
  return file;
}

// "1"/"true"/true are true, as the service's form fields read; an absent
// (or null) flag is `absent`.
bool Flag(const rapidjson::Document& body, const char* name, bool absent) {
  auto it = body.FindMember(name);
  if (it == body.MemberEnd() || it->value.IsNull()) return absent;
  if (it->value.IsBool()) return it->value.GetBool();
  if (!it->value.IsString()) return false;
  const std::string text = absl::AsciiStrToLower(it->value.GetString());
  return text == "1" || text == "true";
}

// Reads {"paths": [...], ...}; an answer when the body is refused.
std::optional<ApiResponse> ReadPaths(const ApiRequest& request,
                                     rapidjson::Document* body,
                                     std::vector<std::string>* paths) {
  if (auto error = ParseRequestBody(request, body)) return error;
  if (!body->IsObject()) return DetailError(400, "Expected a JSON object.");
  auto it = body->FindMember("paths");
  if (it == body->MemberEnd()) {
    return FieldErrors("paths", "This field is required.").ToResponse();
  }
  if (!it->value.IsArray()) {
    return FieldErrors("paths", "Expected a list of items.").ToResponse();
  }
  if (it->value.Size() == 0) {
    return FieldErrors("paths", "This list may not be empty.").ToResponse();
  }
  if (it->value.Size() > restapi::kMaxConversionPaths) {
    return FieldErrors("paths",
                       absl::StrCat("Ensure this field has no more "
                                    "than ",
                                    restapi::kMaxConversionPaths, " elements."))
        .ToResponse();
  }
  for (const auto& path : it->value.GetArray()) {
    paths->push_back(path.IsString() ? path.GetString() : JsonText(path));
  }
  return std::nullopt;
}

// What one path of a convert request becomes: a job, or its problem.
using JobOrProblem = std::variant<v1::ConversionJob, std::string>;

// Both convert routes: read the paths, parse each as a `Conversion`, and let
// `start` turn it into a job or a problem; answer with both lists.
template <typename Conversion>
ApiResponse Convert(
    const ApiRequest& request,
    absl::Status (*parse)(absl::string_view path, Conversion* conversion),
    absl::FunctionRef<JobOrProblem(const std::string& path,
                                   const Conversion& conversion, bool store)>
        start) {
  rapidjson::Document body;
  std::vector<std::string> paths;
  if (auto refused = ReadPaths(request, &body, &paths)) return *refused;
  // Without `store` the project's auto-store setting decides.
  const bool store =
      Flag(body, "store", request.project->config.autostore_enabled);
  google::protobuf::RepeatedPtrField<v1::ConversionJob> jobs;
  google::protobuf::Map<std::string, std::string> problems;
  for (const std::string& path : paths) {
    Conversion conversion;
    if (absl::Status status = parse(path, &conversion); !status.ok()) {
      problems[path] = std::string(status.message());
      continue;
    }
    JobOrProblem outcome = start(path, conversion, store);
    if (auto* problem = std::get_if<std::string>(&outcome)) {
      problems[path] = std::move(*problem);
    } else {
      *jobs.Add() = std::get<v1::ConversionJob>(std::move(outcome));
    }
  }
  std::string out;
  restapi::AppendConversionJobsJson(jobs, problems, &out);
  return JsonResponse(200, std::move(out));
}

// "report.docx" -> "report.pdf".
std::string Renamed(const v1::File& source, absl::string_view format) {
  const std::string& name = source.original_filename();
  return absl::StrCat(name.substr(0, name.rfind('.')), ".", format);
}

ApiResponse ConvertDocument(const ApiRequest& request) {
  return Convert<v1::DocumentConversion>(
      request, restapi::ParseDocumentConversionPath,
      [&](const std::string& path, const v1::DocumentConversion& conversion,
          bool store) -> JobOrProblem {
        std::optional<v1::File> source = LiveFile(request, conversion.uuid());
        if (!source) return std::string("File not found.");
        const std::string from = SourceFormat(*source);
        const std::string to(restapi::DocumentFormatName(conversion.format()));
        const std::vector<std::string> formats = ConversionFormats(from);
        if (std::find(formats.begin(), formats.end(), to) == formats.end()) {
          return absl::StrCat(
              "the target_format is not a supported 'to' format for this "
              "source file. ",
              from, " -> ", to);
        }
        const bool image = to == "jpg" || to == "png";
        return request.project->jobs.AddConversion(
            ConversionKind::kDocument, path, conversion.uuid(),
            Renamed(*source, to),
            image ? absl::StrCat("image/", to == "jpg" ? "jpeg" : "png")
                  : (to == "pdf" ? "application/pdf"
                                 : "application/octet-stream"),
            store, 0, request.now);
      });
}

ApiResponse ConvertVideo(const ApiRequest& request) {
  return Convert<v1::VideoConversion>(
      request, restapi::ParseVideoConversionPath,
      [&](const std::string& path, const v1::VideoConversion& conversion,
          bool store) -> JobOrProblem {
        const v1::VideoSize& size = conversion.size();
        if (size.width() % 4 != 0 || size.height() % 4 != 0) {
          return std::string(
              "CDN Path error: size dimensions must be divisible by 4");
        }
        std::optional<v1::File> source = LiveFile(request, conversion.uuid());
        if (!source) return std::string("File not found.");
        if (!absl::StartsWith(source->mime_type(), "video/")) {
          return std::string("CDN Path error: the source file is not a video");
        }
        std::string format(restapi::VideoFormatName(conversion.format()));
        if (format.empty()) format = "mp4";
        return request.project->jobs.AddConversion(
            ConversionKind::kVideo, path, conversion.uuid(),
            Renamed(*source, format), absl::StrCat("video/", format), store,
            conversion.thumbnails(), request.now);
      });
}

ApiResponse ConversionStatus(const ApiRequest& request, ConversionKind kind) {
  ProjectData& project = *request.project;
  int64_t token = 0;
  std::optional<ConversionJobState> state;
  if (absl::SimpleAtoi(request.path_params[0], &token)) {
    state = project.jobs.Conversion(kind, token);
  }
  if (!state) return DetailError(404, "Not found.");
  restapi::ConversionStatusAnswer answer;
  answer.status = state->status;
  answer.error = state->error;
  answer.result_uuid = state->result_uuid;
  answer.thumbnails_group_uuid =
      state->result_uuid.empty() ? "" : state->thumbnails_group_uuid;
  std::string out;
  restapi::AppendConversionStatusJson(answer, &out);
  return JsonResponse(200, std::move(out));
}

ApiResponse DocumentInfo(const ApiRequest& request) {
  std::optional<v1::File> source = LiveFile(request, request.path_params[0]);
  if (!source) return DetailError(404, "Not found.");
  v1::GetDocumentConversionInfoResponse info;
  const std::string format = SourceFormat(*source);
  const std::vector<std::string> formats = ConversionFormats(format);
  if (formats.empty()) {
    info.set_error("The source file is not a supported document.");
  }
  info.set_format(format);
  for (const std::string& name : formats) info.add_conversion_formats(name);
  std::string out;
  restapi::AppendDocumentConversionInfoJson(info, &out);
  return JsonResponse(200, std::move(out));
}

}  // namespace

void RegisterConversionRoutes(Router& router) {
  router.Add("POST", "/convert/document/", ConvertDocument);
  router.Add("GET", "/convert/document/status/{token}/",
             [](const ApiRequest& request) {
               return ConversionStatus(request, ConversionKind::kDocument);
             });
  router.Add("GET", "/convert/document/{uuid}/", DocumentInfo);
  router.Add("POST", "/convert/video/", ConvertVideo);
  router.Add("GET", "/convert/video/status/{token}/",
             [](const ApiRequest& request) {
               return ConversionStatus(request, ConversionKind::kVideo);
             });
}

}  // namespace ucgate::emulator
