#include "service/upstream/http/upstream_error.h"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "service/common/status.h"

namespace ucgate::http {
namespace {

// Upstream text is quoted, never trusted: short and free of control bytes.
constexpr size_t kMaxDetailBytes = 200;
constexpr size_t kMaxExcerptBytes = 80;
constexpr size_t kMaxFieldBytes = 64;
constexpr size_t kMaxViolations = 20;
constexpr size_t kMaxJsonDepth = 8;
// Error bodies are small; anything larger is not worth parsing as JSON.
constexpr size_t kMaxParsedBodyBytes = 64 * 1024;

// Replaces control characters with spaces, collapses whitespace runs and cuts
// at `max_bytes` (on a UTF-8 boundary, marking the cut with "...").
// `ascii_only` also turns every non-ASCII byte into '?' (text that was never
// validated as UTF-8).
std::string Sanitize(absl::string_view text, size_t max_bytes,
                     bool ascii_only) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes + 3));
  bool pending_space = false;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || byte == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.push_back(ascii_only && byte >= 0x80 ? '?' : c);
    if (out.size() > max_bytes) break;
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) {
      --cut;
    }
    out.resize(cut);
    out.append("...");
  }
  return out;
}

struct UpstreamDetail {
  std::vector<std::string> texts;  // General messages ("detail").
  std::vector<FieldViolation> violations;

  bool empty() const { return texts.empty() && violations.empty(); }
};

std::string Text(std::string_view text) {
  return Sanitize(absl::string_view(text.data(), text.size()), kMaxDetailBytes,
                  /*ascii_only=*/false);
}

// Keys that carry a message for the whole request rather than one field
// (Django REST framework's conventions, which the service follows).
bool IsGeneralKey(absl::string_view key) {
  return key == "detail" || key == "non_field_errors";
}

// Collects strings under `path` of a field map: {"field": ["msg", ...]},
// nested objects as "outer.inner".
void CollectMessages(const std::string& path, simdjson::dom::element element,
                     size_t depth, UpstreamDetail& detail) {
  if (depth > kMaxJsonDepth || detail.violations.size() >= kMaxViolations) {
    return;
  }
  std::string_view text;
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (element.get(text) == simdjson::SUCCESS) {
    if (path.empty() || IsGeneralKey(path)) {
      detail.texts.push_back(Text(text));
    } else {
      detail.violations.emplace_back(path, Text(text));
    }
  } else if (element.get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : array) {
      CollectMessages(path, item, depth + 1, detail);
    }
  } else if (element.get(object) == simdjson::SUCCESS) {
    for (simdjson::dom::key_value_pair field : object) {
      const std::string key =
          Sanitize(absl::string_view(field.key.data(), field.key.size()),
                   kMaxFieldBytes, /*ascii_only=*/false);
      CollectMessages(path.empty() || IsGeneralKey(key)
                          ? key
                          : absl::StrCat(path, ".", key),
                      field.value, depth + 1, detail);
    }
  }
  // Numbers, booleans and null say nothing a caller could act on.
}

// {"detail": "..."}, a field map, a bare string or a list of strings.
UpstreamDetail ParseErrorBody(absl::string_view body) {
  UpstreamDetail detail;
  if (body.empty() || body.size() > kMaxParsedBodyBytes) return detail;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body.data(), body.size());
  simdjson::dom::element document;
  if (parser.parse(padded).get(document) != simdjson::SUCCESS) return detail;
  CollectMessages("", document, 0, detail);
  return detail;
}

// A short printable excerpt of a body that is not a JSON error: the <title>
// of an HTML page, else the text without tags.
std::string Excerpt(absl::string_view body) {
  absl::string_view text = absl::StripLeadingAsciiWhitespace(body);
  std::string stripped;
  if (absl::StartsWith(text, "<")) {
    const std::string lower = absl::AsciiStrToLower(
        text.substr(0, std::min<size_t>(text.size(), 4096)));
    const size_t open = lower.find("<title>");
    const size_t close = lower.find("</title>");
    if (open != std::string::npos && close != std::string::npos &&
        close > open) {
      return Sanitize(text.substr(open + 7, close - open - 7), kMaxExcerptBytes,
                      /*ascii_only=*/true);
    }
    bool in_tag = false;
    for (char c : text.substr(0, 4096)) {
      if (c == '<') {
        in_tag = true;
        stripped.push_back(' ');
      } else if (c == '>') {
        in_tag = false;
      } else if (!in_tag) {
        stripped.push_back(c);
      }
    }
    text = stripped;
  }
  std::string excerpt = Sanitize(text, kMaxExcerptBytes, /*ascii_only=*/true);
  // Binary noise is not worth quoting.
  const bool readable =
      std::count_if(excerpt.begin(), excerpt.end(),
                    [](char c) {
                      return absl::ascii_isalnum(static_cast<unsigned char>(c));
                    }) *
          2 >=
      static_cast<std::ptrdiff_t>(excerpt.size());
  return readable ? excerpt : std::string();
}

// "Not found." or "target: Must be a valid UUID.; uuids: ...", or an excerpt
// when the body is not a JSON error; empty when there is nothing to quote.
std::string DescribeBody(const HttpResponse& response,
                         const UpstreamDetail& detail) {
  if (detail.empty()) return Excerpt(response.body);
  std::vector<std::string> parts = detail.texts;
  for (const auto& [field, message] : detail.violations) {
    parts.push_back(absl::StrCat(field, ": ", message));
  }
  return Sanitize(absl::StrJoin(parts, "; "), kMaxDetailBytes,
                  /*ascii_only=*/false);
}

std::optional<absl::Duration> ParseDelaySeconds(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '.';
      })) {
    return std::nullopt;
  }
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds)) return std::nullopt;
  // A day is beyond any sensible retry; bigger values are noise.
  return std::min(absl::Seconds(seconds), absl::Hours(24));
}

std::optional<absl::Time> ParseHttpDate(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  // RFC 9110 section 5.6.7: IMF-fixdate, then the obsolete RFC 850 and asctime
  // forms, which recipients must still accept.
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y"}) {
    absl::Time time;
    std::string error;
    if (absl::ParseTime(format, std::string(text), absl::UTCTimeZone(), &time,
                        &error)) {
      return time;
    }
  }
  return std::nullopt;
}

// How one HTTP status maps. With a summary the message reads "upstream:
// <summary> (HTTP 401: <upstream text>)", without "upstream: HTTP 404:
// <upstream text>".
struct StatusMapping {
  absl::StatusCode code;
  const char* reason;
  const char* summary = nullptr;
  // Quote the body? Not for redirects: their pages name another host.
  bool describe_body = true;
};

StatusMapping MappingFor(int http_status) {
  using Code = absl::StatusCode;
  if (http_status < 200 || http_status >= 600) {
    return {Code::kInternal, kUpstreamUnexpectedStatus, "unexpected status",
            false};
  }
  if (http_status < 400) {  // Redirects are never followed.
    return {Code::kInternal, kUpstreamUnexpectedRedirect, "unexpected redirect",
            false};
  }
  switch (http_status) {
    case 400:
      return {Code::kInvalidArgument, kUpstreamBadRequest};
    case 401:
    case 403:  // Refined by ForbiddenMapping once the body is read.
      // The gateway's own Uploadcare keys: nothing the caller can fix.
      return {Code::kInternal, kUpstreamCredentialsRejected,
              "the gateway's Uploadcare credentials were refused"};
    case 404:
    case 410:
      return {Code::kNotFound, kUpstreamNotFound};
    case 406:
      return {Code::kInternal, kUpstreamVersionRejected,
              "the gateway's Uploadcare API version was refused"};
    case 409:
      return {Code::kAborted, kUpstreamConflict};
    case 413:
      return {Code::kInvalidArgument, kUpstreamPayloadTooLarge};
    case 429:
      return {Code::kResourceExhausted, kUpstreamThrottled};
    default:
      return http_status < 500
                 ? StatusMapping{Code::kFailedPrecondition, kUpstreamRejected}
                 : StatusMapping{Code::kUnavailable, kUpstreamUnavailable};
  }
}

// A 403 is the keys being refused when its detail says so (Django REST
// framework answers 403 rather than 401 for some authentication failures:
// "Incorrect authentication credentials.", "Authentication credentials were
// not provided.", "Simple authentication over HTTP is forbidden...") or when
// it says nothing; otherwise the keys were fine and the project may not do
// this ("You can't use webhooks").
bool IsCredentialsRefusal(const UpstreamDetail& detail) {
  if (!detail.violations.empty()) return false;
  if (detail.texts.empty()) return true;
  for (const std::string& text : detail.texts) {
    const std::string lower = absl::AsciiStrToLower(text);
    for (absl::string_view word : {"authenticat", "credential", "signature",
                                   "public key", "secret key", "api key"}) {
      if (absl::StrContains(lower, word)) return true;
    }
  }
  return false;
}

StatusMapping ForbiddenMapping(const UpstreamDetail& detail) {
  if (IsCredentialsRefusal(detail)) return MappingFor(401);
  // FAILED_PRECONDITION, not PERMISSION_DENIED: the caller was allowed in by
  // the gateway; the project's state (its plan) forbids the operation.
  if (detail.violations.empty()) {
    return {absl::StatusCode::kFailedPrecondition, kUpstreamFeatureNotAvailable,
            "the Uploadcare project may not do this"};
  }
  return {absl::StatusCode::kFailedPrecondition, kUpstreamRejected};
}

std::string Message(const StatusMapping& mapping, int http_status,
                    absl::string_view description) {
  const std::string status = absl::StrCat("HTTP ", http_status);
  const std::string quoted =
      description.empty() ? status : absl::StrCat(status, ": ", description);
  return mapping.summary == nullptr
             ? absl::StrCat("upstream: ", quoted)
             : absl::StrCat("upstream: ", mapping.summary, " (", quoted, ")");
}

}  // namespace

std::optional<absl::Duration> RetryDelayFromHeaders(
    const HttpResponse& response, absl::Time now) {
  if (std::optional<absl::string_view> value = response.Header("retry-after")) {
    if (std::optional<absl::Duration> delay = ParseDelaySeconds(*value)) {
      return delay;
    }
    if (std::optional<absl::Time> when = ParseHttpDate(*value)) {
      return std::max(*when - now, absl::ZeroDuration());
    }
  }
  if (std::optional<absl::string_view> value =
          response.Header("x-throttle-wait-seconds")) {
    return ParseDelaySeconds(*value);
  }
  return std::nullopt;
}

absl::Status StatusFromHttpResponse(const HttpResponse& response) {
  return StatusFromHttpResponse(response, absl::Now());
}

absl::Status StatusFromHttpResponse(const HttpResponse& response,
                                    absl::Time now) {
  const int http_status = response.status_code;
  if (http_status >= 200 && http_status < 300) return absl::OkStatus();

  StatusMapping mapping = MappingFor(http_status);
  UpstreamDetail detail;
  std::string description;
  if (mapping.describe_body) {
    detail = ParseErrorBody(response.body);
    description = DescribeBody(response, detail);
  }
  if (http_status == 403) mapping = ForbiddenMapping(detail);
  absl::Status status = WithErrorInfo(
      absl::Status(mapping.code, Message(mapping, http_status, description)),
      mapping.reason, {{kHttpStatusMetadataKey, absl::StrCat(http_status)}});
  if (mapping.code == absl::StatusCode::kInvalidArgument) {
    status = WithFieldViolations(std::move(status), detail.violations);
  }
  if (http_status == 429 || http_status >= 500) {
    if (std::optional<absl::Duration> delay =
            RetryDelayFromHeaders(response, now)) {
      status = WithRetryAfter(std::move(status), *delay);
    }
  }
  return status;
}

int HttpStatusOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorInfoTypeUrl);
  google::rpc::ErrorInfo info;
  if (!payload || !info.ParseFromString(std::string(*payload))) return 0;
  auto it = info.metadata().find(kHttpStatusMetadataKey);
  int http_status = 0;
  if (it == info.metadata().end() ||
      !absl::SimpleAtoi(it->second, &http_status)) {
    return 0;
  }
  return http_status;
}

}  // namespace ucgate::http
