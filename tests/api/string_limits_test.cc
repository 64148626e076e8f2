// Hostile input: every string a request carries upstream is bounded, refused
// with INVALID_ARGUMENT naming the field, and never echoed in full.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/limits.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kUuid[] = "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6";
const std::string kHuge(40 * 1024, 'A');

// Refused naming `field`, stating the length, echoing none of the value.
template <typename Request>
void ExpectTooLong(const Request& request, const std::string& field,
                   size_t length) {
  absl::Status status = ValidateCall(request, "demo", ApiVersion::kV07);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(absl::StrCat("got ", length))))
      << field;
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("AAAAAAAA")));
  ASSERT_THAT(FieldViolations(status), SizeIs(1)) << status;
  EXPECT_EQ(FieldViolations(status)[0].first, field);
}

TEST(StringLimitsTest, SearchFilenameIsBounded) {
  v1::SearchFilesRequest search;
  search.set_filename_contains(std::string(kMaxFilenameLength, 'a'));
  EXPECT_THAT(ValidateCall(search, "demo", ApiVersion::kV07), IsOk());
  search.set_filename_contains(std::string(kMaxFilenameLength + 1, 'a'));
  ExpectTooLong(search, "filename_contains", kMaxFilenameLength + 1);
}

TEST(StringLimitsTest, CopyFieldsAreBounded) {
  v1::CopyFileToRemoteStorageRequest copy;
  copy.set_source(kUuid);
  copy.set_target(std::string(kMaxStorageNameLength + 1, 't'));
  ExpectTooLong(copy, "target", kMaxStorageNameLength + 1);
  copy.set_target("backup");
  copy.set_pattern(std::string(kMaxCopyPatternLength + 1, 'p'));
  ExpectTooLong(copy, "pattern", kMaxCopyPatternLength + 1);
  copy.set_pattern("${default}");
  EXPECT_THAT(ValidateCall(copy, "demo", ApiVersion::kV07), IsOk());
  copy.set_source(absl::StrCat("https://ucarecdn.com/", kHuge));
  ExpectTooLong(copy, "source", copy.source().size());
}

TEST(StringLimitsTest, MapKeysAndValuesAreBounded) {
  v1::CopyFileToLocalStorageRequest copy;
  copy.set_source(kUuid);
  (*copy.mutable_metadata())[kHuge] = "v";
  ExpectTooLong(copy, "metadata key", kHuge.size());
  copy.mutable_metadata()->clear();
  (*copy.mutable_metadata())["k"] = kHuge;
  ExpectTooLong(copy, "metadata value", kHuge.size());
}

TEST(StringLimitsTest, NestedAndRepeatedStringsAreNamedByPath) {
  v1::ConvertDocumentRequest convert;
  convert.add_conversions()->set_uuid(kUuid);
  convert.add_conversions()->set_uuid(kHuge);
  ExpectTooLong(convert, "conversions[1].uuid", kHuge.size());
  v1::ReplaceFileTagsRequest tags;
  tags.set_uuid(kUuid);
  tags.add_tags("ok");
  tags.add_tags(kHuge);
  ExpectTooLong(tags, "tags[1]", kHuge.size());
}

TEST(StringLimitsTest, WebhookTargetIsBounded) {
  v1::CreateWebhookRequest create;
  create.set_target_url(absl::StrCat("https://example.com/", kHuge));
  ExpectTooLong(create, "target_url", create.target_url().size());
}

TEST(StringLimitsTest, BadValuesUnderTheLimitAreQuotedShort) {
  // Under kMaxStringLength, but no UUID: the message quotes a prefix only.
  v1::GetFileRequest get;
  get.set_uuid(std::string(kMaxStringLength, 'B'));
  absl::Status status = ValidateCall(get, "demo", ApiVersion::kV07);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("(2048 bytes)")));
  EXPECT_LT(status.message().size(), 200u);
  ASSERT_THAT(FieldViolations(status), SizeIs(1));
  EXPECT_LT(FieldViolations(status)[0].second.size(), 200u);
}

TEST(QuoteValueTest, ShortValuesWholeLongOnesCutWithTheirLength) {
  EXPECT_EQ(QuoteValue("abc"), "'abc'");
  EXPECT_EQ(QuoteValue("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(QuoteValue(std::string(100, 'x')),
            absl::StrCat("'", std::string(kMaxQuotedValueLength, 'x'),
                         "...' (100 bytes)"));
  // Never cut inside a UTF-8 sequence ("é" is two bytes).
  std::string accents(kMaxQuotedValueLength - 1, 'x');
  for (int i = 0; i < 10; ++i) accents += "\xC3\xA9";
  EXPECT_EQ(QuoteValue(accents),
            absl::StrCat("'", std::string(kMaxQuotedValueLength - 1, 'x'),
                         "...' (", accents.size(), " bytes)"));
}

}  // namespace
}  // namespace ucgate::api
