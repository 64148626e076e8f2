#include "service/upstream/auth/request_signer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/restapi/signing.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Vectors from ../shared/reference/rest-api-v0.7.md ("Test vectors").
constexpr char kVectorDate[] = "Mon, 05 Nov 2018 13:14:41 GMT";
constexpr char kVectorUri[] = "/files/?limit=1&stored=true";

absl::Time VectorTime() { return *restapi::ParseHttpDate(kVectorDate); }

TEST(RequestSignerTest, SignedSchemeAddsDateAndSignature) {
  auto clock = std::make_shared<ManualClock>(VectorTime());
  auto signer = MakeRequestSigner(AuthScheme::kSigned,
                                  {"testpk", Secret("demoprivatekey")}, clock);
  std::vector<http::HttpHeader> headers;
  signer->Sign(http::HttpMethod::kGet, kVectorUri, "application/json", "",
               headers);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].name, "Date");
  EXPECT_EQ(headers[0].value, kVectorDate);
  EXPECT_EQ(headers[1].name, "Authorization");
  EXPECT_EQ(headers[1].value,
            "Uploadcare testpk:3cbc4d2cf91f80c1ba162b926f8a975e8bec7995");
}

TEST(RequestSignerTest, EveryAttemptGetsAFreshDate) {
  auto clock = std::make_shared<ManualClock>(VectorTime());
  auto signer = MakeRequestSigner(AuthScheme::kSigned,
                                  {"testpk", Secret("demoprivatekey")}, clock);
  std::vector<http::HttpHeader> first, second;
  signer->Sign(http::HttpMethod::kGet, kVectorUri, "application/json", "",
               first);
  clock->Advance(absl::Seconds(3));
  signer->Sign(http::HttpMethod::kGet, kVectorUri, "application/json", "",
               second);
  EXPECT_EQ(second[0].value, "Mon, 05 Nov 2018 13:14:44 GMT");
  EXPECT_NE(first[1].value, second[1].value);
}

TEST(RequestSignerTest, SignatureCoversMethodBodyAndUri) {
  auto clock = std::make_shared<ManualClock>(VectorTime());
  auto signer = MakeRequestSigner(AuthScheme::kSigned,
                                  {"testpk", Secret("demoprivatekey")}, clock);
  auto sign = [&](http::HttpMethod method, absl::string_view uri,
                  absl::string_view body) {
    std::vector<http::HttpHeader> headers;
    signer->Sign(method, uri, "application/json", body, headers);
    return headers[1].value;
  };
  std::string base = sign(http::HttpMethod::kPut, "/files/storage/", "[\"a\"]");
  EXPECT_NE(base,
            sign(http::HttpMethod::kDelete, "/files/storage/", "[\"a\"]"));
  EXPECT_NE(base, sign(http::HttpMethod::kPut, "/files/storage/", "[\"b\"]"));
  EXPECT_NE(base,
            sign(http::HttpMethod::kPut, "/files/storage/?x=1", "[\"a\"]"));
}

TEST(RequestSignerTest, SignedSchemeNeverSendsTheSecret) {
  auto clock = std::make_shared<ManualClock>(VectorTime());
  auto signer = MakeRequestSigner(AuthScheme::kSigned,
                                  {"testpk", Secret("demoprivatekey")}, clock);
  std::vector<http::HttpHeader> headers;
  signer->Sign(http::HttpMethod::kGet, kVectorUri, "application/json", "",
               headers);
  for (const auto& header : headers) {
    EXPECT_THAT(header.value, Not(HasSubstr("demoprivatekey")));
  }
}

TEST(RequestSignerTest, SimpleScheme) {
  auto signer = MakeRequestSigner(AuthScheme::kSimple,
                                  {"testpk", Secret("demoprivatekey")},
                                  std::make_shared<ManualClock>(VectorTime()));
  std::vector<http::HttpHeader> headers;
  signer->Sign(http::HttpMethod::kGet, kVectorUri, "application/json", "",
               headers);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].value, "Uploadcare.Simple testpk:demoprivatekey");
}

}  // namespace
}  // namespace ucgate::auth
