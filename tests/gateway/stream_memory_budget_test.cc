#include "service/gateway/stream_memory_budget.h"

#include <atomic>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/cancellation.h"
#include "service/common/heap_trimmer.h"
#include "service/common/status.h"
#include "service/gateway/stream_calls.h"
#include "service/restapi/file_json.h"
#include "tests/restapi/sample_files.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::gateway {
namespace {

using Reservation = StreamMemoryBudget::Reservation;

TEST(StreamMemoryBudgetTest, ReservesWhatFitsAndGivesItBack) {
  auto budget = StreamMemoryBudget::Create(1000);
  std::optional<Reservation> a = budget->TryReserve(600);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(budget->TryReserve(401).has_value());
  // Fits, but not with 100 bytes left to others.
  EXPECT_FALSE(budget->TryReserve(301, /*keep_free=*/100).has_value());
  std::optional<Reservation> b = budget->TryReserve(400);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(budget->stats().held_bytes, 1000);
  // A page trued up to its real size may go past the budget...
  b->Resize(700);
  EXPECT_EQ(budget->stats().held_bytes, 1300);
  EXPECT_FALSE(budget->TryReserve(1).has_value());
  // ...and what is released, by moving or ending, comes back.
  Reservation moved = *std::move(a);
  a.reset();
  EXPECT_EQ(budget->stats().held_bytes, 1300);
  moved.Release();
  b.reset();
  EXPECT_EQ(budget->stats().held_bytes, 0);
  EXPECT_EQ(budget->stats().budget_bytes, 1000);
}

TEST(StreamMemoryBudgetTest, ZeroMeansUnboundedButCounted) {
  auto budget = StreamMemoryBudget::Create(0);
  std::optional<Reservation> big = budget->TryReserve(int64_t{1} << 40);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(budget->stats().held_bytes, int64_t{1} << 40);
}

TEST(StreamMemoryBudgetTest, AWaiterGetsTheMemoryAnotherReleases) {
  auto budget = StreamMemoryBudget::Create(1000);
  std::optional<Reservation> held = budget->TryReserve(900);
  std::atomic<bool> reserved{false};
  std::thread waiter([&] {
    std::optional<Reservation> got =
        budget->Reserve(500, absl::InfiniteFuture(), /*cancellation=*/nullptr);
    reserved = got.has_value();
  });
  held.reset();
  waiter.join();
  EXPECT_TRUE(reserved);
  EXPECT_EQ(budget->stats().held_bytes, 0);  // the waiter's went with it
  EXPECT_EQ(budget->stats().refused, 0);
}

TEST(StreamMemoryBudgetTest, AWaitEndsAtItsDeadlineOrCancellation) {
  auto budget = StreamMemoryBudget::Create(1000);
  std::optional<Reservation> held = budget->TryReserve(1000);
  EXPECT_FALSE(budget->Reserve(1, absl::Now(), nullptr).has_value());
  Cancellation cancellation;
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    EXPECT_FALSE(
        budget->Reserve(1, absl::InfiniteFuture(), &cancellation).has_value());
    returned = true;
  });
  cancellation.Cancel();
  waiter.join();
  EXPECT_TRUE(returned);
  // The deadline's was a refusal; the cancelled caller's was not.
  EXPECT_EQ(budget->stats().refused, 1);
}

TEST(StreamMemoryBudgetTest, MoreThanTheWholeBudgetWaitsForAllOfIt) {
  auto budget = StreamMemoryBudget::Create(1000);
  std::optional<Reservation> all =
      budget->Reserve(5000, absl::Now(), /*cancellation=*/nullptr);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->bytes(), 1000);
}

TEST(StreamMemoryBudgetTest, TheEndOfABurstAsksOnceForMemoryToBeReturned) {
  int bursts_over = 0;
  auto budget = StreamMemoryBudget::Create(0, [&] { ++bursts_over; });
  const int64_t burst = StreamMemoryBudget::kBurstBytes;
  std::optional<Reservation> a = budget->TryReserve(burst / 2);
  std::optional<Reservation> b = budget->TryReserve(burst / 2);
  a.reset();
  EXPECT_EQ(bursts_over, 0);  // half of the peak still held
  b->Resize(burst / 32);      // below a sixteenth of the peak
  EXPECT_EQ(bursts_over, 1);
  b.reset();
  EXPECT_EQ(bursts_over, 1);  // small changes after it are no new burst
  // A small reservation's rise and fall is no burst at all.
  budget->TryReserve(1 << 20);
  EXPECT_EQ(bursts_over, 1);
}

TEST(StreamMemoryBudgetTest, RefusalsCarryRetryInfoAndAReason) {
  absl::Status refusal = StreamMemoryExhaustedError("a new stream");
  EXPECT_EQ(refusal.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(refusal), "STREAM_MEMORY_EXHAUSTED");
  EXPECT_EQ(RetryAfter(refusal), absl::Seconds(1));
}

// A page as the upstream sends it (include=appdata), mapped: the estimate a
// page is reserved at before it arrives (twice the per-file estimate: body
// and mapping at once) covers both, and is not wildly above them.
TEST(StreamMemoryBudgetTest, TheFileEstimateBoundsAMappedPage) {
  constexpr int kFiles = 1000;
  std::string body = R"({"next":null,"previous":null,"total":1000,)"
                     R"("per_page":1000,"results":[)";
  restapi::FileJsonOptions options;
  options.version = ApiVersion::kV07;
  options.include_appdata = true;
  for (int i = 0; i < kFiles; ++i) {
    if (i > 0) body.push_back(',');
    restapi::AppendFileJson(restapi::testing::SampleFile(i), options, &body);
  }
  body.append("]}");
  uploadcare::gateway::v1::ListFilesResponse page;
  std::string next_url;
  ASSERT_THAT(restapi::ParseFileListPage(body, &page, &next_url), IsOk());
  ASSERT_EQ(page.files_size(), kFiles);
  const int64_t mapped_per_file =
      static_cast<int64_t>(page.SpaceUsedLong()) / kFiles;
  const int64_t body_per_file = static_cast<int64_t>(body.size()) / kFiles;
  std::printf("per file: %lld bytes mapped, %lld bytes of JSON\n",
              static_cast<long long>(mapped_per_file),
              static_cast<long long>(body_per_file));
  EXPECT_LE(mapped_per_file, kFileBytesEstimate);
  EXPECT_LE(body_per_file, kFileBytesEstimate);
  EXPECT_GE(mapped_per_file + body_per_file, kFileBytesEstimate / 2);
}

TEST(HeapTrimmerTest, TrimsOnRequestOnItsOwnThread) {
  HeapTrimmer trimmer;
  trimmer.Request();
  trimmer.AwaitTrims(1);
  EXPECT_GE(trimmer.trims(), 1);
}

}  // namespace
}  // namespace ucgate::gateway
