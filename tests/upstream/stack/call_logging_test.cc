// The logging layer: each call's operation, project, outcome and latency,
// never bodies.
#include "service/upstream/stack/call_logging.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing_util/log_capture.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::HasSubstr;
using ::testing::Return;
using ::ucgate::testing::MockFileOperations;

TEST(LoggingDecoratorTest, LogsOutcomeWithoutBodies) {
  auto mock = std::make_shared<::testing::StrictMock<MockFileOperations>>();
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1000));
  auto logging = MakeLogging<FileOperations>(mock, "main", clock);
  testing::LogCapture logs;
  EXPECT_CALL(*mock, GetFile)
      .WillOnce(Return(absl::NotFoundError("upstream: Not found.")));
  EXPECT_THAT(logging->GetFile({}, {}),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  const std::vector<std::string> lines = logs.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0],
              ::testing::HasSubstr("op=GetFile project=main status=NOT_FOUND"));
}

}  // namespace
}  // namespace ucgate::upstream
