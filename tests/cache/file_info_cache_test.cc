#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/cache/lru_file_info_cache.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::cache {
namespace {

using ::testing::HasSubstr;
using ::ucgate::testing::IsOk;
using ::ucgate::testing::StatusIs;

constexpr char kUuid[] = "3c269810-c17b-4e2c-92b6-25622464d866";

v1::File MakeFile(absl::string_view uuid, absl::string_view name = "a.png") {
  v1::File file;
  file.set_uuid(std::string(uuid));
  file.set_original_filename(std::string(name));
  file.set_is_ready(true);
  return file;
}

FileInfoCacheOptions Options(int64_t max_bytes, absl::Duration ttl) {
  FileInfoCacheOptions options;
  options.max_bytes = max_bytes;
  options.ttl = ttl;
  return options;
}

std::string UuidNumber(int i) {
  return absl::StrCat("00000000-0000-4000-8000-",
                      absl::Dec(i, absl::kZeroPad12));
}

class FileInfoCacheTest : public ::testing::Test {
 protected:
  void Make(FileInfoCacheOptions options) {
    cache_ = MakeLruFileInfoCache(options, clock_);
  }

  // Fetches through the cache, counting upstream calls.
  absl::StatusOr<std::shared_ptr<const v1::File>> Get(const FileInfoKey& key,
                                                      const v1::File& answer) {
    return cache_->GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
      ++fetches_;
      return answer;
    });
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1700000000));
  std::unique_ptr<FileInfoCache> cache_ = MakeLruFileInfoCache({}, clock_);
  int fetches_ = 0;
};

TEST_F(FileInfoCacheTest, SecondReadIsAHit) {
  FileInfoKey key{"main", kUuid};
  ASSERT_THAT(Get(key, MakeFile(kUuid)).status(), IsOk());
  auto again = Get(key, MakeFile(kUuid, "other.png"));
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ((*again)->original_filename(), "a.png");
  EXPECT_EQ(fetches_, 1);
  FileInfoCacheStats stats = cache_->Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_GT(stats.bytes, static_cast<int64_t>(MakeFile(kUuid).ByteSizeLong()));
  EXPECT_THAT(FormatStats(stats), HasSubstr("hits=1 misses=1"));
}

TEST_F(FileInfoCacheTest, KeysSeparateProjectsAndIncludeOptions) {
  ASSERT_THAT(Get({"main", kUuid}, MakeFile(kUuid)).status(), IsOk());
  ASSERT_THAT(Get({"other", kUuid}, MakeFile(kUuid)).status(), IsOk());
  ASSERT_THAT(Get({"main", kUuid, true}, MakeFile(kUuid)).status(), IsOk());
  ASSERT_THAT(Get({"main", kUuid, false, true}, MakeFile(kUuid)).status(),
              IsOk());
  EXPECT_EQ(fetches_, 4);
  EXPECT_EQ(cache_->Stats().entries, 4);
}

TEST_F(FileInfoCacheTest, EntriesExpireAfterTheTtl) {
  Make(Options(1 << 20, absl::Seconds(30)));
  FileInfoKey key{"main", kUuid};
  ASSERT_THAT(Get(key, MakeFile(kUuid)).status(), IsOk());
  clock_->Advance(absl::Seconds(29));
  ASSERT_THAT(Get(key, MakeFile(kUuid)).status(), IsOk());
  EXPECT_EQ(fetches_, 1);
  clock_->Advance(absl::Seconds(1));
  auto fresh = Get(key, MakeFile(kUuid, "renamed.png"));
  ASSERT_THAT(fresh.status(), IsOk());
  EXPECT_EQ((*fresh)->original_filename(), "renamed.png");
  EXPECT_EQ(fetches_, 2);
  EXPECT_EQ(cache_->Stats().expirations, 1u);
}

TEST_F(FileInfoCacheTest, EvictsLeastRecentlyUsedByBytes) {
  // Measure one entry's cost, then allow three.
  ASSERT_THAT(Get({"main", UuidNumber(0)}, MakeFile(UuidNumber(0))).status(),
              IsOk());
  const int64_t cost = cache_->Stats().bytes;
  Make(Options(3 * cost + cost / 2, absl::Seconds(30)));
  fetches_ = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Get({"main", UuidNumber(i)}, MakeFile(UuidNumber(i))).status(),
                IsOk());
  }
  // Touch 0, so 1 is the least recently used when 3 arrives.
  ASSERT_THAT(Get({"main", UuidNumber(0)}, MakeFile(UuidNumber(0))).status(),
              IsOk());
  ASSERT_THAT(Get({"main", UuidNumber(3)}, MakeFile(UuidNumber(3))).status(),
              IsOk());
  EXPECT_EQ(fetches_, 4);
  FileInfoCacheStats stats = cache_->Stats();
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.entries, 3);
  EXPECT_LE(stats.bytes, 3 * cost + cost / 2);
  for (int i : {0, 2, 3}) {
    ASSERT_THAT(Get({"main", UuidNumber(i)}, MakeFile(UuidNumber(i))).status(),
                IsOk());
  }
  EXPECT_EQ(fetches_, 4);
  ASSERT_THAT(Get({"main", UuidNumber(1)}, MakeFile(UuidNumber(1))).status(),
              IsOk());
  EXPECT_EQ(fetches_, 5);
}

TEST_F(FileInfoCacheTest, BiggerThanTheBudgetIsAnsweredNotStored) {
  Make(Options(64, absl::Seconds(30)));
  v1::File big = MakeFile(kUuid, std::string(1000, 'x'));
  ASSERT_THAT(Get({"main", kUuid}, big).status(), IsOk());
  ASSERT_THAT(Get({"main", kUuid}, big).status(), IsOk());
  EXPECT_EQ(fetches_, 2);
  EXPECT_EQ(cache_->Stats().entries, 0);
}

TEST_F(FileInfoCacheTest, FilesNotReadyAreNotStored) {
  v1::File copy = MakeFile(kUuid);
  copy.set_is_ready(false);
  ASSERT_THAT(Get({"main", kUuid}, copy).status(), IsOk());
  ASSERT_THAT(Get({"main", kUuid}, copy).status(), IsOk());
  EXPECT_EQ(fetches_, 2);
}

TEST_F(FileInfoCacheTest, ErrorsAreNotCached) {
  FileInfoKey key{"main", kUuid};
  auto failed = cache_->GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
    ++fetches_;
    return absl::UnavailableError("upstream down");
  });
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  ASSERT_THAT(Get(key, MakeFile(kUuid)).status(), IsOk());
  EXPECT_EQ(fetches_, 2);
  EXPECT_EQ(cache_->Stats().entries, 1);
}

TEST_F(FileInfoCacheTest, InvalidateDropsEveryVariant) {
  for (bool appdata : {false, true}) {
    for (bool rekognition : {false, true}) {
      ASSERT_THAT(
          Get({"main", kUuid, appdata, rekognition}, MakeFile(kUuid)).status(),
          IsOk());
    }
  }
  ASSERT_THAT(Get({"other", kUuid}, MakeFile(kUuid)).status(), IsOk());
  cache_->Invalidate("main", kUuid);
  FileInfoCacheStats stats = cache_->Stats();
  EXPECT_EQ(stats.entries, 1);  // the other project's entry stays
  EXPECT_EQ(stats.invalidations, 1u);
  ASSERT_THAT(Get({"main", kUuid, true}, MakeFile(kUuid)).status(), IsOk());
  EXPECT_EQ(fetches_, 6);
}

TEST_F(FileInfoCacheTest, UuidCaseDoesNotMatter) {
  const std::string upper = absl::AsciiStrToUpper(kUuid);
  ASSERT_THAT(Get({"main", upper}, MakeFile(upper)).status(), IsOk());
  ASSERT_THAT(Get({"main", kUuid}, MakeFile(kUuid)).status(), IsOk());
  EXPECT_EQ(fetches_, 1);
  cache_->Invalidate("main", kUuid);
  ASSERT_THAT(Get({"main", upper}, MakeFile(upper)).status(), IsOk());
  EXPECT_EQ(fetches_, 2);
}

TEST_F(FileInfoCacheTest, ReplaceStoresThePlainVariant) {
  ASSERT_THAT(Get({"main", kUuid, true}, MakeFile(kUuid)).status(), IsOk());
  v1::File stored = MakeFile(kUuid);
  stored.mutable_datetime_stored()->set_seconds(1);
  cache_->Replace("main", stored);
  auto plain = Get({"main", kUuid}, MakeFile(kUuid));
  ASSERT_THAT(plain.status(), IsOk());
  EXPECT_TRUE((*plain)->has_datetime_stored());
  EXPECT_EQ(fetches_, 1);
  // The appdata variant was dropped, not patched.
  ASSERT_THAT(Get({"main", kUuid, true}, MakeFile(kUuid)).status(), IsOk());
  EXPECT_EQ(fetches_, 2);
}

TEST_F(FileInfoCacheTest, ListingsRefreshCachedEntriesOnly) {
  FillTicket listing = cache_->StartFill();
  cache_->Refresh(listing, "main", false, false, MakeFile(kUuid, "listed.png"));
  EXPECT_EQ(cache_->Stats().entries, 0);
  ASSERT_THAT(Get({"main", kUuid}, MakeFile(kUuid, "read.png")).status(),
              IsOk());
  clock_->Advance(absl::Seconds(20));
  cache_->Refresh(listing, "main", false, false, MakeFile(kUuid, "listed.png"));
  // The refreshed entry has the listing's data and a new TTL.
  clock_->Advance(absl::Seconds(20));
  auto hit = Get({"main", kUuid}, MakeFile(kUuid));
  ASSERT_THAT(hit.status(), IsOk());
  EXPECT_EQ((*hit)->original_filename(), "listed.png");
  EXPECT_EQ(fetches_, 1);
}

TEST_F(FileInfoCacheTest, RefreshesOlderThanAnInvalidationAreDropped) {
  FillTicket before = cache_->StartFill();
  cache_->Invalidate("main", kUuid);
  ASSERT_THAT(Get({"main", kUuid}, MakeFile(kUuid, "fresh.png")).status(),
              IsOk());
  cache_->Refresh(before, "main", false, false, MakeFile(kUuid, "stale.png"));
  auto hit = Get({"main", kUuid}, MakeFile(kUuid));
  ASSERT_THAT(hit.status(), IsOk());
  EXPECT_EQ((*hit)->original_filename(), "fresh.png");
  EXPECT_EQ(fetches_, 1);
}

// Starts a fetch that blocks until `release`, on its own thread.
class BlockedFetch {
 public:
  BlockedFetch(FileInfoCache& cache, FileInfoKey key, v1::File answer,
               std::atomic<int>* fetches)
      : thread_([&cache, key, answer, fetches, this] {
          result_ =
              cache.GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
                ++*fetches;
                started_.Notify();
                release_.WaitForNotification();
                if (!error_.ok()) return error_;
                return answer;
              });
        }) {
    started_.WaitForNotification();
  }
  ~BlockedFetch() { Finish(); }

  void Fail(absl::Status error) { error_ = std::move(error); }
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  const absl::StatusOr<std::shared_ptr<const v1::File>>& Finish() {
    Release();
    if (thread_.joinable()) thread_.join();
    return result_;
  }

 private:
  absl::Notification started_;
  absl::Notification release_;
  absl::Status error_;
  absl::StatusOr<std::shared_ptr<const v1::File>> result_ =
      absl::UnknownError("not run");
  std::thread thread_;
};

// Waits until `count` callers have joined the flight in progress.
void AwaitJoins(const FileInfoCache& cache, uint64_t count) {
  while (cache.Stats().single_flight_joins < count) std::this_thread::yield();
}

TEST_F(FileInfoCacheTest, ConcurrentMissesMakeOneUpstreamCall) {
  constexpr int kWaiters = 8;
  FileInfoKey key{"main", kUuid};
  std::atomic<int> fetches{0};
  BlockedFetch leader(*cache_, key, MakeFile(kUuid), &fetches);
  std::vector<absl::StatusOr<std::shared_ptr<const v1::File>>> results(
      kWaiters, absl::UnknownError("not run"));
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&, i] {
      results[i] =
          cache_->GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
            ++fetches;
            return MakeFile(kUuid, "second fetch");
          });
    });
  }
  AwaitJoins(*cache_, kWaiters);
  ASSERT_THAT(leader.Finish().status(), IsOk());
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(fetches.load(), 1);
  for (const auto& result : results) {
    ASSERT_THAT(result.status(), IsOk());
    EXPECT_EQ((*result)->original_filename(), "a.png");
  }
  EXPECT_EQ(cache_->Stats().single_flight_joins,
            static_cast<uint64_t>(kWaiters));
  EXPECT_EQ(cache_->Stats().misses, 1u);
}

TEST_F(FileInfoCacheTest, GetIfFreshNeverWaitsNorFetches) {
  Make(Options(1 << 20, absl::Seconds(30)));
  FileInfoKey key{"main", kUuid};
  EXPECT_EQ(cache_->GetIfFresh(key), nullptr);
  EXPECT_EQ(cache_->Stats().misses, 0u);  // the fetch that follows counts it
  {
    // A fetch in flight is not waited for.
    std::atomic<int> fetches{0};
    BlockedFetch leader(*cache_, key, MakeFile(kUuid), &fetches);
    EXPECT_EQ(cache_->GetIfFresh(key), nullptr);
    ASSERT_THAT(leader.Finish().status(), IsOk());
  }
  std::shared_ptr<const v1::File> hit =
      cache_->GetIfFresh({"main", absl::AsciiStrToUpper(kUuid)});
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->original_filename(), "a.png");
  EXPECT_EQ(cache_->Stats().hits, 1u);
  clock_->Advance(absl::Seconds(30));
  EXPECT_EQ(cache_->GetIfFresh(key), nullptr);  // stale
  EXPECT_EQ(cache_->Stats().expirations, 1u);
}

TEST_F(FileInfoCacheTest, EveryWaiterGetsAFailedFetchsError) {
  FileInfoKey key{"main", kUuid};
  std::atomic<int> fetches{0};
  BlockedFetch leader(*cache_, key, MakeFile(kUuid), &fetches);
  leader.Fail(absl::NotFoundError("Not found."));
  absl::StatusOr<std::shared_ptr<const v1::File>> joined =
      absl::UnknownError("not run");
  std::thread waiter([&] {
    joined = cache_->GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
      ++fetches;
      return MakeFile(kUuid);
    });
  });
  AwaitJoins(*cache_, 1);
  EXPECT_THAT(leader.Finish(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  waiter.join();
  EXPECT_THAT(joined, StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(cache_->Stats().entries, 0);
}

TEST_F(FileInfoCacheTest, WaitersKeepTheirOwnDeadlineAndCancellation) {
  FileInfoKey key{"main", kUuid};
  std::atomic<int> fetches{0};
  BlockedFetch leader(*cache_, key, MakeFile(kUuid), &fetches);
  auto never = [&]() -> absl::StatusOr<v1::File> {
    ++fetches;
    return MakeFile(kUuid);
  };
  EXPECT_THAT(cache_->GetOrFetch(key, {absl::Now() - absl::Seconds(1)}, never),
              StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::_));
  Cancellation cancelled;
  cancelled.Cancel();
  EXPECT_THAT(
      cache_->GetOrFetch(key, {absl::InfiniteFuture(), &cancelled}, never),
      StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  ASSERT_THAT(leader.Finish().status(), IsOk());
  EXPECT_EQ(fetches.load(), 1);
}

TEST_F(FileInfoCacheTest, AWaitingCallerLeavesAtOnceWhenCancelled) {
  FileInfoKey key{"main", kUuid};
  std::atomic<int> fetches{0};
  BlockedFetch leader(*cache_, key, MakeFile(kUuid), &fetches);
  Cancellation caller_gone;
  absl::StatusOr<std::shared_ptr<const v1::File>> joined =
      absl::UnknownError("not run");
  std::thread waiter([&] {
    joined = cache_->GetOrFetch(key, {absl::InfiniteFuture(), &caller_gone},
                                [&]() -> absl::StatusOr<v1::File> {
                                  ++fetches;
                                  return MakeFile(kUuid);
                                });
  });
  AwaitJoins(*cache_, 1);
  caller_gone.Cancel();
  // Returns while the leader's fetch is still blocked: no deadline, no poll.
  waiter.join();
  EXPECT_THAT(joined, StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  ASSERT_THAT(leader.Finish().status(), IsOk());
  EXPECT_EQ(fetches.load(), 1);
}

TEST_F(FileInfoCacheTest, InvalidationDuringAFetchKeepsItsAnswerOut) {
  FileInfoKey key{"main", kUuid};
  std::atomic<int> fetches{0};
  BlockedFetch leader(*cache_, key, MakeFile(kUuid, "before.png"), &fetches);
  cache_->Invalidate("main", kUuid);
  // A caller after the mutation does not join the older fetch.
  auto after = cache_->GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
    ++fetches;
    return MakeFile(kUuid, "after.png");
  });
  ASSERT_THAT(after.status(), IsOk());
  EXPECT_EQ((*after)->original_filename(), "after.png");
  ASSERT_THAT(leader.Finish().status(), IsOk());
  EXPECT_EQ(fetches.load(), 2);
  // The older answer did not overwrite the newer entry.
  auto hit = Get(key, MakeFile(kUuid));
  ASSERT_THAT(hit.status(), IsOk());
  EXPECT_EQ((*hit)->original_filename(), "after.png");
}

TEST_F(FileInfoCacheTest, WaiterRetriesWhenOnlyTheLeaderWasCancelled) {
  FileInfoKey key{"main", kUuid};
  std::atomic<int> fetches{0};
  BlockedFetch leader(*cache_, key, MakeFile(kUuid), &fetches);
  leader.Fail(absl::CancelledError("leader went away"));
  absl::StatusOr<std::shared_ptr<const v1::File>> joined =
      absl::UnknownError("not run");
  std::thread waiter([&] {
    joined = cache_->GetOrFetch(key, {}, [&]() -> absl::StatusOr<v1::File> {
      ++fetches;
      return MakeFile(kUuid, "waiter.png");
    });
  });
  AwaitJoins(*cache_, 1);
  EXPECT_THAT(leader.Finish(),
              StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  waiter.join();
  ASSERT_THAT(joined.status(), IsOk());
  EXPECT_EQ((*joined)->original_filename(), "waiter.png");
  EXPECT_EQ(fetches.load(), 2);
}

}  // namespace
}  // namespace ucgate::cache
