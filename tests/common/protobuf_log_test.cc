// libprotobuf's own log lines go through the gateway's log, throttled.
#include "service/common/protobuf_log.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "gtest/gtest.h"
#include "tests/testing_util/log_capture.h"

namespace ucgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(ProtobufLogTest, LinesAreRoutedAndThrottled) {
  absl::Time now = absl::UnixEpoch();
  RouteProtobufLogs(absl::Seconds(10), [&now] { return now; });
  testing::LogCapture capture;
  for (int i = 0; i < 100; ++i) {
    GOOGLE_LOG(ERROR) << "String field contains invalid UTF-8 data";
  }
  EXPECT_THAT(capture.LinesContaining("protobuf: "), SizeIs(1));
  now += absl::Seconds(11);
  GOOGLE_LOG(ERROR) << "String field contains invalid UTF-8 data";
  const auto lines = capture.LinesContaining("protobuf: ");
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[1], HasSubstr("(99 similar lines dropped)"));
}

TEST(ProtobufLogTest, ARealParseFailureIsLoggedOnce) {
  absl::Time now = absl::UnixEpoch();
  RouteProtobufLogs(absl::Seconds(10), [&now] { return now; });
  testing::LogCapture capture;
  // A string field with invalid UTF-8, as a hostile caller would send it.
  const std::string wire("\x0a\x03\x0a\x01\xff", 5);
  for (int i = 0; i < 20; ++i) {
    google::protobuf::Struct parsed;
    EXPECT_FALSE(parsed.ParseFromString(wire));
  }
  EXPECT_THAT(capture.LinesContaining("protobuf: "), SizeIs(1));
}

}  // namespace
}  // namespace ucgate
