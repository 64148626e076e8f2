// Shared polling of upstream jobs (conversions, add-on runs) for any number
// of watchers. One poller per job, keyed by (project, kind, id), however many
// callers watch it: each poll result is fanned out to every watcher, the
// first watcher starts the polling and the last one leaving stops it.
//
// Polls follow a backoff schedule: `initial_interval` after a change (or the
// first poll), doubling while nothing changes up to `max_interval`. The
// first poll runs at once; a later watcher gets the last known status at
// once instead of waiting for a poll.
//
// Errors: the upstream stack already retries transient failures (RetryRunner)
// within each poll, so an error reaching the hub is final: it ends every
// watcher of that job with that status (and the job's poller).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "service/gateway/scheduler.h"
#include "service/observability/gateway_metrics.h"
#include "service/upstream/operations.h"

namespace ucgate::gateway {

struct WatchOptions {
  absl::Duration initial_interval = absl::Milliseconds(500);
  absl::Duration max_interval = absl::Seconds(5);
  // Bounds each poll (a poll serves many callers, so no one caller's
  // deadline applies).
  absl::Duration poll_timeout = absl::Seconds(30);
};

// What a hub reports: ucgate_watched_jobs and, as each job stops being
// watched, its upstream polls. Null metrics: nothing.
struct WatchMetrics {
  std::shared_ptr<observability::GatewayMetrics> metrics;
  observability::WatchedJobKind kind =
      observability::WatchedJobKind::kConversion;
};

struct JobKey {
  std::string project;
  std::string kind;  // e.g. "document", "video", "remove_bg"
  std::string id;    // token or request_id
  bool operator<(const JobKey& other) const {
    return std::tie(project, kind, id) <
           std::tie(other.project, other.kind, other.id);
  }
};

// One caller watching a job. Calls come from the hub's threads, one at a
// time per job, in order.
template <typename Update>
class JobWatcher {
 public:
  virtual ~JobWatcher() = default;
  // The job's status, at once on joining and then on each change.
  virtual void OnUpdate(const Update& update) = 0;
  // The end: OK after a terminal update, else the upstream error. Not called
  // for a watcher that left.
  virtual void OnEnd(const absl::Status& status) = 0;
};

template <typename Update>
class JobWatchHub : public std::enable_shared_from_this<JobWatchHub<Update>> {
 public:
  // Blocking: the job's current status.
  using Poll =
      std::function<absl::StatusOr<Update>(const upstream::CallContext&)>;
  using Schedule = std::function<bool(std::function<void()>)>;
  using WatchId = uint64_t;

  // `scheduler` runs the timers; `schedule_blocking` runs the polls (the
  // Executor), so a slow upstream never holds up other jobs' timers.
  static std::shared_ptr<JobWatchHub> Create(
      std::shared_ptr<Scheduler> scheduler, Schedule schedule_blocking,
      std::function<bool(const Update&)> is_terminal, WatchOptions options,
      WatchMetrics metrics = {}) {
    return std::shared_ptr<JobWatchHub>(
        new JobWatchHub(std::move(scheduler), std::move(schedule_blocking),
                        std::move(is_terminal), options, std::move(metrics)));
  }

  // Adds `watcher` to the watchers of `key`, starting its poller with `poll`
  // when it is the first. Returns the id to Leave with.
  WatchId Join(const JobKey& key, Poll poll,
               std::shared_ptr<JobWatcher<Update>> watcher) {
    while (true) {
      std::shared_ptr<Job> job;
      bool first = false;
      std::optional<absl::Status> refused;
      {
        absl::MutexLock lock(&mutex_);
        refused = shutdown_status_;
      }
      if (refused) {
        watcher->OnEnd(*refused);
        return 0;
      }
      {
        absl::MutexLock lock(&mutex_);
        auto it = jobs_.find(key);
        if (it == jobs_.end()) {
          it = jobs_
                   .emplace(key, std::make_shared<Job>(key, poll, options_,
                                                       metrics_))
                   .first;
          first = true;
        }
        job = it->second;
      }
      WatchId id = 0;
      {
        // Under the job's delivery lock, so no fan-out slips between
        // registering and the catch-up update: statuses arrive in order.
        absl::MutexLock delivery(&job->delivery_mutex);
        std::optional<Update> last;
        {
          absl::MutexLock lock(&mutex_);
          // Ended meanwhile: join (or start) its successor instead.
          if (job->stop.IsCancelled()) continue;
          id = next_watch_id_++;
          job->watchers.emplace(id, watcher);
          last = job->last;
        }
        if (last) watcher->OnUpdate(*last);
      }
      if (first) StartPoll(job);
      return id;
    }
  }

  // Removes a watcher; the job's poller stops with its last watcher. Safe to
  // call for a watcher already ended.
  void Leave(const JobKey& key, WatchId id) {
    absl::MutexLock lock(&mutex_);
    auto it = jobs_.find(key);
    if (it == jobs_.end()) return;
    Job& job = *it->second;
    job.watchers.erase(id);
    if (job.watchers.empty()) {
      job.stop.Cancel();
      jobs_.erase(it);
    }
  }

  // Stops every poller and ends every watcher with `status` (the gateway
  // going away); later watchers end with it at once.
  void Shutdown(const absl::Status& status) {
    std::vector<std::shared_ptr<JobWatcher<Update>>> watchers;
    {
      absl::MutexLock lock(&mutex_);
      shutdown_status_ = status;
      for (auto& [key, job] : jobs_) {
        job->stop.Cancel();
        for (const auto& [id, watcher] : job->watchers) {
          watchers.push_back(watcher);
        }
      }
      jobs_.clear();
    }
    for (const auto& watcher : watchers) watcher->OnEnd(status);
  }

  int jobs() const {
    absl::MutexLock lock(&mutex_);
    return static_cast<int>(jobs_.size());
  }
  int watchers(const JobKey& key) const {
    absl::MutexLock lock(&mutex_);
    auto it = jobs_.find(key);
    return it == jobs_.end() ? 0
                             : static_cast<int>(it->second->watchers.size());
  }

 private:
  struct Job {
    Job(JobKey key, Poll poll, const WatchOptions& options,
        const WatchMetrics& metrics)
        : key(std::move(key)),
          poll(std::move(poll)),
          interval(options.initial_interval),
          metrics(metrics) {
      if (metrics.metrics)
        watched = metrics.metrics->TrackWatchedJob(metrics.kind);
    }
    // The last reference goes when polling has stopped for good.
    ~Job() {
      if (metrics.metrics) {
        metrics.metrics->RecordWatchedJobPolls(metrics.kind, polls.load());
      }
    }
    const JobKey key;
    const Poll poll;
    // Serializes deliveries to this job's watchers (fan-outs and joins).
    absl::Mutex delivery_mutex;
    // Fired when polling stops; aborts a poll in flight.
    Cancellation stop;
    // The fields below are guarded by the hub's mutex_.
    std::map<WatchId, std::shared_ptr<JobWatcher<Update>>> watchers;
    std::optional<Update> last;
    absl::Duration interval;
    const WatchMetrics metrics;
    observability::InFlight watched;
    std::atomic<int64_t> polls{0};
  };

  JobWatchHub(std::shared_ptr<Scheduler> scheduler, Schedule schedule_blocking,
              std::function<bool(const Update&)> is_terminal,
              WatchOptions options, WatchMetrics metrics)
      : scheduler_(std::move(scheduler)),
        schedule_blocking_(std::move(schedule_blocking)),
        is_terminal_(std::move(is_terminal)),
        options_(options),
        metrics_(std::move(metrics)) {}

  void StartPoll(const std::shared_ptr<Job>& job) {
    if (job->stop.IsCancelled()) return;
    auto self = this->shared_from_this();
    const bool scheduled = schedule_blocking_([self, job] {
      if (job->stop.IsCancelled()) return;
      upstream::CallContext context;
      context.deadline = absl::Now() + self->options_.poll_timeout;
      context.cancellation = std::shared_ptr<Cancellation>(job, &job->stop);
      job->polls.fetch_add(1, std::memory_order_relaxed);
      self->OnPolled(job, job->poll(context));
    });
    // An overloaded executor delays the poll rather than failing watchers.
    if (!scheduled) ScheduleNextPoll(job, job->interval);
  }

  void ScheduleNextPoll(const std::shared_ptr<Job>& job, absl::Duration delay) {
    // Weak: the scheduler must not keep the hub (which holds the scheduler)
    // alive.
    std::weak_ptr<JobWatchHub> weak = this->weak_from_this();
    scheduler_->RunAfter(delay, [weak, job] {
      if (auto self = weak.lock()) self->StartPoll(job);
    });
  }

  void OnPolled(const std::shared_ptr<Job>& job,
                absl::StatusOr<Update> result) {
    absl::MutexLock delivery(&job->delivery_mutex);
    std::vector<std::shared_ptr<JobWatcher<Update>>> watchers;
    bool changed = false;
    bool ended = false;
    {
      absl::MutexLock lock(&mutex_);
      if (job->stop.IsCancelled()) return;
      if (result.ok()) {
        changed =
            !job->last || !google::protobuf::util::MessageDifferencer::Equals(
                              *job->last, *result);
        if (changed) job->last = *result;
        ended = is_terminal_(*result);
        job->interval =
            changed ? options_.initial_interval
                    : std::min(job->interval * 2, options_.max_interval);
      } else {
        ended = true;
      }
      for (const auto& [id, watcher] : job->watchers) {
        watchers.push_back(watcher);
      }
      if (ended) {
        job->stop.Cancel();
        jobs_.erase(job->key);
      }
    }
    if (changed) {
      for (const auto& watcher : watchers) watcher->OnUpdate(*result);
    }
    if (ended) {
      for (const auto& watcher : watchers) watcher->OnEnd(result.status());
      return;
    }
    ScheduleNextPoll(job, job->interval);
  }

  const std::shared_ptr<Scheduler> scheduler_;
  const Schedule schedule_blocking_;
  const std::function<bool(const Update&)> is_terminal_;
  const WatchOptions options_;
  const WatchMetrics metrics_;

  mutable absl::Mutex mutex_;
  std::map<JobKey, std::shared_ptr<Job>> jobs_ ABSL_GUARDED_BY(mutex_);
  WatchId next_watch_id_ ABSL_GUARDED_BY(mutex_) = 1;
  std::optional<absl::Status> shutdown_status_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::gateway
