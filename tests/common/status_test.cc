#include "service/common/status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/secret.h"
#include "service/common/uuid.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(StatusTest, InvalidFieldNamesTheField) {
  absl::Status status = InvalidFieldError("uuid", "must be a UUID");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "uuid: must be a UUID"));
  EXPECT_THAT(FieldViolations(status),
              ElementsAre(Pair("uuid", "must be a UUID")));
}

TEST(StatusTest, FieldViolationsMerge) {
  absl::Status status = InvalidFieldError("a", "x");
  status = WithFieldViolations(status, {{"b", "y"}});
  EXPECT_THAT(FieldViolations(status),
              ElementsAre(Pair("a", "x"), Pair("b", "y")));
}

TEST(StatusTest, RetryAfterRoundTrips) {
  absl::Status status = WithRetryAfter(
      absl::ResourceExhaustedError("throttled"), absl::Milliseconds(10500));
  EXPECT_EQ(RetryAfter(status), absl::Milliseconds(10500));
  EXPECT_EQ(RetryAfter(absl::InternalError("x")), std::nullopt);
}

TEST(StatusTest, DetailsAreNotAttachedToOk) {
  EXPECT_TRUE(WithRetryAfter(absl::OkStatus(), absl::Seconds(1)).ok());
  EXPECT_EQ(RetryAfter(WithRetryAfter(absl::OkStatus(), absl::Seconds(1))),
            std::nullopt);
}

TEST(StatusTest, ErrorInfoAndAnnotateKeepDetails) {
  absl::Status status =
      WithErrorInfo(absl::InternalError("bad key"), "UPSTREAM_AUTH");
  absl::Status annotated = Annotate(status, "GetFile");
  EXPECT_THAT(annotated,
              StatusIs(absl::StatusCode::kInternal, "GetFile: bad key"));
  EXPECT_EQ(ErrorReason(annotated), "UPSTREAM_AUTH");
}

TEST(SecretTest, CannotBeFormattedByAccident) {
  static_assert(!std::is_convertible_v<Secret, absl::AlphaNum>);
  static_assert(!std::is_convertible_v<Secret, absl::string_view>);
  static_assert(!std::is_convertible_v<Secret, std::string>);
  Secret secret("demoprivatekey");
  EXPECT_EQ(secret.Reveal(), "demoprivatekey");
}

TEST(UuidTest, AcceptsOnlyCanonicalForm) {
  EXPECT_TRUE(IsValidUuid("2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6"));
  EXPECT_TRUE(IsValidUuid("2E17F5D1-D423-4DE6-8EE5-6773CC4A7FA6"));
  EXPECT_FALSE(IsValidUuid("nonexistent"));
  EXPECT_FALSE(IsValidUuid("2e17f5d1d4234de68ee56773cc4a7fa6"));
  EXPECT_FALSE(IsValidUuid("2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6/../x"));
  EXPECT_FALSE(IsValidUuid("2e17f5d1-d423-4de6-8ee5-6773cc4a7fag"));
}

}  // namespace
}  // namespace ucgate
