#include "service/upstream/stack/retrying.h"

#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/log.h"
#include "service/common/status.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Return;
using ::ucgate::testing::MockFileOperations;

class RetryTest : public ::testing::Test {
 protected:
  RetryTest()
      : mock_(std::make_shared<::testing::StrictMock<MockFileOperations>>()),
        clock_(std::make_shared<ManualClock>(absl::FromUnixSeconds(1000))) {
    RetryOptions options;
    options.max_attempts = 4;
    options.initial_backoff = absl::Milliseconds(100);
    options.max_backoff = absl::Milliseconds(250);
    retrying_ = MakeRetrying<FileOperations>(
        mock_, options, clock_,
        [this](absl::Duration delay, const Cancellation* cancellation) {
          sleeps_.push_back(delay);
          sleeper_saw_cancellation_ = cancellation;
          if (cancel_while_sleeping_) context_.cancellation->Cancel();
          clock_->Advance(delay);
        },
        [] { return 1.0; });  // jitter at its maximum: delays are exact
  }

  std::shared_ptr<::testing::StrictMock<MockFileOperations>> mock_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<FileOperations> retrying_;
  std::vector<absl::Duration> sleeps_;
  const Cancellation* sleeper_saw_cancellation_ = nullptr;
  bool cancel_while_sleeping_ = false;
  CallContext context_;
};

TEST_F(RetryTest, RetriesUnavailableWithTruncatedExponentialBackoff) {
  v1::GetFileResponse ok;
  ok.mutable_file()->set_uuid("u");
  EXPECT_CALL(*mock_, GetFile)
      .WillOnce(Return(absl::UnavailableError("503")))
      .WillOnce(Return(absl::UnavailableError("503")))
      .WillOnce(Return(absl::UnavailableError("reset")))
      .WillOnce(Return(ok));
  auto result = retrying_->GetFile(context_, {});
  ASSERT_THAT(result.status(), IsOk());
  EXPECT_EQ(result->file().uuid(), "u");
  EXPECT_THAT(sleeps_,
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                          absl::Milliseconds(250)));
}

TEST_F(RetryTest, GivesUpAfterMaxAttempts) {
  EXPECT_CALL(*mock_, StoreFile)
      .Times(4)
      .WillRepeatedly(Return(absl::UnavailableError("down")));
  EXPECT_THAT(retrying_->StoreFile(context_, {}),
              StatusIs(absl::StatusCode::kUnavailable, "down"));
  EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(RetryTest, NeverRetriesNonIdempotentCopies) {
  EXPECT_CALL(*mock_, CopyFileToLocalStorage)
      .WillOnce(Return(absl::UnavailableError("x")));
  EXPECT_CALL(*mock_, CopyFileToRemoteStorage)
      .WillOnce(Return(absl::UnavailableError("x")));
  EXPECT_THAT(retrying_->CopyFileToLocalStorage(context_, {}),
              StatusIs(absl::StatusCode::kUnavailable, "x"));
  EXPECT_THAT(retrying_->CopyFileToRemoteStorage(context_, {}),
              StatusIs(absl::StatusCode::kUnavailable, "x"));
  EXPECT_THAT(sleeps_, IsEmpty());
}

TEST_F(RetryTest, OnlyUnavailableIsTransient) {
  for (absl::Status error :
       {absl::NotFoundError("x"), absl::ResourceExhaustedError("x"),
        absl::DeadlineExceededError("x"), absl::CancelledError("x"),
        absl::InternalError("x"), absl::InvalidArgumentError("x")}) {
    EXPECT_CALL(*mock_, GetFile).WillOnce(Return(error));
    EXPECT_THAT(retrying_->GetFile(context_, {}), StatusIs(error.code(), "x"));
  }
  EXPECT_THAT(sleeps_, IsEmpty());
}

TEST_F(RetryTest, HonoursRetryAfterAndStopsAtTheDeadline) {
  context_.deadline = clock_->Now() + absl::Seconds(3);
  absl::Status busy =
      WithRetryAfter(absl::UnavailableError("busy"), absl::Seconds(2));
  EXPECT_CALL(*mock_, ListFiles).Times(2).WillRepeatedly(Return(busy));
  // First retry waits the 2 s the upstream asked for; a second 2 s wait would
  // pass the deadline, so the caller gets the error at once.
  EXPECT_THAT(retrying_->ListFiles(context_, {}),
              StatusIs(absl::StatusCode::kUnavailable, "busy"));
  EXPECT_THAT(sleeps_, ElementsAre(absl::Seconds(2)));
}

TEST_F(RetryTest, ARetryAfterBeyondTheCapIsLeftToTheCaller) {
  // No deadline at all: only max_retry_after (2 s by default) bounds it.
  absl::Status busy =
      WithRetryAfter(absl::UnavailableError("busy"), absl::Seconds(30));
  EXPECT_CALL(*mock_, ListFiles).WillOnce(Return(busy));
  auto result = retrying_->ListFiles(context_, {});
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable, "busy"));
  EXPECT_EQ(RetryAfter(result.status()), absl::Seconds(30));
  EXPECT_THAT(sleeps_, IsEmpty());
}

TEST_F(RetryTest, ARetryAfterPastTheDeadlineIsNotWaited) {
  context_.deadline = clock_->Now() + absl::Seconds(1);
  absl::Status busy =
      WithRetryAfter(absl::UnavailableError("busy"), absl::Seconds(2));
  EXPECT_CALL(*mock_, GetFile).WillOnce(Return(busy));
  auto result = retrying_->GetFile(context_, {});
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable, "busy"));
  EXPECT_EQ(RetryAfter(result.status()), absl::Seconds(2));
  EXPECT_THAT(sleeps_, IsEmpty());
}

TEST_F(RetryTest, StopsWhenTheCallerCancels) {
  context_.cancellation = std::make_shared<Cancellation>();
  context_.cancellation->Cancel();
  EXPECT_CALL(*mock_, DeleteFile).WillOnce(Return(absl::UnavailableError("x")));
  EXPECT_THAT(retrying_->DeleteFile(context_, {}),
              StatusIs(absl::StatusCode::kUnavailable, "x"));
  EXPECT_THAT(sleeps_, IsEmpty());
}

TEST_F(RetryTest, ACancellationDuringTheBackoffEndsTheRetries) {
  context_.cancellation = std::make_shared<Cancellation>();
  cancel_while_sleeping_ = true;
  EXPECT_CALL(*mock_, DeleteFile).WillOnce(Return(absl::UnavailableError("x")));
  EXPECT_THAT(retrying_->DeleteFile(context_, {}),
              StatusIs(absl::StatusCode::kUnavailable, "x"));
  EXPECT_THAT(sleeps_, ElementsAre(absl::Milliseconds(100)));
  // The sleeper is given the caller's cancellation, to wake on it.
  EXPECT_EQ(sleeper_saw_cancellation_, context_.cancellation.get());
}

TEST(RealSleeperTest, ReturnsAtOnceWhenCancelled) {
  Cancellation cancelled;
  cancelled.Cancel();
  const absl::Time start = absl::Now();
  RealSleeper()(absl::Hours(1), &cancelled);
  EXPECT_LT(absl::Now() - start, absl::Minutes(1));
}

}  // namespace
}  // namespace ucgate::upstream
