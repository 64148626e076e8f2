#include "service/api/page_token.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace ucgate::api
