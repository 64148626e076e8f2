// Fuzz target for the emulator's parsing of requests: the request line,
// query (ParseQueryString, listing parameters, page links), authentication
// headers (CheckAuth), body (ParseRequestBody, JsonText, ParseFaultJson) and
// every route handler behind the Router, on a small fresh project per input.
//
// An input is an HTTP/1.1-like request, as tests/data/sdk requests are:
//
//   METHOD TARGET
//   Header: value          (Content-Type, Accept, Authorization, Date, ...)
//
//   body
//
// Beyond "no crash" it checks what the emulator promises its clients (the
// gateway, whose parsers refuse what is not JSON):
// - every answer has a real status, 204 without a body, and a body that is
//   valid JSON in valid UTF-8;
// - a refused authentication is 400 or 401 with {"detail": ...};
// - the Router's Allow lists the method it found and not the one it refused;
// - query parameters survive quote_plus and back, datetimes and integers
//   survive formatting and back, the page limit stays in 1..1000 and the
//   offset is never negative, and a page link keeps the request's parameters;
// - JsonText writes what parses back to the same text;
// - a fault that parses has a JSON default body that TruncateJson breaks.
//
// Built with UCGATE_LIBFUZZER (clang) this is a libFuzzer target; otherwise
// replay_driver.cc replays the seeds and deterministic mutations of them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "rapidjson/document.h"
#include "service/common/api_version.h"
#include "service/emulator/addon_routes.h"
#include "service/emulator/api_types.h"
#include "service/emulator/auth_check.h"
#include "service/emulator/conversion_routes.h"
#include "service/emulator/fault_injector.h"
#include "service/emulator/file_extras_routes.h"
#include "service/emulator/files_routes.h"
#include "service/emulator/groups_routes.h"
#include "service/emulator/listing_params.h"
#include "service/emulator/project_data.h"
#include "service/emulator/project_routes.h"
#include "service/emulator/request_body.h"
#include "service/emulator/router.h"
#include "service/emulator/search_routes.h"
#include "service/emulator/webhooks_routes.h"

namespace {

namespace emu = ::ucgate::emulator;
namespace v1 = ::uploadcare::gateway::v1;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kBaseUrl[] = "https://api.emulator.test";
// The file the recorded JS client requests name.
constexpr char kKnownUuid[] = "3c269810-c17b-4e2c-92b6-25622464d866";

void Check(bool condition, const char* what, const std::string& input) {
  if (condition) return;
  std::fprintf(stderr, "emulator_request_fuzzer: %s\ninput (%zu bytes): %s\n",
               what, input.size(), absl::CHexEscape(input).c_str());
  std::abort();
}

bool IsJson(absl::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag |
            rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

struct Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string Header(absl::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (absl::EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  }
};

Request Split(absl::string_view input) {
  Request request;
  size_t end = input.find('\n');
  absl::string_view line = input.substr(0, end);
  absl::string_view rest =
      end == absl::string_view::npos ? "" : input.substr(end + 1);
  const size_t space = line.find(' ');
  request.method = std::string(line.substr(0, space));
  if (space != absl::string_view::npos) {
    request.target = std::string(absl::StripSuffix(
        absl::StripSuffix(line.substr(space + 1), "\r"), " HTTP/1.1"));
  }
  while (!rest.empty()) {
    end = rest.find('\n');
    line = absl::StripSuffix(rest.substr(0, end), "\r");
    rest = end == absl::string_view::npos ? "" : rest.substr(end + 1);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    request.headers.emplace_back(
        std::string(line.substr(0, colon)),
        colon == absl::string_view::npos
            ? ""
            : std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  request.body = std::string(rest);
  return request;
}

const emu::Router& TheRouter() {
  static const emu::Router* router = [] {
    auto* router = new emu::Router;
    emu::RegisterFilesRoutes(*router);
    emu::RegisterConversionRoutes(*router);
    emu::RegisterAddonRoutes(*router);
    emu::RegisterGroupsRoutes(*router);
    emu::RegisterProjectRoutes(*router);
    emu::RegisterWebhooksRoutes(*router);
    emu::RegisterFileExtrasRoutes(*router);
    emu::RegisterSearchRoutes(*router);
    return router;
  }();
  return *router;
}

emu::EmulatorProject TheProject() {
  emu::EmulatorProject project;
  project.public_key = "demopublickey";
  project.secret_key = "demosecretkey";
  return project;
}

// A fresh, small project per input: runs stay deterministic.
std::unique_ptr<emu::ProjectData> MakeProject() {
  emu::FileStoreOptions options;
  options.seed = 7;
  options.seed_files = 12;
  options.base_url = kBaseUrl;
  auto project = std::make_unique<emu::ProjectData>(TheProject(), options);
  v1::File file;
  file.set_uuid(kKnownUuid);
  file.set_original_filename("holiday sunset.pdf");
  file.set_mime_type("application/pdf");
  file.set_size(48213);
  file.set_is_ready(true);
  project->files.Add(std::move(file), kNow - absl::Hours(1));
  return project;
}

void FuzzQuery(const emu::ApiRequest& request, const std::string& input) {
  for (const auto& [name, value] : request.query) {
    std::string pair;
    emu::AppendQueryEscaped(name, &pair);
    pair.push_back('=');
    emu::AppendQueryEscaped(value, &pair);
    const emu::QueryParams again = emu::ParseQueryString(pair);
    Check(
        again.size() == 1 && again[0].first == name && again[0].second == value,
        "a query parameter does not survive quote_plus", input);
    if (std::optional<int64_t> integer = emu::ParseInteger(value)) {
      Check(emu::ParseInteger(absl::StrCat(*integer)) == integer,
            "an integer does not survive formatting", input);
    }
    (void)emu::ParseBoolean(value);
    if (std::optional<int64_t> micros = emu::ParseDatetimeMicros(value)) {
      const std::string text = emu::FormatCursorDatetime(*micros);
      Check(emu::ParseDatetimeMicros(text) == micros,
            "a cursor datetime does not survive formatting", input);
    }
  }

  emu::FieldErrors errors;
  const int limit = emu::ParsePageLimit(request, &errors);
  Check(limit >= 1 && limit <= emu::kMaxPageLimit, "page limit out of range",
        input);
  Check(emu::ParsePageOffset(request, &errors) >= 0, "negative page offset",
        input);
  for (bool integer_keys : {false, true}) {
    const emu::PagePositions positions =
        emu::ParsePagePositions(request, integer_keys, &errors);
    Check(!(positions.from && positions.to), "both from and to kept", input);
    emu::ListCursor cursor;
    cursor.key = positions.from ? positions.from : positions.to;
    cursor.offset = 7;
    const std::string key_text =
        cursor.key ? (integer_keys ? absl::StrCat(*cursor.key)
                                   : emu::FormatCursorDatetime(*cursor.key))
                   : "";
    const bool forward = !positions.to;
    const std::string url =
        emu::PageUrl(request, "/files/", cursor, forward, key_text);
    Check(absl::StartsWith(url, absl::StrCat(kBaseUrl, "/files/?")),
          "a page link is not under the resource", input);
    // The request's own parameters, in order, then the cursor's.
    emu::QueryParams kept;
    for (const auto& [name, value] : request.query) {
      if (name != "from" && name != "to" && name != "offset") {
        kept.emplace_back(name, value);
      }
    }
    emu::QueryParams linked =
        emu::ParseQueryString(url.substr(url.find('?') + 1));
    Check(linked.size() >= kept.size() &&
              emu::QueryParams(linked.begin(), linked.begin() + kept.size()) ==
                  kept,
          "a page link does not keep the request's parameters", input);
  }
  if (!errors.empty()) {
    Check(errors.ToResponse().status == 400 && IsJson(errors.ToResponse().body),
          "field errors are not a JSON 400", input);
  }
}

void FuzzBody(const emu::ApiRequest& request, const std::string& input) {
  rapidjson::Document doc;
  if (std::optional<emu::ApiResponse> refused =
          emu::ParseRequestBody(request, &doc)) {
    Check(refused->status == 400 && IsJson(refused->body) &&
              absl::StrContains(refused->body, "JSON parse error - "),
          "a body that does not parse is not a JSON 400", input);
  } else {
    const std::string text = emu::JsonText(doc);
    if (doc.IsString()) {
      Check(text == absl::string_view(doc.GetString(), doc.GetStringLength()),
            "JsonText changes a string", input);
    } else if (text != "[...]" && text != "{...}") {
      // Compared as text: rapidjson's == is not defined for objects that
      // repeat a key, which bodies may. Numbers are read back exactly (the
      // writer's shortest form names the double ParseRequestBody read; the
      // default, faster parse may round it elsewhere).
      rapidjson::Document again;
      again.Parse<rapidjson::kParseIterativeFlag |
                  rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
      Check(!again.HasParseError() && emu::JsonText(again) == text,
            "JsonText writes what does not parse back to the same text", input);
    }
  }

  absl::StatusOr<emu::Fault> fault = emu::ParseFaultJson(*request.body);
  if (fault.ok()) {
    const std::string body = emu::DefaultFaultBody(*fault);
    Check(IsJson(body), "a fault's default body is not JSON", input);
    Check(!IsJson(emu::TruncateJson(body)),
          "TruncateJson leaves JSON that parses", input);
  } else {
    Check(!fault.status().message().empty(), "a refused fault has no message",
          input);
  }
}

void FuzzAuth(const Request& http, const std::string& input) {
  const std::vector<emu::EmulatorProject> projects = {TheProject()};
  const std::string content_type = http.Header("Content-Type");
  const std::string authorization = http.Header("Authorization");
  const std::string x_date = http.Header("X-Uploadcare-Date");
  const std::string date = http.Header("Date");
  for (bool https : {false, true}) {
    emu::AuthInput auth;
    auth.method = http.method;
    auth.target = http.target;
    auth.body = http.body;
    auth.content_type = content_type;
    auth.authorization = authorization;
    auth.x_uploadcare_date = x_date;
    auth.date = date;
    auth.https = https;
    size_t index = 99;
    std::optional<emu::ApiResponse> refused =
        emu::CheckAuth(auth, projects, kNow, &index);
    if (refused) {
      Check((refused->status == 400 || refused->status == 401) &&
                IsJson(refused->body) &&
                absl::StartsWith(refused->body, "{\"detail\":"),
            "a refused authentication is not a JSON 400/401 detail", input);
    } else {
      Check(index < projects.size(), "authenticated as no project", input);
    }
  }
}

void FuzzRoutes(emu::ApiRequest request, const std::string& input) {
  emu::Router::Match match;
  const emu::Router::Outcome outcome =
      TheRouter().Find(request.method, request.path, &match);
  if (outcome == emu::Router::Outcome::kNotFound) return;
  const std::vector<std::string> allowed = absl::StrSplit(match.allow, ", ");
  const bool listed = std::find(allowed.begin(), allowed.end(),
                                request.method) != allowed.end();
  if (outcome == emu::Router::Outcome::kMethodNotAllowed) {
    Check(!listed, "Allow lists a method the router refused", input);
    return;
  }
  Check(listed, "Allow does not list the method the router found", input);
  if (match.handler == nullptr) return;  // OPTIONS

  std::unique_ptr<emu::ProjectData> project = MakeProject();
  request.path_params = std::move(match.params);
  request.project = project.get();
  project->jobs.Settle(kNow, project->files, project->groups);
  const emu::ApiResponse response = (*match.handler)(request);
  Check(response.status >= 200 && response.status <= 599,
        "an answer has no real HTTP status", input);
  if (response.status == 204) {
    Check(response.body.empty(), "a 204 answer has a body", input);
  }
  if (!response.body.empty()) {
    Check(IsJson(response.body), "an answer's body is not JSON in valid UTF-8",
          input);
  }
  // The jobs a request started settle later without trouble.
  project->jobs.Settle(kNow + absl::Hours(1), project->files, project->groups);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const Request http = Split(input);

  emu::ApiRequest request;
  request.method = http.method;
  const size_t question = http.target.find('?');
  request.path = emu::PercentDecode(
      absl::string_view(http.target).substr(0, question), false);
  if (question != std::string::npos) {
    request.query = emu::ParseQueryString(
        absl::string_view(http.target).substr(question + 1));
  }
  request.content_type = http.Header("Content-Type");
  request.body = &http.body;
  const std::string accept = http.Header("Accept");
  request.version =
      ucgate::ApiVersionFromAccept(accept).value_or(ucgate::ApiVersion::kV07);
  request.now = kNow;
  request.public_base_url = kBaseUrl;

  FuzzQuery(request, input);
  FuzzBody(request, input);
  FuzzAuth(http, input);
  FuzzRoutes(std::move(request), input);
  return 0;
}
