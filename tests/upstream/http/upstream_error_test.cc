// StatusFromHttpResponse: every upstream HTTP status and body shape maps to
// one canonical code with a short message and structured details.
#include "service/upstream/http/upstream_error.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "service/common/status.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::http {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Pair;
using ::testing::StartsWith;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2024, 5, 6, 7, 8, 9),
                                        absl::UTCTimeZone());

HttpResponse Response(int status, std::string body,
                      std::vector<HttpHeader> headers = {}) {
  HttpResponse response;
  response.status_code = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorInfoTypeUrl);
  if (payload) info.ParseFromString(std::string(*payload));
  return info;
}

struct StatusCase {
  int http_status;
  absl::StatusCode code;
  const char* reason;
};

class StatusTableTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(StatusTableTest, MapsCodeReasonAndHttpStatus) {
  const StatusCase& c = GetParam();
  const absl::Status status = StatusFromHttpResponse(
      Response(c.http_status, R"({"detail":"Something upstream."})"), kNow);
  EXPECT_EQ(status.code(), c.code) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("upstream: "));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("HTTP " + std::to_string(c.http_status)));
  const google::rpc::ErrorInfo info = ErrorInfoOf(status);
  EXPECT_EQ(info.reason(), c.reason);
  EXPECT_EQ(info.domain(), kErrorDomain);
  EXPECT_THAT(info.metadata(),
              Contains(Pair("http_status", std::to_string(c.http_status))));
  // Without Retry-After nothing invents a delay.
  EXPECT_EQ(RetryAfter(status), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(
    EveryStatus, StatusTableTest,
    ::testing::Values(
        StatusCase{400, absl::StatusCode::kInvalidArgument,
                   kUpstreamBadRequest},
        StatusCase{401, absl::StatusCode::kInternal,
                   kUpstreamCredentialsRejected},
        // A 403 whose detail is not about the keys (see the 403 tests).
        StatusCase{403, absl::StatusCode::kFailedPrecondition,
                   kUpstreamFeatureNotAvailable},
        StatusCase{404, absl::StatusCode::kNotFound, kUpstreamNotFound},
        StatusCase{410, absl::StatusCode::kNotFound, kUpstreamNotFound},
        StatusCase{406, absl::StatusCode::kInternal, kUpstreamVersionRejected},
        StatusCase{409, absl::StatusCode::kAborted, kUpstreamConflict},
        StatusCase{413, absl::StatusCode::kInvalidArgument,
                   kUpstreamPayloadTooLarge},
        StatusCase{429, absl::StatusCode::kResourceExhausted,
                   kUpstreamThrottled},
        StatusCase{402, absl::StatusCode::kFailedPrecondition,
                   kUpstreamRejected},
        StatusCase{405, absl::StatusCode::kFailedPrecondition,
                   kUpstreamRejected},
        StatusCase{422, absl::StatusCode::kFailedPrecondition,
                   kUpstreamRejected},
        StatusCase{500, absl::StatusCode::kUnavailable, kUpstreamUnavailable},
        StatusCase{501, absl::StatusCode::kUnavailable, kUpstreamUnavailable},
        StatusCase{502, absl::StatusCode::kUnavailable, kUpstreamUnavailable},
        StatusCase{503, absl::StatusCode::kUnavailable, kUpstreamUnavailable},
        StatusCase{504, absl::StatusCode::kUnavailable, kUpstreamUnavailable},
        StatusCase{599, absl::StatusCode::kUnavailable, kUpstreamUnavailable},
        StatusCase{301, absl::StatusCode::kInternal,
                   kUpstreamUnexpectedRedirect},
        StatusCase{302, absl::StatusCode::kInternal,
                   kUpstreamUnexpectedRedirect},
        StatusCase{304, absl::StatusCode::kInternal,
                   kUpstreamUnexpectedRedirect},
        StatusCase{100, absl::StatusCode::kInternal, kUpstreamUnexpectedStatus},
        StatusCase{0, absl::StatusCode::kInternal, kUpstreamUnexpectedStatus},
        StatusCase{600, absl::StatusCode::kInternal,
                   kUpstreamUnexpectedStatus}),
    [](const ::testing::TestParamInfo<StatusCase>& info) {
      return "Http" + std::to_string(info.param.http_status);
    });

TEST(UpstreamErrorTest, SuccessStatusesAreOk) {
  for (int status : {200, 201, 202, 204, 299}) {
    EXPECT_THAT(StatusFromHttpResponse(Response(status, "{}"), kNow), IsOk());
  }
}

// Recorded: rest_file_info_fail.yml (and every other "nonexistent" cassette).
TEST(UpstreamErrorTest, RecordedNotFound) {
  const absl::Status status =
      StatusFromHttpResponse(Response(404, R"({"detail":"Not found."})"), kNow);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound,
                               Eq("upstream: HTTP 404: Not found.")));
  EXPECT_THAT(FieldViolations(status), IsEmpty());
}

// Recorded: rest_file_external_copy.yml.
TEST(UpstreamErrorTest, RecordedBadRequestDetail) {
  const absl::Status status = StatusFromHttpResponse(
      Response(400,
               R"({"detail":"Project has no storage with provided name."})"),
      kNow);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("upstream: HTTP 400: Project has no storage with "
                          "provided name.")));
  EXPECT_THAT(FieldViolations(status), IsEmpty());
}

// Recorded: uc_clamav_virus_scan_nonexistent_uuid.yml.
TEST(UpstreamErrorTest, RecordedFieldMapBecomesFieldViolations) {
  const absl::Status status = StatusFromHttpResponse(
      Response(400, R"({"target":["Must be a valid UUID."]})"), kNow);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               Eq("upstream: HTTP 400: target: Must be a "
                                  "valid UUID.")));
  EXPECT_THAT(FieldViolations(status),
              ElementsAre(Pair("target", "Must be a valid UUID.")));
}

TEST(UpstreamErrorTest, MultiFieldMapListsEveryMessage) {
  const absl::Status status = StatusFromHttpResponse(
      Response(400, R"({"source":["This field is required."],
                        "store":["Must be a valid boolean.", "Bad value."],
                        "metadata":{"key":["Too long."]},
                        "non_field_errors":["Invalid combination."]})"),
      kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              AllOf(StartsWith("upstream: HTTP 400: "),
                    HasSubstr("source: This field is required."),
                    HasSubstr("store: Must be a valid boolean."),
                    HasSubstr("store: Bad value."),
                    HasSubstr("metadata.key: Too long."),
                    HasSubstr("Invalid combination.")));
  EXPECT_THAT(FieldViolations(status),
              ElementsAre(Pair("source", "This field is required."),
                          Pair("store", "Must be a valid boolean."),
                          Pair("store", "Bad value."),
                          Pair("metadata.key", "Too long.")));
}

TEST(UpstreamErrorTest, CredentialsRefusedIsAServerSideProblem) {
  const absl::Status status = StatusFromHttpResponse(
      Response(401, R"({"detail":"Incorrect authentication credentials."})"),
      kNow);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInternal,
                       Eq("upstream: the gateway's Uploadcare credentials were "
                          "refused (HTTP 401: Incorrect authentication "
                          "credentials.)")));
  EXPECT_THAT(ErrorReason(status),
              Optional(Eq("UPSTREAM_CREDENTIALS_REJECTED")));
}

// Recorded: rest_webhook_list_unpaid.yml. The keys were accepted; the
// project's plan forbids webhooks: the caller is told so, as it is.
TEST(UpstreamErrorTest, RecordedForbiddenFeatureIsAFailedPrecondition) {
  const absl::Status status = StatusFromHttpResponse(
      Response(403, R"({"detail":"You can't use webhooks"})"), kNow);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       Eq("upstream: the Uploadcare project may not do this "
                          "(HTTP 403: You can't use webhooks)")));
  EXPECT_THAT(ErrorReason(status),
              Optional(Eq("UPSTREAM_FEATURE_NOT_AVAILABLE")));
  EXPECT_THAT(FieldViolations(status), IsEmpty());
}

TEST(UpstreamErrorTest, PermissionDeniedIsAFeatureNotAvailable) {
  const absl::Status status = StatusFromHttpResponse(
      Response(403, R"({"detail":"You do not have permission to perform )"
                    R"(this action."})"),
      kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(ErrorReason(status),
              Optional(Eq("UPSTREAM_FEATURE_NOT_AVAILABLE")));
}

// Django REST framework answers some authentication failures with 403; a
// 403 without any message is read the same way.
TEST(UpstreamErrorTest, ForbiddenRefusingTheKeysIsAServerSideProblem) {
  for (const char* body :
       {R"({"detail":"Incorrect authentication credentials."})",
        R"({"detail":"Authentication credentials were not provided."})",
        R"({"detail":"Simple authentication over HTTP is forbidden. Please, )"
        R"(use HTTPS or signed requests instead."})",
        R"({"detail":"Invalid signature. Please check your Secret key."})",
        R"({"detail":"Public key 'demopublickey' not found."})", "{}", "",
        "<html><title>403 Forbidden</title></html>"}) {
    const absl::Status status =
        StatusFromHttpResponse(Response(403, body), kNow);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal,
                                 HasSubstr("credentials were refused")))
        << body;
    EXPECT_THAT(ErrorReason(status),
                Optional(Eq("UPSTREAM_CREDENTIALS_REJECTED")))
        << body;
  }
}

// Recorded: ws_rekognition_detect_moderation_labels_nonexistent_uuid.yml (a
// field map under 403, for a well-formed but unknown request id): quoted,
// but not blamed on the caller's fields.
TEST(UpstreamErrorTest, RecordedForbiddenFieldMapIsNotAFieldViolation) {
  const absl::Status status = StatusFromHttpResponse(
      Response(403, R"({"request_id":["Must be a valid UUID."]})"), kNow);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               Eq("upstream: HTTP 403: request_id: Must be a "
                                  "valid UUID.")));
  EXPECT_THAT(ErrorReason(status), Optional(Eq("UPSTREAM_REJECTED")));
  EXPECT_THAT(FieldViolations(status), IsEmpty());
}

TEST(UpstreamErrorTest, VersionRefused) {
  EXPECT_THAT(
      StatusFromHttpResponse(
          Response(406, R"({"detail":"Incorrect Accept header provided. )"
                        R"(Make sure to specify API version."})"),
          kNow),
      StatusIs(absl::StatusCode::kInternal,
               AllOf(HasSubstr("API version was refused"),
                     HasSubstr("Incorrect Accept header"))));
}

// Recorded: throttling.yml (429, Retry-After: 10).
TEST(UpstreamErrorTest, RecordedThrottlingCarriesRetryAfter) {
  const absl::Status status = StatusFromHttpResponse(
      Response(429, R"({"detail":"Not found."})", {{"retry-after", "10"}}),
      kNow);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted,
                               StartsWith("upstream: HTTP 429")));
  EXPECT_THAT(RetryAfter(status), Optional(absl::Seconds(10)));
}

TEST(UpstreamErrorTest, RetryAfterAsHttpDate) {
  const absl::Status status = StatusFromHttpResponse(
      Response(
          429,
          R"({"detail":"Request was throttled. Expected available in 10 seconds."})",
          {{"retry-after", "Mon, 06 May 2024 07:08:39 GMT"}}),
      kNow);
  EXPECT_THAT(RetryAfter(status), Optional(absl::Seconds(30)));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("Request was throttled. Expected available in 10 "
                        "seconds."));
}

TEST(UpstreamErrorTest, RetryAfterHttpDateFormsAndPastDates) {
  const std::vector<std::pair<std::string, absl::Duration>> cases = {
      {"Monday, 06-May-24 07:08:19 GMT", absl::Seconds(10)},    // RFC 850
      {"Mon May  6 07:08:14 2024", absl::Seconds(5)},           // asctime
      {"Mon, 06 May 2024 07:00:00 GMT", absl::ZeroDuration()},  // past
      {" 7 ", absl::Seconds(7)},
      {"0", absl::ZeroDuration()},
      {"99999999", absl::Hours(24)},
  };
  for (const auto& [header, delay] : cases) {
    SCOPED_TRACE(header);
    EXPECT_THAT(RetryDelayFromHeaders(
                    Response(429, "", {{"retry-after", header}}), kNow),
                Optional(delay));
  }
}

TEST(UpstreamErrorTest, LegacyThrottleHeader) {
  const absl::Status status = StatusFromHttpResponse(
      Response(429, "", {{"x-throttle-wait-seconds", "3"}}), kNow);
  EXPECT_THAT(RetryAfter(status), Optional(absl::Seconds(3)));
}

TEST(UpstreamErrorTest, UnparseableRetryAfterIsIgnored) {
  for (const char* header : {"soon", "-5", "1e9", "", "Mon, 99 Foo 2024"}) {
    SCOPED_TRACE(header);
    const absl::Status status = StatusFromHttpResponse(
        Response(429, "", {{"retry-after", header}}), kNow);
    EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(RetryAfter(status), std::nullopt);
  }
}

TEST(UpstreamErrorTest, ServiceUnavailableCarriesRetryAfter) {
  const absl::Status status =
      StatusFromHttpResponse(Response(503, "", {{"retry-after", "120"}}), kNow);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable,
                               Eq("upstream: HTTP 503")));
  EXPECT_THAT(RetryAfter(status), Optional(absl::Minutes(2)));
}

// Recorded: rest_file_info_no_connection.yml (a 301 HTML page from another
// host).
TEST(UpstreamErrorTest, RecordedRedirectPageNamesNoHost) {
  const absl::Status status = StatusFromHttpResponse(
      Response(301,
               "<HTML><HEAD><meta http-equiv=\"content-type\" "
               "content=\"text/html;charset=utf-8\">\n<TITLE>301 "
               "Moved</TITLE></HEAD><BODY>\n<H1>301 Moved</H1>\nThe document "
               "has moved\n<A "
               "HREF=\"https://www.google.com/files/nonexistent/\">here</A>."
               "\r\n</BODY></HTML>\r\n",
               {{"location", "https://www.google.com/files/nonexistent/"}}),
      kNow);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(Eq("upstream: unexpected redirect (HTTP 301)"),
                             Not(HasSubstr("google")))));
}

TEST(UpstreamErrorTest, HtmlErrorPageQuotesItsTitle) {
  EXPECT_THAT(
      StatusFromHttpResponse(
          Response(502,
                   "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                   "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
                   "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
          kNow),
      StatusIs(absl::StatusCode::kUnavailable,
               Eq("upstream: HTTP 502: 502 Bad Gateway")));
}

TEST(UpstreamErrorTest, HtmlWithoutTitleIsStrippedOfTags) {
  EXPECT_THAT(
      StatusFromHttpResponse(
          Response(500, "<p>Server <b>Error</b></p>\n<script>x</script>"),
          kNow),
      StatusIs(absl::StatusCode::kUnavailable,
               Eq("upstream: HTTP 500: Server Error x")));
}

TEST(UpstreamErrorTest, EmptyBodyGivesAGenericMessage) {
  EXPECT_THAT(StatusFromHttpResponse(Response(404, ""), kNow),
              StatusIs(absl::StatusCode::kNotFound, Eq("upstream: HTTP 404")));
  EXPECT_THAT(
      StatusFromHttpResponse(Response(400, "  \r\n"), kNow),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("upstream: HTTP 400")));
}

TEST(UpstreamErrorTest, GarbageBodiesNeverCrashAndStayShort) {
  const std::vector<std::string> bodies = {
      std::string("\x00\x01\x02\xff\xfe\x80", 6),
      "{\"detail\":",
      "{\"detail\": 42}",
      "[1, 2, 3]",
      "null",
      "{}",
      "\"\"",
      std::string(1 << 20, '{'),
      std::string(100000, 'A'),
      "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}",
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body.substr(0, 20));
    const absl::Status status =
        StatusFromHttpResponse(Response(500, body), kNow);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(status.message()),
                StartsWith("upstream: HTTP 500"));
    EXPECT_LE(status.message().size(), 120u);
    for (char c : status.message()) {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    }
  }
}

TEST(UpstreamErrorTest, PlainTextBodyIsQuotedSanitized) {
  EXPECT_THAT(
      StatusFromHttpResponse(
          Response(503, "Service\tTemporarily\r\nUnavailable\x01"), kNow),
      StatusIs(absl::StatusCode::kUnavailable,
               Eq("upstream: HTTP 503: Service Temporarily Unavailable")));
}

TEST(UpstreamErrorTest, LongDetailIsCut) {
  const absl::Status status = StatusFromHttpResponse(
      Response(400, "{\"detail\":\"" + std::string(5000, 'x') + "\"}"), kNow);
  EXPECT_LT(status.message().size(), 250u);
  EXPECT_THAT(std::string(status.message()), HasSubstr("xxx..."));
}

TEST(UpstreamErrorTest, MultiByteDetailIsCutOnACharacterBoundary) {
  std::string detail;
  for (int i = 0; i < 150; ++i) detail += "\xc3\xa9";  // "é"
  const absl::Status status = StatusFromHttpResponse(
      Response(404, "{\"detail\":\"" + detail + "\"}"), kNow);
  const std::string message(status.message());
  ASSERT_THAT(message, HasSubstr("..."));
  const std::string kept = message.substr(0, message.find("..."));
  EXPECT_EQ(kept.back(), '\xa9');
}

TEST(UpstreamErrorTest, BareStringAndListBodies) {
  EXPECT_THAT(
      StatusFromHttpResponse(Response(409, R"("Already running.")"), kNow),
      StatusIs(absl::StatusCode::kAborted,
               Eq("upstream: HTTP 409: Already running.")));
  EXPECT_THAT(
      StatusFromHttpResponse(Response(400, R"(["First.", "Second."])"), kNow),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("upstream: HTTP 400: First.; Second.")));
}

// The batch endpoints' answer to more than 100 UUIDs (reference v0.7 notes).
TEST(UpstreamErrorTest, UuidLimitDetail) {
  EXPECT_THAT(
      StatusFromHttpResponse(
          Response(400, R"({"detail":"Maximum UUIDs per request is exceeded. )"
                        R"(The limit is 100"})"),
          kNow),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("Maximum UUIDs per request is exceeded")));
}

}  // namespace
}  // namespace ucgate::http
