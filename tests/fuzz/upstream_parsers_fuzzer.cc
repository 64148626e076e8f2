// Fuzz target for the gateway's other parsers of untrusted text: upstream
// error answers (status, Retry-After, JSON body), page tokens from callers,
// URLs and queries from the upstream, HTTP dates, and configuration files.
// Beyond "no crash" it checks their promises: a non-2xx answer is never OK,
// a bad page token is INVALID_ARGUMENT naming page_token, and a query that
// parses survives encode/decode.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "service/api/page_token.h"
#include "service/common/status.h"
#include "service/common/url.h"
#include "service/gateway/config.h"
#include "service/restapi/signing.h"
#include "service/upstream/http/upstream_error.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "upstream_parsers_fuzzer: %s\n", what);
  std::abort();
}

void FuzzErrorMapping(const std::string& input) {
  // First bytes pick the status and a Retry-After header; the rest is the body.
  ucgate::http::HttpResponse response;
  response.status_code =
      input.empty() ? 500 : 100 + static_cast<unsigned char>(input[0]) * 2;
  const size_t split = input.size() > 2
                           ? static_cast<unsigned char>(input[1]) % input.size()
                           : 0;
  response.headers.push_back(
      {"retry-after", input.substr(2 < input.size() ? 2 : 0, split)});
  response.body = input.substr(split);
  absl::Status status = ucgate::http::StatusFromHttpResponse(
      response, absl::FromUnixSeconds(1700000000));
  const bool success =
      response.status_code >= 200 && response.status_code < 300;
  Check(status.ok() == success,
        "a non-2xx answer mapped to OK (or a 2xx to an error)");
  if (!success) {
    Check(absl::StartsWith(status.message(), "upstream: "),
          "error message lacks 'upstream: '");
    if (auto delay = ucgate::RetryAfter(status)) {
      Check(*delay >= absl::ZeroDuration(), "negative Retry-After");
    }
  }
}

void FuzzPageToken(const std::string& input) {
  absl::StatusOr<ucgate::api::ListCursor> cursor =
      ucgate::api::DecodePageToken(input, 42);
  if (!cursor.ok()) {
    Check(cursor.status().code() == absl::StatusCode::kInvalidArgument,
          "bad page token is not INVALID_ARGUMENT");
    Check(absl::StartsWith(cursor.status().message(), "page_token: "),
          "bad page token error does not name page_token");
    return;
  }
  Check(cursor->offset >= 0, "negative offset accepted");
  auto again = ucgate::api::DecodePageToken(
      ucgate::api::EncodePageToken(*cursor, 42), 42);
  Check(again.ok() && again->from == cursor->from &&
            again->offset == cursor->offset,
        "page token does not round-trip");
}

void FuzzUrls(const std::string& input) {
  absl::StatusOr<ucgate::QueryParams> params = ucgate::ParseQueryOfUrl(input);
  if (params.ok()) {
    auto reparsed = ucgate::ParseQueryOfUrl(ucgate::WithQuery("/x/", *params));
    Check(reparsed.ok() && *reparsed == *params,
          "query does not survive encode/decode");
  }
  (void)ucgate::UrlDecodeLenient(input, true);
  (void)ucgate::ParseBaseUrl(input);
  (void)ucgate::restapi::ParseHttpDate(input);
}

void FuzzConfig(const std::string& input) {
  auto env = [](const std::string&) -> std::optional<std::string> {
    return "s";
  };
  absl::StatusOr<ucgate::gateway::GatewayConfig> config =
      ucgate::gateway::ParseConfig(input, env);
  if (config.ok()) (void)ucgate::gateway::ValidateConfig(*config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  FuzzErrorMapping(input);
  FuzzPageToken(input);
  FuzzUrls(input);
  FuzzConfig(input);
  return 0;
}
