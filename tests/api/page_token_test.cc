#include "service/api/page_token.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/listing_filters.h"
#include "service/api/request_validation.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::api {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::uploadcare::gateway::v1;

TEST(PageTokenTest, RoundTripsTheCursor) {
  v1::ListFilesRequest request;
  request.set_stored(true);
  uint64_t fingerprint = PagedRequestFingerprint("main", request);
  std::string token =
      EncodePageToken({"2022-09-28T15:53:36.082137+00:00", 7}, fingerprint);
  EXPECT_THAT(token, ::testing::Not(HasSubstr("2022")));  // opaque
  auto cursor = DecodePageToken(token, fingerprint);
  ASSERT_THAT(cursor.status(), IsOk());
  EXPECT_EQ(cursor->from, "2022-09-28T15:53:36.082137+00:00");
  EXPECT_EQ(cursor->offset, 7);
}

TEST(PageTokenTest, FingerprintIgnoresPagingButNotFilters) {
  v1::ListFilesRequest request;
  request.set_removed(false);
  uint64_t base = PagedRequestFingerprint("main", request);
  v1::ListFilesRequest paged = request;
  paged.set_page_size(7);
  paged.set_page_token("x");
  EXPECT_EQ(PagedRequestFingerprint("main", paged), base);
  v1::ListFilesRequest filtered = request;
  filtered.set_include_appdata(true);
  EXPECT_NE(PagedRequestFingerprint("main", filtered), base);
  EXPECT_NE(PagedRequestFingerprint("other", request), base);
  v1::ListFilesRequest unset;  // removed unset differs from removed=false
  EXPECT_NE(PagedRequestFingerprint("main", unset), base);
}

TEST(PageTokenTest, RefusesForeignAndMalformedTokens) {
  uint64_t fingerprint = 42;
  std::string token = EncodePageToken({"x", 0}, 41);
  EXPECT_THAT(
      DecodePageToken(token, fingerprint),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  for (const char* bad : {"", "!!!", "MXxhYnw", "Mnw0MXwwfHg"}) {
    EXPECT_THAT(
        DecodePageToken(bad, fingerprint),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << bad;
  }
}

// The gateway checks tokens with the rest of the call, before scheduling
// anything: a token of other filters, of another project or of nothing at
// all is INVALID_ARGUMENT naming the field the caller sent.
TEST(PageTokenTest, ValidateCallRefusesForeignPageTokensNamingTheField) {
  v1::ListFilesRequest request;
  request.set_page_token(EncodePageToken(
      {"2015-09-10T10:00:00Z", 100}, PagedRequestFingerprint("main", request)));
  EXPECT_THAT(ValidateCall(request, "main", ApiVersion::kV07), IsOk());
  EXPECT_THAT(
      ValidateCall(request, "other", ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  request.set_stored(true);
  EXPECT_THAT(
      ValidateCall(request, "main", ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  v1::SearchFilesRequest search;
  search.set_query("holiday");
  search.set_page_token("garbage!");
  EXPECT_THAT(
      ValidateCall(search, "main", ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST(PageTokenTest, ValidateCallChecksResumeTokensAndThePageTokenInside) {
  v1::StreamFilesRequest stream;
  stream.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  const uint64_t stream_fingerprint = PagedRequestFingerprint("main", stream);
  const std::string page_token =
      EncodePageToken({"2015-09-10T10:00:00Z", 0},
                      PagedRequestFingerprint("main", PageRequestOf(stream)));
  stream.set_resume_token(
      EncodeResumeToken({page_token, 7}, stream_fingerprint));
  EXPECT_THAT(ValidateCall(stream, "main", ApiVersion::kV07), IsOk());
  // A resume token of other filters.
  v1::StreamFilesRequest other = stream;
  other.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED);
  EXPECT_THAT(
      ValidateCall(other, "main", ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("resume_token")));
  // A well-formed resume token around a page token that is not ours.
  stream.set_resume_token(
      EncodeResumeToken({"garbage!", 7}, stream_fingerprint));
  EXPECT_THAT(
      ValidateCall(stream, "main", ApiVersion::kV07),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("resume_token")));
}

}  // namespace
}  // namespace ucgate::api
