#include "service/gateway/listing_pump.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::gateway {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

struct TestListing {
  using Page = v1::ListFilesResponse;
  using Message = v1::StreamFilesResponse;
  static auto* Items(Page* page) { return page->mutable_files(); }
  static auto* Items(Message* message) { return message->mutable_files(); }
};
using Pump = ListingPump<TestListing>;
using Next = absl::StatusOr<std::optional<v1::StreamFilesResponse>>;

constexpr uint64_t kFingerprint = 42;

// An upstream of `pages` pages of `page_size` files named "f<index>"; page i
// is fetched with token "t<i>" ("" for the first). Tasks queue until run.
class PumpTest : public ::testing::Test {
 protected:
  std::shared_ptr<Pump> MakePump(api::ResumePoint start = {},
                                 int max_items_per_message = 100) {
    Pump::Options options;
    options.max_items_per_message = max_items_per_message;
    options.deadline = deadline_;
    options.fingerprint = kFingerprint;
    options.memory = memory_;
    options.page_bytes_estimate = page_bytes_estimate_;
    options.memory_wait = memory_wait_;
    return std::make_shared<Pump>(
        std::move(start),
        [this](const upstream::CallContext& context, const std::string& token)
            -> absl::StatusOr<v1::ListFilesResponse> {
          fetched_tokens_.push_back(token);
          contexts_.push_back(context);
          const int index = token.empty() ? 0 : std::stoi(token.substr(1));
          if (index == failing_page_)
            return absl::UnavailableError("upstream 503");
          v1::ListFilesResponse page;
          for (int i = 0; i < page_size_; ++i) {
            page.add_files()->set_uuid(
                absl::StrCat("f", index * page_size_ + i));
          }
          page.set_total_size(pages_ * page_size_);
          if (index == stuck_page_) {
            page.set_next_page_token(token);  // `next` that does not advance
          } else if (index + 1 < pages_) {
            page.set_next_page_token(absl::StrCat("t", index + 1));
            // As the REST stub does once it has read `next`.
            if (announce_next_ && context.on_next_page_token) {
              const size_t queued = tasks_.size();
              context.on_next_page_token(page.next_page_token());
              if (tasks_.size() > queued) early_starts_.push_back(index + 1);
              // The early fetch ends before this page is mapped.
              if (index == finish_early_fetch_first_) RunTasks();
            }
          }
          max_pages_held_ = std::max(max_pages_held_, pump_held_());
          return page;
        },
        [this](std::function<void()> task) {
          if (refuse_tasks_) return false;
          tasks_.push_back(std::move(task));
          return true;
        },
        options);
  }

  // Runs queued tasks (and those they queue) until none is left.
  void RunTasks() {
    while (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      task();
    }
  }

  void RunOneTask() {
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    task();
  }

  // Next, running tasks until it answers.
  Next TakeNext(Pump& pump) {
    std::optional<Next> answer;
    pump.Next([&](Next next) { answer = std::move(next); });
    RunTasks();
    EXPECT_TRUE(answer.has_value());
    return answer ? *std::move(answer) : Next(absl::InternalError("no answer"));
  }

  // Every file until the end or an error; `last_token` gets the resume token
  // of the last message.
  std::vector<std::string> Drain(Pump& pump, absl::Status* end,
                                 std::string* last_token = nullptr) {
    std::vector<std::string> uuids;
    while (true) {
      Next next = TakeNext(pump);
      if (!next.ok() || !next->has_value()) {
        *end = next.status();
        return uuids;
      }
      for (const auto& file : (*next)->files()) uuids.push_back(file.uuid());
      if (last_token) *last_token = (*next)->resume_token();
    }
  }

  int pages_ = 3;
  int page_size_ = 250;
  bool announce_next_ = false;
  int finish_early_fetch_first_ = -1;
  std::vector<int> early_starts_;  // pages whose fetch started early
  int max_pages_held_ = 0;
  std::function<int()> pump_held_ = [] { return 0; };
  int failing_page_ = -1;
  int stuck_page_ = -1;
  bool refuse_tasks_ = false;
  absl::Time deadline_ = absl::FromUnixSeconds(2000000000);
  std::shared_ptr<StreamMemoryBudget> memory_;
  int64_t page_bytes_estimate_ = 0;
  absl::Duration memory_wait_ = absl::Seconds(10);
  std::deque<std::function<void()>> tasks_;
  std::vector<std::string> fetched_tokens_;
  std::vector<upstream::CallContext> contexts_;
};

std::vector<std::string> Names(int begin, int end) {
  std::vector<std::string> names;
  for (int i = begin; i < end; ++i) names.push_back(absl::StrCat("f", i));
  return names;
}

TEST_F(PumpTest, StreamsEveryItemInOrderInBoundedBatches) {
  auto pump = MakePump();
  pump->Start();
  std::vector<int> sizes;
  std::vector<std::string> uuids;
  while (true) {
    Next next = TakeNext(*pump);
    ASSERT_THAT(next.status(), IsOk());
    if (!next->has_value()) break;
    sizes.push_back((*next)->files_size());
    EXPECT_EQ((*next)->total_size(), 750);
    for (const auto& file : (*next)->files()) uuids.push_back(file.uuid());
  }
  EXPECT_EQ(uuids, Names(0, 750));
  // Batches never straddle pages: 100, 100, 50 per 250-file page.
  EXPECT_THAT(sizes,
              ::testing::ElementsAre(100, 100, 50, 100, 100, 50, 100, 100, 50));
  EXPECT_THAT(fetched_tokens_, ::testing::ElementsAre("", "t1", "t2"));
}

TEST_F(PumpTest, FetchesTheNextPageOnceTheCallerHasTakenHalfOfThisOne) {
  pages_ = 10;
  auto pump = MakePump();
  pump->Start();
  RunTasks();  // The caller reads nothing yet: one page held, not two.
  EXPECT_EQ(pump->pages_fetched(), 1);
  EXPECT_EQ(pump->pages_held(), 1);
  // 100 of 250 files taken: nothing more...
  ASSERT_THAT(TakeNext(*pump).status(), IsOk());
  EXPECT_EQ(pump->pages_fetched(), 1);
  // ...200: the next page is fetched ahead.
  ASSERT_THAT(TakeNext(*pump).status(), IsOk());
  EXPECT_EQ(pump->pages_fetched(), 2);
  EXPECT_EQ(pump->pages_held(), 2);
  // Draining the first page and starting the second fetches nothing more.
  for (int i = 0; i < 2; ++i) ASSERT_THAT(TakeNext(*pump).status(), IsOk());
  EXPECT_EQ(pump->pages_fetched(), 2);
  EXPECT_EQ(pump->pages_held(), 1);
  ASSERT_THAT(TakeNext(*pump).status(), IsOk());
  EXPECT_EQ(pump->pages_fetched(), 3);
  EXPECT_LE(pump->pages_held(), 2);
  // However slowly the caller reads, never more than two pages.
  for (int i = 0; i < 10; ++i) {
    RunTasks();
    EXPECT_LE(pump->pages_held(), 2);
  }
  EXPECT_EQ(pump->pages_fetched(), 3);
}

TEST_F(PumpTest, NextPageIsRequestedAsSoonAsItsTokenIsKnown) {
  pages_ = 4;
  announce_next_ = true;
  auto pump = MakePump();
  pump_held_ = [&] { return pump->pages_held(); };
  pump->Start();
  std::vector<std::string> uuids;
  for (int page = 0; page < 4; ++page) {
    // The caller waits for the page; its one fetch runs, and names the page
    // after it, which is requested before this one is mapped.
    std::optional<Next> answer;
    pump->Next([&](Next next) { answer = std::move(next); });
    ASSERT_FALSE(answer.has_value());
    ASSERT_EQ(tasks_.size(), 1u);
    RunOneTask();
    EXPECT_EQ(tasks_.size(), page < 3 ? 1u : 0u) << "page " << page;
    // The rest of the page is at hand: no task runs.
    for (int message = 0; message < 3; ++message) {
      if (message > 0) {
        answer.reset();
        pump->Next([&](Next next) { answer = std::move(next); });
      }
      ASSERT_TRUE(answer.has_value());
      ASSERT_THAT(answer->status(), IsOk());
      ASSERT_TRUE(answer->value().has_value());
      for (const auto& file : (*answer)->value().files()) {
        uuids.push_back(file.uuid());
      }
    }
  }
  Next end = TakeNext(*pump);
  ASSERT_THAT(end.status(), IsOk());
  EXPECT_FALSE(end->has_value());
  EXPECT_EQ(uuids, Names(0, 1000));
  EXPECT_THAT(early_starts_, ::testing::ElementsAre(1, 2, 3));
  EXPECT_THAT(fetched_tokens_, ::testing::ElementsAre("", "t1", "t2", "t3"));
  EXPECT_LE(max_pages_held_, 2);
}

TEST_F(PumpTest, NoEarlyRequestWhileTheCallerIsBehind) {
  pages_ = 10;
  announce_next_ = true;
  auto pump = MakePump();
  pump->Start();
  RunTasks();  // The caller reads nothing: the first page and one ahead.
  EXPECT_EQ(pump->pages_fetched(), 2);
  EXPECT_LE(pump->pages_held(), 2);
  EXPECT_THAT(early_starts_, ::testing::ElementsAre(1));
}

TEST_F(PumpTest, AnEarlyFetchThatEndsFirstIsDeliveredInOrder) {
  pages_ = 4;
  announce_next_ = true;
  finish_early_fetch_first_ = 1;  // page 2 arrives before page 1 is mapped
  auto pump = MakePump();
  pump_held_ = [&] { return pump->pages_held(); };
  pump->Start();
  std::vector<std::string> uuids;
  std::optional<Next> answer;
  // Asks for a message; true when it was at hand.
  auto ask = [&] {
    answer.reset();
    pump->Next([&](Next next) { answer = std::move(next); });
    return answer.has_value();
  };
  auto keep = [&] {
    ASSERT_TRUE(answer.has_value());
    ASSERT_THAT(answer->status(), IsOk());
    ASSERT_TRUE(answer->value().has_value());
    for (const auto& file : (*answer)->value().files()) {
      uuids.push_back(file.uuid());
    }
  };
  RunOneTask();  // page 0, which requests page 1 early
  for (int message = 0; message < 3; ++message) {
    ASSERT_TRUE(ask());
    keep();
  }
  ASSERT_FALSE(ask());  // waiting for page 1
  RunOneTask();         // page 1: page 2 is requested and ends first
  keep();
  EXPECT_THAT(early_starts_, ::testing::Contains(2));
  absl::Status end;
  std::vector<std::string> rest = Drain(*pump, &end);
  uuids.insert(uuids.end(), rest.begin(), rest.end());
  EXPECT_THAT(end, IsOk());
  EXPECT_EQ(uuids, Names(0, 1000));
  EXPECT_THAT(fetched_tokens_, ::testing::ElementsAre("", "t1", "t2", "t3"));
  EXPECT_LE(max_pages_held_, 2);
}

TEST_F(PumpTest, UpstreamFailureEndsTheStreamAfterTheItemsAlreadySent) {
  failing_page_ = 1;
  auto pump = MakePump();
  pump->Start();
  absl::Status end;
  EXPECT_EQ(Drain(*pump, &end), Names(0, 250));
  EXPECT_THAT(end, StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

TEST_F(PumpTest, AListingThatDoesNotAdvanceEndsWithAnError) {
  for (bool announce : {false, true}) {
    announce_next_ = announce;
    stuck_page_ = 1;
    fetched_tokens_.clear();
    auto pump = MakePump();
    pump->Start();
    absl::Status end;
    EXPECT_EQ(Drain(*pump, &end), Names(0, 500));
    EXPECT_THAT(end, StatusIs(absl::StatusCode::kInternal,
                              ::testing::HasSubstr("did not advance")));
    EXPECT_EQ(ErrorReason(end), "UPSTREAM_LISTING_STALLED");
    EXPECT_THAT(fetched_tokens_, ::testing::ElementsAre("", "t1"));
  }
}

TEST_F(PumpTest, ResumeTokenContinuesRightAfterTheLastItemReceived) {
  auto pump = MakePump();
  pump->Start();
  std::vector<std::string> received;
  std::string token;
  for (int i = 0; i < 4; ++i) {  // 100 + 100 + 50 + 100 = 350 files
    Next next = TakeNext(*pump);
    ASSERT_THAT(next.status(), IsOk());
    for (const auto& file : (*next)->files()) received.push_back(file.uuid());
    token = (*next)->resume_token();
  }
  pump->Cancel();
  absl::StatusOr<api::ResumePoint> point =
      api::DecodeResumeToken(token, kFingerprint);
  ASSERT_THAT(point.status(), IsOk());
  auto resumed = MakePump(*point);
  resumed->Start();
  absl::Status end;
  std::vector<std::string> rest = Drain(*resumed, &end);
  EXPECT_THAT(end, IsOk());
  received.insert(received.end(), rest.begin(), rest.end());
  EXPECT_EQ(received, Names(0, 750));
}

TEST_F(PumpTest, ResumeAtAPageBoundaryStartsWithTheNextPage) {
  auto pump = MakePump();
  pump->Start();
  std::string token;
  for (int i = 0; i < 3; ++i) token = (*TakeNext(*pump))->resume_token();
  pump->Cancel();
  fetched_tokens_.clear();
  auto resumed = MakePump(*api::DecodeResumeToken(token, kFingerprint));
  resumed->Start();
  absl::Status end;
  EXPECT_EQ(Drain(*resumed, &end), Names(250, 750));
  // No page is fetched twice.
  EXPECT_THAT(fetched_tokens_, ::testing::ElementsAre("t1", "t2"));
}

TEST_F(PumpTest, ResumeTokensAreBoundToTheirFilters) {
  const std::string token = api::EncodeResumeToken({"t1", 10}, kFingerprint);
  EXPECT_THAT(api::DecodeResumeToken(token, kFingerprint + 1).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(api::DecodeResumeToken("garbage!", kFingerprint).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  absl::Status bad = api::DecodeResumeToken("garbage!", kFingerprint).status();
  EXPECT_TRUE(absl::StartsWith(bad.message(), "resume_token: ")) << bad;
}

TEST_F(PumpTest, CancelAnswersThePendingCallAndStopsFetching) {
  pages_ = 10;
  auto pump = MakePump();
  pump->Start();
  std::optional<Next> answer;
  pump->Next([&](Next next) { answer = std::move(next); });
  ASSERT_EQ(tasks_.size(), 1u);  // The first page is on its way.
  pump->Cancel();
  ASSERT_TRUE(answer.has_value());
  EXPECT_THAT(answer->status(),
              StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  RunTasks();
  // The in-flight fetch saw the cancellation, and nothing followed it.
  ASSERT_EQ(contexts_.size(), 1u);
  EXPECT_TRUE(contexts_[0].cancelled());
  EXPECT_TRUE(tasks_.empty());
  EXPECT_EQ(pump->pages_fetched(), 1);
  // Later calls end at once.
  EXPECT_THAT(TakeNext(*pump).status(),
              StatusIs(absl::StatusCode::kCancelled, ::testing::_));
}

TEST_F(PumpTest, EveryFetchCarriesTheCallersDeadline) {
  auto pump = MakePump();
  pump->Start();
  absl::Status end;
  Drain(*pump, &end);
  ASSERT_EQ(contexts_.size(), 3u);
  for (const auto& context : contexts_) {
    EXPECT_EQ(context.deadline, deadline_);
    EXPECT_FALSE(context.cancelled());
  }
}

TEST_F(PumpTest, OverloadedExecutorEndsTheStreamWithResourceExhausted) {
  refuse_tasks_ = true;
  auto pump = MakePump();
  pump->Start();
  EXPECT_THAT(TakeNext(*pump).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, ::testing::_));
}

// What the budget holds for one page of the fixture's files.
int64_t PageBytes(int page_size) {
  v1::ListFilesResponse page;
  for (int i = 0; i < page_size; ++i) {
    page.add_files()->set_uuid(absl::StrCat("f", i));
  }
  page.set_total_size(750);
  page.set_next_page_token("t1");
  return Pump::PageBytes(page);
}

TEST_F(PumpTest, APageIsMeasuredFromASampleOfItsItems) {
  v1::ListFilesResponse page;
  for (int i = 0; i < 1000; ++i) {
    v1::File* file = page.add_files();
    file->set_uuid(absl::StrCat("uuid-", i));
    file->set_original_filename(std::string(100 + (i % 7) * 50, 'x'));
  }
  const double whole = static_cast<double>(page.SpaceUsedLong());
  const double sampled = static_cast<double>(Pump::PageBytes(page));
  EXPECT_NEAR(sampled / whole, 1.0, 0.1);
  v1::ListFilesResponse empty;
  EXPECT_EQ(Pump::PageBytes(empty), static_cast<int64_t>(sizeof(empty)));
}

TEST_F(PumpTest, PagesAreReservedAndGivenBackAsTheCallerDrainsThem) {
  memory_ = StreamMemoryBudget::Create(/*budget_bytes=*/0);
  page_bytes_estimate_ = 1 << 20;
  auto pump = MakePump();
  pump->Start();
  RunTasks();
  // The estimate became the page's measured size once it arrived.
  const int64_t page_bytes = PageBytes(page_size_);
  EXPECT_EQ(memory_->stats().held_bytes, page_bytes);
  // 100 of 250 files delivered: what they held went with the message.
  ASSERT_THAT(TakeNext(*pump).status(), IsOk());
  EXPECT_EQ(memory_->stats().held_bytes, page_bytes * 150 / 250);
  absl::Status end;
  EXPECT_EQ(Drain(*pump, &end).size(), 650u);
  EXPECT_THAT(end, IsOk());
  EXPECT_EQ(memory_->stats().held_bytes, 0);
}

TEST_F(PumpTest, APageAheadThatDoesNotFitWaitsUntilTheCallerDrains) {
  // Room for one page, not two: nothing is fetched ahead, and every page
  // still arrives, each once the one before it is drained.
  memory_ = StreamMemoryBudget::Create(PageBytes(page_size_) * 3 / 2);
  page_bytes_estimate_ = PageBytes(page_size_);
  auto pump = MakePump();
  pump_held_ = [&] { return pump->pages_held(); };
  pump->Start();
  RunTasks();
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(TakeNext(*pump).status(), IsOk());
    if (i < 2) EXPECT_EQ(pump->pages_fetched(), 1);
  }
  EXPECT_EQ(memory_->stats().held_bytes, PageBytes(page_size_));
  absl::Status end;
  EXPECT_EQ(Drain(*pump, &end), Names(250, 750));
  EXPECT_THAT(end, IsOk());
  EXPECT_EQ(memory_->stats().held_bytes, 0);
  EXPECT_LE(max_pages_held_, 1);
}

TEST_F(PumpTest, APageThatGetsNoMemoryEndsTheStreamWithRetryInfo) {
  memory_ = StreamMemoryBudget::Create(1 << 20);
  auto taken_elsewhere = memory_->TryReserve(1 << 20);
  ASSERT_TRUE(taken_elsewhere.has_value());
  page_bytes_estimate_ = 4096;
  memory_wait_ = absl::ZeroDuration();
  auto pump = MakePump();
  pump->Start();
  Next next = TakeNext(*pump);
  EXPECT_THAT(next.status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       ::testing::HasSubstr("streams.memory_budget_bytes")));
  EXPECT_EQ(ErrorReason(next.status()), "STREAM_MEMORY_EXHAUSTED");
  EXPECT_TRUE(fetched_tokens_.empty());  // nothing went upstream
  EXPECT_EQ(memory_->stats().refused, 1);
}

TEST_F(PumpTest, EmptyListingEndsAtOnce) {
  page_size_ = 0;
  pages_ = 1;
  auto pump = MakePump();
  pump->Start();
  Next next = TakeNext(*pump);
  ASSERT_THAT(next.status(), IsOk());
  EXPECT_FALSE(next->has_value());
}

}  // namespace
}  // namespace ucgate::gateway
