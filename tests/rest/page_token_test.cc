#include "service/upstream/page_token.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/url.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
namespace v1 = ::uploadcare::gateway::v1;

TEST(PageTokenTest, RoundTripsTheCursor) {
  v1::ListFilesRequest request;
  request.set_stored(true);
  uint64_t fingerprint = ListingFingerprint("main", request);
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
  uint64_t base = ListingFingerprint("main", request);
  v1::ListFilesRequest paged = request;
  paged.set_page_size(7);
  paged.set_page_token("x");
  EXPECT_EQ(ListingFingerprint("main", paged), base);
  v1::ListFilesRequest filtered = request;
  filtered.set_include_appdata(true);
  EXPECT_NE(ListingFingerprint("main", filtered), base);
  EXPECT_NE(ListingFingerprint("other", request), base);
  v1::ListFilesRequest unset;  // removed unset differs from removed=false
  EXPECT_NE(ListingFingerprint("main", unset), base);
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

TEST(UrlTest, EncodesAndParsesQueries) {
  EXPECT_EQ(UrlEncode("2022-09-28T15:53:36.08+00:00"),
            "2022-09-28T15%3A53%3A36.08%2B00%3A00");
  auto params = ParseQueryOfUrl(
      "https://api.uploadcare.com/files/?limit=2&ordering=-datetime_uploaded"
      "&from=2022-09-28T15%3A53%3A36.082137%2B00%3A00&offset=0");
  ASSERT_THAT(params.status(), IsOk());
  EXPECT_THAT(
      *params,
      ElementsAre(Pair("limit", "2"), Pair("ordering", "-datetime_uploaded"),
                  Pair("from", "2022-09-28T15:53:36.082137+00:00"),
                  Pair("offset", "0")));
  EXPECT_THAT(
      ParseQueryOfUrl("/x?a=%zz").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("percent")));
  EXPECT_EQ(WithQuery("/files/", {{"a", "1"}, {"b", "x y"}}),
            "/files/?a=1&b=x%20y");
}

TEST(UrlTest, ParsesBaseUrls) {
  auto base = ParseBaseUrl("https://api.uploadcare.com");
  ASSERT_THAT(base.status(), IsOk());
  EXPECT_EQ(base->origin, "https://api.uploadcare.com");
  EXPECT_EQ(base->path_prefix, "");
  EXPECT_TRUE(base->https);
  base = ParseBaseUrl("http://127.0.0.1:8080/prefix/");
  ASSERT_THAT(base.status(), IsOk());
  EXPECT_EQ(base->origin, "http://127.0.0.1:8080");
  EXPECT_EQ(base->path_prefix, "/prefix");
  EXPECT_FALSE(base->https);
  EXPECT_THAT(ParseBaseUrl("ftp://x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http")));
  EXPECT_THAT(ParseBaseUrl("https://x/?q=1").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("query")));
}

}  // namespace
}  // namespace ucgate::upstream
