#include "service/upstream/stack/batch_splitting.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/blocking_executor.h"
#include "service/restapi/limits.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::upstream {
namespace {

using ::testing::_;
using ::testing::ElementsAreArray;
using ::testing::Invoke;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using ::ucgate::testing::MockFileOperations;

std::string UuidNumber(int i) {
  return absl::StrCat("00000000-0000-4000-8000-",
                      absl::Dec(i, absl::kZeroPad12));
}

// Answers a batch by storing every UUID, except those in `missing`.
v1::BatchStoreFilesResponse StoreAll(
    const v1::BatchStoreFilesRequest& request,
    const std::set<std::string>& missing = {}) {
  v1::BatchStoreFilesResponse response;
  for (const std::string& uuid : request.uuids()) {
    if (missing.count(uuid)) {
      (*response.mutable_problems())[uuid] = "Missing in the project";
    } else {
      response.add_files()->set_uuid(uuid);
    }
  }
  return response;
}

class BatchSplittingTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileOperations> Make(
      int concurrency, std::shared_ptr<BlockingExecutor> executor) {
    return MakeBatchSplittingFileOperations(
        mock_, {restapi::kMaxUuidsPerRequest, concurrency},
        std::move(executor));
  }

  std::shared_ptr<MockFileOperations> mock_ =
      std::make_shared<::testing::StrictMock<MockFileOperations>>();
  CallContext context_;
};

TEST_F(BatchSplittingTest, SplitsIntoHundredsAndMergesInOrder) {
  v1::BatchStoreFilesRequest request;
  std::vector<std::string> uuids;
  for (int i = 0; i < 250; ++i) {
    uuids.push_back(UuidNumber(i));
    request.add_uuids(uuids.back());
  }
  absl::Mutex mutex;
  std::vector<int> sizes;
  EXPECT_CALL(*mock_, BatchStoreFiles(_, _))
      .Times(3)
      .WillRepeatedly(Invoke(
          [&](const CallContext&, const v1::BatchStoreFilesRequest& chunk) {
            absl::MutexLock lock(&mutex);
            sizes.push_back(chunk.uuids_size());
            return StoreAll(chunk, {UuidNumber(7), UuidNumber(201)});
          }));
  auto executor = std::make_shared<BlockingExecutor>(3, 0);
  auto stored = Make(4, executor)->BatchStoreFiles(context_, request);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_THAT(sizes, UnorderedElementsAre(100, 100, 50));
  std::vector<std::string> expected;
  for (const std::string& uuid : uuids) {
    if (uuid != UuidNumber(7) && uuid != UuidNumber(201))
      expected.push_back(uuid);
  }
  std::vector<std::string> answered;
  for (const v1::File& file : stored->files()) answered.push_back(file.uuid());
  // Request order, whichever chunk finished first.
  EXPECT_THAT(answered, ElementsAreArray(expected));
  EXPECT_THAT(
      stored->problems(),
      UnorderedElementsAre(Pair(UuidNumber(7), "Missing in the project"),
                           Pair(UuidNumber(201), "Missing in the project")));
}

TEST_F(BatchSplittingTest, InvalidUuidsAreProblemsAndDuplicatesCollapse) {
  v1::BatchDeleteFilesRequest request;
  request.add_uuids(UuidNumber(1));
  request.add_uuids("not-a-uuid");
  request.add_uuids(UuidNumber(1));
  request.add_uuids(UuidNumber(2));
  request.add_uuids("not-a-uuid");
  EXPECT_CALL(*mock_, BatchDeleteFiles(_, _))
      .WillOnce(Invoke(
          [](const CallContext&, const v1::BatchDeleteFilesRequest& chunk) {
            EXPECT_THAT(chunk.uuids(),
                        ElementsAreArray({UuidNumber(1), UuidNumber(2)}));
            v1::BatchDeleteFilesResponse response;
            for (const auto& uuid : chunk.uuids())
              response.add_files()->set_uuid(uuid);
            return response;
          }));
  auto deleted = Make(4, nullptr)->BatchDeleteFiles(context_, request);
  ASSERT_THAT(deleted.status(), IsOk());
  EXPECT_THAT(deleted->files(), SizeIs(2));
  EXPECT_THAT(
      deleted->problems(),
      UnorderedElementsAre(Pair("not-a-uuid", restapi::kInvalidUuidProblem)));
}

TEST_F(BatchSplittingTest, OnlyInvalidUuidsMakeNoUpstreamCall) {
  v1::BatchStoreFilesRequest request;
  request.add_uuids("nope");
  auto stored = Make(4, nullptr)->BatchStoreFiles(context_, request);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_THAT(stored->problems(),
              UnorderedElementsAre(Pair("nope", restapi::kInvalidUuidProblem)));
}

TEST_F(BatchSplittingTest, AFailedChunkIsReportedPerUuidAndTheRestIsDone) {
  v1::BatchStoreFilesRequest request;
  for (int i = 0; i < 300; ++i) request.add_uuids(UuidNumber(i));
  EXPECT_CALL(*mock_, BatchStoreFiles(_, _))
      .Times(3)
      .WillRepeatedly(
          Invoke([](const CallContext&, const v1::BatchStoreFilesRequest& chunk)
                     -> absl::StatusOr<v1::BatchStoreFilesResponse> {
            if (chunk.uuids(0) == UuidNumber(100)) {
              return absl::UnavailableError("upstream down");
            }
            return StoreAll(chunk);
          }));
  auto stored = Make(2, std::make_shared<BlockingExecutor>(1, 0))
                    ->BatchStoreFiles(context_, request);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_THAT(stored->files(), SizeIs(200));
  ASSERT_THAT(stored->problems(), SizeIs(100));
  EXPECT_EQ(stored->problems().at(UuidNumber(150)),
            "UNAVAILABLE: upstream down");
  EXPECT_EQ(stored->problems().count(UuidNumber(0)), 0u);
}

TEST_F(BatchSplittingTest, EveryChunkFailingIsTheCallsError) {
  v1::BatchStoreFilesRequest request;
  request.add_uuids(UuidNumber(1));
  EXPECT_CALL(*mock_, BatchStoreFiles(_, _))
      .WillOnce(::testing::Return(absl::UnauthenticatedError("bad key")));
  EXPECT_THAT(Make(4, nullptr)->BatchStoreFiles(context_, request),
              StatusIs(absl::StatusCode::kUnauthenticated, "bad key"));
}

TEST_F(BatchSplittingTest, OtherOperationsAreForwarded) {
  v1::GetFileRequest request;
  request.set_uuid(UuidNumber(1));
  v1::GetFileResponse answer;
  answer.mutable_file()->set_uuid(UuidNumber(1));
  EXPECT_CALL(*mock_, GetFile(_, _)).WillOnce(::testing::Return(answer));
  auto file = Make(4, nullptr)->GetFile(context_, request);
  ASSERT_THAT(file.status(), IsOk());
  EXPECT_EQ(file->file().uuid(), UuidNumber(1));
}

// Waits until the executor's helpers are all started and idle.
void AwaitIdle(BlockingExecutor& executor, int helpers) {
  while (executor.idle_workers() < helpers) std::this_thread::yield();
}

TEST(RunChunksTest, RunsAtMostMaxConcurrencyAtOnce) {
  constexpr int kChunks = 12;
  constexpr int kWidth = 3;
  BlockingExecutor executor(8, 0);
  AwaitIdle(executor, 8);
  struct Counters {
    int running = 0;
    int entered = 0;
  };
  absl::Mutex mutex;
  Counters counters;
  int peak = 0;
  std::vector<int> ran(kChunks, 0);
  RunChunks(kChunks, kWidth, &executor, [&](size_t chunk) {
    absl::MutexLock lock(&mutex);
    ++counters.running;
    ++counters.entered;
    peak = std::max(peak, counters.running);
    // Hold each chunk until the width is used (or no chunk is left to
    // start), so that the bound is exercised, not left to luck.
    mutex.Await(absl::Condition(
        +[](Counters* c) {
          return c->running >= kWidth || c->entered == kChunks;
        },
        &counters));
    ++ran[chunk];
    --counters.running;
  });
  EXPECT_EQ(peak, kWidth);
  EXPECT_THAT(ran, ::testing::Each(1));
}

TEST(RunChunksTest, CallerDoesTheWorkWhenHelpersAreBusy) {
  auto executor = std::make_shared<BlockingExecutor>(1, 0);
  AwaitIdle(*executor, 1);
  absl::Notification release;
  absl::Notification helper_busy;
  ASSERT_TRUE(executor->TrySchedule([&] {
    helper_busy.Notify();
    release.WaitForNotification();
  }));
  helper_busy.WaitForNotification();
  std::vector<std::thread::id> threads(5);
  RunChunks(5, 4, executor.get(),
            [&](size_t chunk) { threads[chunk] = std::this_thread::get_id(); });
  release.Notify();
  EXPECT_THAT(threads, ::testing::Each(std::this_thread::get_id()));
}

}  // namespace
}  // namespace ucgate::upstream
