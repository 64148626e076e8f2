// Signing primitives against the reference test vectors.
#include "service/restapi/signing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::restapi {
namespace {

using ::testing::HasSubstr;

// Vectors from ../shared/reference/rest-api-v0.7.md ("Test vectors").
constexpr char kVectorDate[] = "Mon, 05 Nov 2018 13:14:41 GMT";
constexpr char kVectorUri[] = "/files/?limit=1&stored=true";

absl::Time VectorTime() { return *ParseHttpDate(kVectorDate); }

TEST(SigningTest, DocumentedSignature) {
  std::string sign_string =
      BuildSignString("GET", "", "application/json", kVectorDate, kVectorUri);
  EXPECT_EQ(sign_string,
            "GET\nd41d8cd98f00b204e9800998ecf8427e\napplication/json\n"
            "Mon, 05 Nov 2018 13:14:41 GMT\n/files/?limit=1&stored=true");
  EXPECT_EQ(HmacSha1Hex("demoprivatekey", sign_string),
            "3cbc4d2cf91f80c1ba162b926f8a975e8bec7995");
  EXPECT_EQ(HmacSha1Hex("YOUR_SECRET_KEY", sign_string),
            "6d71c0f3769021d56765bc2dfb3e168a64d25e4b");
}

TEST(SigningTest, BodyHash) {
  EXPECT_EQ(Md5Hex("{\"foo\":\"bar\"}"), "9bb58f26192e4ba00f01e2e7b136bbd8");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(SigningTest, HttpDateRoundTrips) {
  EXPECT_EQ(FormatHttpDate(VectorTime()), kVectorDate);
  EXPECT_EQ(*ParseHttpDate("Mon, 05 Nov 2018 13:14:41 +0000"), VectorTime());
  EXPECT_THAT(
      ParseHttpDate("yesterday"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("RFC 2822")));
}

}  // namespace
}  // namespace ucgate::restapi
