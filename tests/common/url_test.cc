// Query strings and base URLs (service/common/url.h).
#include "service/common/url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

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
}  // namespace ucgate
