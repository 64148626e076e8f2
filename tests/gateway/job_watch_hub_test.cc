#include "service/gateway/job_watch_hub.h"

#include <deque>
#include <memory>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/common/io/fiber.h"
#include "service/gateway/scheduler.h"
#include "tests/observability/exposition_checks.h"
#include "tests/testing_util/mock_operations.h"
#include "tests/testing_util/status_matchers.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"

namespace ucgate::gateway {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::_;
using ::testing::Invoke;
using ::testing::Return;
using Update = v1::WatchConversionJobResponse;
using Hub = JobWatchHub<Update>;

class RecordingWatcher final : public JobWatcher<Update> {
 public:
  void OnUpdate(const Update& update) override {
    statuses.push_back(update.status());
  }
  void OnEnd(const absl::Status& status) override { end = status; }
  std::vector<v1::ConversionStatus> statuses;
  std::optional<absl::Status> end;
};

v1::GetDocumentConversionStatusResponse Status(v1::ConversionStatus status) {
  v1::GetDocumentConversionStatusResponse response;
  response.set_status(status);
  return response;
}

// Polls GetDocumentConversionStatus of a gMock upstream; timers on a
// ManualScheduler, polls on an inline executor: fully deterministic.
class HubTest : public ::testing::Test {
 protected:
  HubTest()
      : scheduler_(std::make_shared<ManualScheduler>()),
        hub_(Hub::Create(
            scheduler_,
            [this](std::function<void()> task) {
              if (refuse_polls_) return false;
              task();
              return true;
            },
            [](const Update& update) {
              return update.status() == v1::CONVERSION_STATUS_FINISHED ||
                     update.status() == v1::CONVERSION_STATUS_FAILED;
            },
            Options())) {}

  static WatchOptions Options() {
    WatchOptions options;
    options.initial_interval = absl::Milliseconds(500);
    options.max_interval = absl::Seconds(5);
    return options;
  }

  Hub::Poll Poll() {
    return
        [this](const upstream::CallContext& context) -> absl::StatusOr<Update> {
          contexts_.push_back(context);
          v1::GetDocumentConversionStatusRequest request;
          request.set_token(7);
          auto status = upstream_.GetDocumentConversionStatus(context, request);
          if (!status.ok()) return status.status();
          Update update;
          update.set_status(status->status());
          return update;
        };
  }

  std::shared_ptr<RecordingWatcher> Watch(Hub::WatchId* id = nullptr) {
    auto watcher = std::make_shared<RecordingWatcher>();
    Hub::WatchId watch_id = hub_->Join(key_, Poll(), watcher);
    if (id) *id = watch_id;
    return watcher;
  }

  ::testing::StrictMock<testing::MockConversionOperations> upstream_;
  std::shared_ptr<ManualScheduler> scheduler_;
  std::shared_ptr<Hub> hub_;
  bool refuse_polls_ = false;
  std::vector<upstream::CallContext> contexts_;
  const JobKey key_{"main", "document", "7"};
};

TEST_F(HubTest, ThousandWatchersShareOnePollPerTick) {
  int polls = 0;
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillRepeatedly(Invoke([&](auto&, auto&) {
        ++polls;
        return Status(polls < 3 ? v1::CONVERSION_STATUS_PROCESSING
                                : v1::CONVERSION_STATUS_FINISHED);
      }));
  std::vector<std::shared_ptr<RecordingWatcher>> watchers;
  for (int i = 0; i < 1000; ++i) watchers.push_back(Watch());
  EXPECT_EQ(polls, 1);  // The first watcher's immediate poll, shared.
  EXPECT_EQ(hub_->watchers(key_), 1000);
  scheduler_->AdvanceBy(absl::Milliseconds(500));
  EXPECT_EQ(polls, 2);
  scheduler_->AdvanceBy(absl::Seconds(1));  // Unchanged: next after 1 s.
  EXPECT_EQ(polls, 3);
  for (const auto& watcher : watchers) {
    // The current status once (the later watchers from the cache), then the
    // change; the unchanged poll is not repeated.
    EXPECT_THAT(watcher->statuses,
                ::testing::ElementsAre(v1::CONVERSION_STATUS_PROCESSING,
                                       v1::CONVERSION_STATUS_FINISHED));
    ASSERT_TRUE(watcher->end.has_value());
    EXPECT_THAT(*watcher->end, IsOk());
  }
  // Terminal: the job is gone and nothing is scheduled any more.
  EXPECT_EQ(hub_->jobs(), 0);
  EXPECT_EQ(scheduler_->pending(), 0);
}

TEST_F(HubTest, PollsBackOffWhileNothingChangesAndResetOnChange) {
  std::deque<v1::ConversionStatus> answers = {
      v1::CONVERSION_STATUS_PENDING,    v1::CONVERSION_STATUS_PENDING,
      v1::CONVERSION_STATUS_PENDING,    v1::CONVERSION_STATUS_PENDING,
      v1::CONVERSION_STATUS_PENDING,    v1::CONVERSION_STATUS_PENDING,
      v1::CONVERSION_STATUS_PROCESSING, v1::CONVERSION_STATUS_PROCESSING};
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillRepeatedly(Invoke([&](auto&, auto&) {
        auto status = answers.front();
        if (answers.size() > 1) answers.pop_front();
        return Status(status);
      }));
  auto watcher = Watch();
  std::vector<absl::Duration> delays;
  for (int i = 0; i < 7; ++i) {
    delays.push_back(scheduler_->NextDelay());
    scheduler_->AdvanceBy(delays.back());
  }
  // First poll at once (changed: 0.5 s), unchanged 1, 2, 4, 5 (cap), 5; then
  // PROCESSING resets to 0.5 s.
  EXPECT_THAT(delays, ::testing::ElementsAre(
                          absl::Milliseconds(500), absl::Seconds(1),
                          absl::Seconds(2), absl::Seconds(4), absl::Seconds(5),
                          absl::Seconds(5), absl::Milliseconds(500)));
  EXPECT_THAT(watcher->statuses,
              ::testing::ElementsAre(v1::CONVERSION_STATUS_PENDING,
                                     v1::CONVERSION_STATUS_PROCESSING));
}

TEST_F(HubTest, LastWatcherLeavingStopsThePolling) {
  int polls = 0;
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillRepeatedly(Invoke([&](auto&, auto&) {
        ++polls;
        return Status(v1::CONVERSION_STATUS_PROCESSING);
      }));
  Hub::WatchId first_id, second_id;
  auto first = Watch(&first_id);
  auto second = Watch(&second_id);
  hub_->Leave(key_, first_id);
  scheduler_->AdvanceBy(absl::Milliseconds(500));
  EXPECT_EQ(polls, 2);  // One watcher left: still polled.
  hub_->Leave(key_, second_id);
  EXPECT_EQ(hub_->jobs(), 0);
  scheduler_->AdvanceBy(absl::Minutes(10));
  EXPECT_EQ(polls, 2);
  EXPECT_FALSE(first->end.has_value());  // Leavers are not called again.
  EXPECT_FALSE(second->end.has_value());
  // A poll in flight sees the stop through its cancellation.
  EXPECT_TRUE(contexts_.back().cancelled());
}

TEST_F(HubTest, UpstreamErrorEndsEveryWatcherWithThatStatus) {
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillOnce(Return(Status(v1::CONVERSION_STATUS_PENDING)))
      .WillOnce(Return(absl::NotFoundError("no such job")));
  auto first = Watch();
  auto second = Watch();
  scheduler_->AdvanceBy(absl::Milliseconds(500));
  for (const auto& watcher : {first, second}) {
    EXPECT_THAT(watcher->statuses,
                ::testing::ElementsAre(v1::CONVERSION_STATUS_PENDING));
    ASSERT_TRUE(watcher->end.has_value());
    EXPECT_THAT(*watcher->end,
                StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  }
  EXPECT_EQ(hub_->jobs(), 0);
  EXPECT_EQ(scheduler_->pending(), 0);
}

TEST_F(HubTest, AWatcherAfterTheEndStartsAFreshPoller) {
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillRepeatedly(Return(Status(v1::CONVERSION_STATUS_FINISHED)));
  auto first = Watch();
  ASSERT_TRUE(first->end.has_value());
  auto second = Watch();
  EXPECT_THAT(second->statuses,
              ::testing::ElementsAre(v1::CONVERSION_STATUS_FINISHED));
  ASSERT_TRUE(second->end.has_value());
  EXPECT_THAT(*second->end, IsOk());
}

TEST_F(HubTest, OverloadedExecutorDelaysThePollInsteadOfFailing) {
  refuse_polls_ = true;
  auto watcher = Watch();
  EXPECT_TRUE(watcher->statuses.empty());
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillOnce(Return(Status(v1::CONVERSION_STATUS_FINISHED)));
  refuse_polls_ = false;
  scheduler_->AdvanceBy(absl::Milliseconds(500));
  EXPECT_THAT(watcher->statuses,
              ::testing::ElementsAre(v1::CONVERSION_STATUS_FINISHED));
}

TEST_F(HubTest, ShutdownStopsEveryPollerAndEndsEveryWatcher) {
  EXPECT_CALL(upstream_, GetDocumentConversionStatus(_, _))
      .WillOnce(Return(Status(v1::CONVERSION_STATUS_PENDING)));
  auto watcher = Watch();
  hub_->Shutdown(absl::UnavailableError("shutting down"));
  ASSERT_TRUE(watcher->end.has_value());
  EXPECT_EQ(watcher->end->code(), absl::StatusCode::kUnavailable);
  scheduler_->AdvanceBy(absl::Minutes(1));  // No more polls (StrictMock).
  EXPECT_EQ(hub_->jobs(), 0);
  auto late = Watch();
  ASSERT_TRUE(late->end.has_value());
  EXPECT_EQ(late->end->code(), absl::StatusCode::kUnavailable);
}

TEST(HubMetricsTest, WatchedJobsAndTheirPollsAreCounted) {
  observability::MetricsRegistry registry;
  auto metrics = std::make_shared<observability::GatewayMetrics>(
      registry, observability::GatewayMetricsOptions());
  auto scheduler = std::make_shared<ManualScheduler>();
  int polls = 0;
  auto hub = Hub::Create(
      scheduler,
      [](std::function<void()> task) {
        task();
        return true;
      },
      [](const Update& update) {
        return update.status() == v1::CONVERSION_STATUS_FINISHED;
      },
      WatchOptions(), {metrics, observability::WatchedJobKind::kConversion});
  auto poll = [&polls](const upstream::CallContext&) -> absl::StatusOr<Update> {
    Update update;
    update.set_status(++polls < 3 ? v1::CONVERSION_STATUS_PROCESSING
                                  : v1::CONVERSION_STATUS_FINISHED);
    return update;
  };
  auto value = [&registry](absl::string_view name) {
    auto exposition = testing::ParseExposition(registry.TextExposition());
    EXPECT_THAT(exposition.status(), IsOk());
    return exposition->Value(name, {{"kind", "conversion"}}).value_or(-1);
  };
  auto watcher = std::make_shared<RecordingWatcher>();
  hub->Join({"main", "document", "7"}, poll, watcher);
  hub->Join({"main", "document", "7"}, poll,
            std::make_shared<RecordingWatcher>());
  EXPECT_EQ(value("ucgate_watched_jobs"), 1);  // one job, two watchers
  scheduler->AdvanceBy(absl::Minutes(1));
  ASSERT_TRUE(watcher->end.has_value());
  EXPECT_EQ(value("ucgate_watched_jobs"), 0);
  EXPECT_EQ(value("ucgate_watched_job_upstream_polls_count"), 1);
  EXPECT_EQ(value("ucgate_watched_job_upstream_polls_sum"), 3);
}

TEST(ManualSchedulerTest, RunsTasksInDueOrderOnlyWhenTimeMoves) {
  ManualScheduler scheduler;
  std::vector<int> ran;
  scheduler.RunAfter(absl::Seconds(2), [&] { ran.push_back(2); });
  scheduler.RunAfter(absl::Seconds(1), [&] {
    ran.push_back(1);
    scheduler.RunAfter(absl::Milliseconds(500), [&] { ran.push_back(15); });
  });
  scheduler.AdvanceBy(absl::Milliseconds(999));
  EXPECT_TRUE(ran.empty());
  scheduler.AdvanceBy(absl::Milliseconds(1001));  // Now at 2 s.
  EXPECT_THAT(ran, ::testing::ElementsAre(1, 15, 2));
}

TEST(LoopSchedulerTest, RunsTasksOnTheLoopsTimers) {
  io::ManualLoop loop;
  LoopScheduler scheduler(&loop);
  std::vector<int> ran;
  scheduler.RunAfter(absl::Seconds(2), [&] { ran.push_back(2); });
  scheduler.RunAfter(absl::Seconds(1), [&] { ran.push_back(1); });
  loop.RunPosted();  // the timers are set from the loop's own thread
  EXPECT_EQ(loop.pending_timers(), 2u);
  loop.Advance(absl::Milliseconds(999));
  EXPECT_TRUE(ran.empty());
  loop.Advance(absl::Seconds(2));
  EXPECT_THAT(ran, ::testing::ElementsAre(1, 2));
}

TEST(ThreadSchedulerTest, RunsTasksAndDropsThemOnShutdown) {
  ThreadScheduler scheduler;
  absl::Notification ran;
  scheduler.RunAfter(absl::Milliseconds(1), [&] { ran.Notify(); });
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  bool late = false;
  scheduler.RunAfter(absl::Hours(1), [&] { late = true; });
  scheduler.Shutdown();
  EXPECT_FALSE(late);
}

// The last owner let go inside a task: the scheduler is destroyed on its own
// thread, which must not try to join itself.
TEST(ThreadSchedulerTest, CanBeDestroyedByItsOwnTask) {
  auto scheduler = std::make_shared<ThreadScheduler>();
  ThreadScheduler* raw = scheduler.get();
  absl::Notification done;
  raw->RunAfter(absl::ZeroDuration(),
                [owner = std::move(scheduler), &done]() mutable {
                  owner.reset();
                  done.Notify();
                });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

}  // namespace
}  // namespace ucgate::gateway
