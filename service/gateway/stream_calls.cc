#include "service/gateway/stream_calls.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/api/listing_filters.h"
#include "service/api/page_token.h"
#include "service/common/io/fiber.h"
#include "service/common/status.h"
#include "service/gateway/call_plumbing.h"
#include "service/gateway/listing_pump.h"
#include "service/observability/server_interceptor.h"

namespace ucgate::gateway {

namespace {

// A stream refused before it started (bad request, unknown project).
template <typename Message>
class RefusedStream final : public grpc::ServerWriteReactor<Message> {
 public:
  RefusedStream(grpc::CallbackServerContext* context,
                const absl::Status& status) {
    this->Finish(ToCallerStatus(context, status));
  }
  void OnDone() override { delete this; }
};

// --- Listings ---------------------------------------------------------------

struct FileListing {
  using Request = v1::StreamFilesRequest;
  using PageRequest = v1::ListFilesRequest;
  using Page = v1::ListFilesResponse;
  using Message = v1::StreamFilesResponse;
  using Operations = upstream::FileOperations;
  static auto* Items(Page* page) { return page->mutable_files(); }
  static auto* Items(Message* message) { return message->mutable_files(); }
  static constexpr auto kList = &Operations::ListFiles;
  static constexpr int64_t kBytesPerItemEstimate = kFileBytesEstimate;
};

struct GroupListing {
  using Request = v1::StreamGroupsRequest;
  using PageRequest = v1::ListGroupsRequest;
  using Page = v1::ListGroupsResponse;
  using Message = v1::StreamGroupsResponse;
  using Operations = upstream::GroupOperations;
  static auto* Items(Page* page) { return page->mutable_groups(); }
  static auto* Items(Message* message) { return message->mutable_groups(); }
  static constexpr auto kList = &Operations::ListGroups;
  static constexpr int64_t kBytesPerItemEstimate = kGroupBytesEstimate;
};

// Writes the pump's messages one at a time: asks the pump for the next one
// only when the previous write is done, so the caller's pace drives the
// upstream fetching.
template <typename Listing>
class ListingStream final
    : public grpc::ServerWriteReactor<typename Listing::Message> {
 public:
  // `seal` seals each message's resume token (null: left as made).
  // `memory`: the stream's own share (the message being written).
  ListingStream(grpc::CallbackServerContext* context,
                std::shared_ptr<ListingPump<Listing>> pump, CallPermit permit,
                std::function<void(typename Listing::Message*)> seal,
                observability::InFlight active,
                StreamMemoryBudget::Reservation memory)
      : context_(context),
        pump_(std::move(pump)),
        permit_(std::move(permit)),
        seal_(std::move(seal)),
        active_(std::move(active)),
        memory_(std::move(memory)) {
    pump_->Start();
    RequestNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      // The caller went away mid-write.
      pump_->Cancel();
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                                "the stream was cancelled"));
      return;
    }
    // gRPC has the message serialized: its items are freed now, not when
    // the next message replaces it (a slow reader's stream holds no copy).
    message_ = typename Listing::Message();
    RequestNext();
  }
  void OnCancel() override { pump_->Cancel(); }
  void OnDone() override {
    pump_->Cancel();
    delete this;
  }

 private:
  void RequestNext() {
    pump_->Next(
        [this](absl::StatusOr<std::optional<typename Listing::Message>> next) {
          if (!next.ok()) {
            this->Finish(ToCallerStatus(context_, next.status()));
          } else if (!next->has_value()) {
            this->Finish(grpc::Status::OK);
          } else {
            message_ = **std::move(next);
            if (seal_) seal_(&message_);
            this->StartWrite(&message_);
          }
        });
  }

  grpc::CallbackServerContext* const context_;
  const std::shared_ptr<ListingPump<Listing>> pump_;
  // Held until the stream is done.
  const CallPermit permit_;
  const std::function<void(typename Listing::Message*)> seal_;
  const observability::InFlight active_;
  const StreamMemoryBudget::Reservation memory_;
  typename Listing::Message message_;
};

// --- Job watchers -----------------------------------------------------------

// One watcher's side of a watch stream: keeps the latest status not yet
// written (a slow caller skips intermediate statuses, never the terminal
// one), writes one at a time, and finishes after the last write.
template <typename Update>
class WatchMailbox final : public JobWatcher<Update> {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void Write(Update update) = 0;
    virtual void End(const absl::Status& status) = 0;
  };
  explicit WatchMailbox(Sink* sink) : sink_(sink) {}

  void OnUpdate(const Update& update) override {
    {
      absl::MutexLock lock(&mutex_);
      if (end_) return;
      pending_ = update;
    }
    Pump();
  }
  void OnEnd(const absl::Status& status) override {
    {
      absl::MutexLock lock(&mutex_);
      if (!end_) end_ = status;
    }
    Pump();
  }
  void WriteDone(bool ok) {
    {
      absl::MutexLock lock(&mutex_);
      writing_ = false;
      if (!ok) {
        pending_.reset();
        end_ = absl::CancelledError("the stream was cancelled");
      }
    }
    Pump();
  }
  void Cancel() { OnEnd(absl::CancelledError("the stream was cancelled")); }

 private:
  // Starts the next write, or the finish once nothing is left to write.
  void Pump() {
    std::optional<Update> write;
    std::optional<absl::Status> end;
    Sink* sink;
    {
      absl::MutexLock lock(&mutex_);
      if (writing_ || finished_) return;
      if (pending_) {
        write = std::move(pending_);
        pending_.reset();
        writing_ = true;
      } else if (end_) {
        end = end_;
        finished_ = true;
      } else {
        return;
      }
      sink = sink_;
    }
    // Outside the lock: gRPC may run reactions on other threads at once.
    if (write) {
      sink->Write(*std::move(write));
    } else {
      sink->End(*end);
    }
  }

  absl::Mutex mutex_;
  Sink* const sink_;
  std::optional<Update> pending_ ABSL_GUARDED_BY(mutex_);
  std::optional<absl::Status> end_ ABSL_GUARDED_BY(mutex_);
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
};

template <typename Update>
class WatchStream final : public grpc::ServerWriteReactor<Update>,
                          public WatchMailbox<Update>::Sink {
 public:
  WatchStream(grpc::CallbackServerContext* context,
              std::shared_ptr<JobWatchHub<Update>> hub, JobKey key,
              typename JobWatchHub<Update>::Poll poll, CallPermit permit,
              observability::InFlight active)
      : context_(context),
        permit_(std::move(permit)),
        hub_(std::move(hub)),
        key_(std::move(key)),
        active_(std::move(active)),
        mailbox_(std::make_shared<WatchMailbox<Update>>(this)) {
    id_ = hub_->Join(key_, std::move(poll), mailbox_);
  }

  void Write(Update update) override {
    message_ = std::move(update);
    this->StartWrite(&message_);
  }
  void End(const absl::Status& status) override {
    this->Finish(ToCallerStatus(context_, status));
  }

  void OnWriteDone(bool ok) override { mailbox_->WriteDone(ok); }
  void OnCancel() override {
    hub_->Leave(key_, id_);
    mailbox_->Cancel();
  }
  void OnDone() override {
    hub_->Leave(key_, id_);
    delete this;
  }

 private:
  grpc::CallbackServerContext* const context_;
  // Held until the stream is done.
  const CallPermit permit_;
  const std::shared_ptr<JobWatchHub<Update>> hub_;
  const JobKey key_;
  const observability::InFlight active_;
  const std::shared_ptr<WatchMailbox<Update>> mailbox_;
  typename JobWatchHub<Update>::WatchId id_ = 0;
  Update message_;
};

template <typename Status>
bool IsOneOf(Status status, std::initializer_list<Status> statuses) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

bool IsTerminal(const v1::WatchConversionJobResponse& update) {
  return IsOneOf(update.status(),
                 {v1::CONVERSION_STATUS_FINISHED, v1::CONVERSION_STATUS_FAILED,
                  v1::CONVERSION_STATUS_CANCELLED});
}

// UNKNOWN is terminal too: the upstream does not know the run and never
// will, so polling on would only wait for the caller's deadline.
bool IsTerminal(const v1::WatchAddonExecutionResponse& update) {
  return IsOneOf(update.status(), {v1::ADDON_EXECUTION_STATUS_DONE,
                                   v1::ADDON_EXECUTION_STATUS_ERROR,
                                   v1::ADDON_EXECUTION_STATUS_UNKNOWN});
}

template <typename Update>
std::shared_ptr<JobWatchHub<Update>> MakeHub(
    const std::shared_ptr<Scheduler>& scheduler,
    const std::shared_ptr<Executor>& executor, const StreamOptions& options,
    observability::WatchedJobKind kind) {
  return JobWatchHub<Update>::Create(
      scheduler,
      [executor](std::function<void()> task) {
        return executor->TrySchedule(std::move(task));
      },
      [](const Update& update) { return IsTerminal(update); }, options.watch,
      {options.metrics, kind});
}

// One upstream call of a stream (a listing page, a job poll), run later in a
// fiber: it honours the project's upstream throttle as a unary call does
// (waits, suspended, until the time the upstream gave, or ends with the
// refusal when that is past the call's deadline), and a 429 it meets holds
// the project's next calls, unary and streamed. `gate` may be null.
template <typename Result, typename UpstreamCall>
absl::StatusOr<Result> ThrottledUpstreamCall(const CallGate* gate,
                                             const std::string& project,
                                             const upstream::CallContext& call,
                                             UpstreamCall&& upstream_call) {
  if (gate != nullptr) {
    const access::ThrottleDecision throttle =
        gate->Throttle(project, call.deadline);
    switch (throttle.action) {
      case access::ThrottleDecision::Action::kProceed:
        break;
      case access::ThrottleDecision::Action::kRefuse:
        return throttle.refusal;
      case access::ThrottleDecision::Action::kHold: {
        const absl::Duration hold = throttle.hold_until - gate->Now();
        if (call.cancellation != nullptr) {
          if (call.cancellation->WaitFor(hold)) {
            return absl::CancelledError("the stream ended");
          }
        } else {
          io::SleepFor(hold);
        }
        break;
      }
    }
  }
  absl::StatusOr<Result> result = upstream_call();
  if (gate != nullptr && !result.ok()) {
    gate->RecordOutcome(project, result.status());
  }
  return result;
}

// One more active stream of `kind` while the result lives (nothing without
// metrics).
observability::InFlight TrackStream(
    const std::shared_ptr<observability::GatewayMetrics>& metrics,
    observability::StreamKind kind) {
  return metrics ? metrics->TrackStream(kind) : observability::InFlight();
}

}  // namespace

StreamCallRunner::StreamCallRunner(
    std::shared_ptr<const ProjectRegistry> projects,
    std::shared_ptr<Executor> executor, std::shared_ptr<Scheduler> scheduler,
    StreamOptions options, std::shared_ptr<const CallGate> gate)
    : projects_(std::move(projects)),
      executor_(std::move(executor)),
      options_(options),
      gate_(std::move(gate)),
      conversions_(MakeHub<v1::WatchConversionJobResponse>(
          scheduler, executor_, options_,
          observability::WatchedJobKind::kConversion)),
      addons_(MakeHub<v1::WatchAddonExecutionResponse>(
          scheduler, executor_, options_,
          observability::WatchedJobKind::kAddon)) {}

int64_t StreamCallRunner::PageBytesEstimate(int64_t bytes_per_item,
                                            int page_size) {
  // The answer's body and its mapping are held at once while it is mapped.
  return 2 * bytes_per_item * page_size;
}

template <typename PageRequest>
absl::StatusOr<
    std::pair<StreamMemoryBudget::Reservation, StreamMemoryBudget::Reservation>>
StreamCallRunner::AdmitListing(int64_t bytes_per_item, bool caller_sized_pages,
                               PageRequest* page_request) const {
  StreamMemoryBudget& memory = *options_.memory;
  // The message being written, serialized in gRPC's buffers (about half its
  // mapped size), for the stream's life.
  std::optional<StreamMemoryBudget::Reservation> own =
      memory.TryReserve(bytes_per_item / 2 * options_.max_items_per_message);
  if (own) {
    // Whole pages only while they leave half of the budget to others: a
    // burst of streams then gets small pages instead of refusals.
    std::optional<StreamMemoryBudget::Reservation> page = memory.TryReserve(
        PageBytesEstimate(bytes_per_item, page_request->page_size()),
        /*keep_free=*/caller_sized_pages ? 0 : memory.budget_bytes() / 2);
    if (!page && !caller_sized_pages &&
        page_request->page_size() > kSmallStreamPageSize) {
      // Many streams, little memory: more upstream calls, but the stream
      // runs.
      page_request->set_page_size(kSmallStreamPageSize);
      page = memory.TryReserve(
          PageBytesEstimate(bytes_per_item, kSmallStreamPageSize));
    }
    if (page) return std::make_pair(*std::move(own), *std::move(page));
  }
  memory.RecordRefusal();
  return StreamMemoryExhaustedError("a new stream");
}

template <typename Listing>
grpc::ServerWriteReactor<typename Listing::Message>*
StreamCallRunner::StreamListing(
    grpc::CallbackServerContext* context,
    const typename Listing::Request& caller_request) const {
  using Message = typename Listing::Message;
  using Operations = typename Listing::Operations;
  auto target =
      AcceptCall<Operations>(*projects_, gate_.get(), context, caller_request);
  if (!target.ok()) return new RefusedStream<Message>(context, target.status());
  absl::StatusOr<CallPermit> slot = TakeStreamSlot(std::move(target->permit));
  if (!slot.ok()) return new RefusedStream<Message>(context, slot.status());
  const Project* project = target->project;
  Operations* operations = target->operations;
  const typename Listing::Request& request = *target->request;
  // The same filters give the same fingerprint whatever the resume point.
  const uint64_t fingerprint =
      api::PagedRequestFingerprint(project->name, request);
  absl::StatusOr<api::ResumePoint> start =
      api::DecodeResumeToken(request.resume_token(), fingerprint);
  if (!start.ok()) return new RefusedStream<Message>(context, start.status());
  typename Listing::PageRequest page_request = api::PageRequestOf(request);
  // Fewest upstream calls: whole upstream pages unless the caller asks, or
  // memory is short.
  const bool caller_sized_pages = page_request.page_size() != 0;
  if (!caller_sized_pages) page_request.set_page_size(api::kMaxPageSize);
  StreamMemoryBudget::Reservation stream_memory;
  StreamMemoryBudget::Reservation first_page;
  if (options_.memory != nullptr) {
    absl::StatusOr<std::pair<StreamMemoryBudget::Reservation,
                             StreamMemoryBudget::Reservation>>
        admitted = AdmitListing(Listing::kBytesPerItemEstimate,
                                caller_sized_pages, &page_request);
    if (!admitted.ok()) {
      return new RefusedStream<Message>(context, admitted.status());
    }
    stream_memory = std::move(admitted->first);
    first_page = std::move(admitted->second);
  }

  typename ListingPump<Listing>::Options pump_options;
  pump_options.max_items_per_message = options_.max_items_per_message;
  pump_options.deadline = DeadlineOf(*context);
  pump_options.fingerprint = fingerprint;
  pump_options.observation = observability::FindCallObservation(context);
  pump_options.memory = options_.memory;
  pump_options.page_bytes_estimate =
      first_page.bytes() > 0 ? first_page.bytes()
                             : PageBytesEstimate(Listing::kBytesPerItemEstimate,
                                                 page_request.page_size());
  pump_options.memory_wait = options_.memory_wait;
  auto pump = std::make_shared<ListingPump<Listing>>(
      *std::move(start),
      // The registry (which owns `operations`) lives as long as any fetch:
      // a cancelled stream's last fetch may end after the gateway.
      [projects = projects_, gate = gate_, project = project->name,
       operations = operations, page_request](const upstream::CallContext& call,
                                              const std::string& page_token) {
        typename Listing::PageRequest page = page_request;
        page.set_page_token(page_token);
        return ThrottledUpstreamCall<typename Listing::Page>(
            gate.get(), project, call,
            [&] { return (operations->*Listing::kList)(call, page); });
      },
      [executor = executor_](std::function<void()> task) {
        return executor->TrySchedule(std::move(task));
      },
      pump_options, std::move(first_page));
  std::function<void(Message*)> seal;
  if (gate_ != nullptr && gate_->seals_tokens()) {
    seal = [gate = gate_, request = target->request,
            project = project->name](Message* message) {
      gate->SealTokens(*request, project, message);
    };
  }
  return new ListingStream<Listing>(
      context, std::move(pump), *std::move(slot), std::move(seal),
      TrackStream(options_.metrics, observability::StreamKind::kListing),
      std::move(stream_memory));
}

grpc::ServerWriteReactor<v1::StreamFilesResponse>* StreamCallRunner::Run(
    grpc::CallbackServerContext* context,
    const v1::StreamFilesRequest* request) const {
  return StreamListing<FileListing>(context, *request);
}

grpc::ServerWriteReactor<v1::StreamGroupsResponse>* StreamCallRunner::Run(
    grpc::CallbackServerContext* context,
    const v1::StreamGroupsRequest* request) const {
  return StreamListing<GroupListing>(context, *request);
}

grpc::ServerWriteReactor<v1::WatchConversionJobResponse>* StreamCallRunner::Run(
    grpc::CallbackServerContext* context,
    const v1::WatchConversionJobRequest* request) const {
  using Update = v1::WatchConversionJobResponse;
  auto target = AcceptCall<upstream::ConversionOperations>(
      *projects_, gate_.get(), context, *request);
  if (!target.ok()) return new RefusedStream<Update>(context, target.status());
  absl::StatusOr<CallPermit> slot = TakeStreamSlot(std::move(target->permit));
  if (!slot.ok()) return new RefusedStream<Update>(context, slot.status());
  const Project* project = target->project;
  auto* operations = target->operations;
  const bool document = request->kind() == v1::CONVERSION_KIND_DOCUMENT;
  const int64_t token = request->token();
  JobKey key{project->name, document ? "document" : "video",
             absl::StrCat(token)};
  auto poll_upstream =
      [operations = operations, document,
       token](const upstream::CallContext& call) -> absl::StatusOr<Update> {
    // Document and video status answers share these fields; only videos
    // name a thumbnails group.
    auto update_of = [](const auto& status) {
      Update update;
      update.set_status(status.status());
      update.set_error(status.error());
      update.set_result_uuid(status.result_uuid());
      return update;
    };
    if (document) {
      v1::GetDocumentConversionStatusRequest status_request;
      status_request.set_token(token);
      auto status =
          operations->GetDocumentConversionStatus(call, status_request);
      if (!status.ok()) return status.status();
      return update_of(*status);
    }
    v1::GetVideoConversionStatusRequest status_request;
    status_request.set_token(token);
    auto status = operations->GetVideoConversionStatus(call, status_request);
    if (!status.ok()) return status.status();
    Update update = update_of(*status);
    update.set_thumbnails_group_uuid(status->thumbnails_group_uuid());
    return update;
  };
  auto poll = [projects = projects_, gate = gate_, project = project->name,
               poll_upstream](const upstream::CallContext& call) {
    return ThrottledUpstreamCall<Update>(gate.get(), project, call,
                                         [&] { return poll_upstream(call); });
  };
  return new WatchStream<Update>(
      context, conversions_, std::move(key), std::move(poll), *std::move(slot),
      TrackStream(options_.metrics, observability::StreamKind::kWatch));
}

grpc::ServerWriteReactor<v1::WatchAddonExecutionResponse>*
StreamCallRunner::Run(grpc::CallbackServerContext* context,
                      const v1::WatchAddonExecutionRequest* request) const {
  using Update = v1::WatchAddonExecutionResponse;
  auto target = AcceptCall<upstream::AddonOperations>(*projects_, gate_.get(),
                                                      context, *request);
  if (!target.ok()) return new RefusedStream<Update>(context, target.status());
  absl::StatusOr<CallPermit> slot = TakeStreamSlot(std::move(target->permit));
  if (!slot.ok()) return new RefusedStream<Update>(context, slot.status());
  const Project* project = target->project;
  auto* operations = target->operations;
  v1::GetAddonExecutionStatusRequest status_request;
  status_request.set_addon(request->addon());
  status_request.set_request_id(request->request_id());
  JobKey key{project->name, v1::Addon_Name(request->addon()),
             request->request_id()};
  auto poll = [projects = projects_, gate = gate_, project = project->name,
               operations = operations,
               status_request](const upstream::CallContext& call) {
    return ThrottledUpstreamCall<Update>(
        gate.get(), project, call, [&]() -> absl::StatusOr<Update> {
          auto status =
              operations->GetAddonExecutionStatus(call, status_request);
          if (!status.ok()) return status.status();
          Update update;
          update.set_status(status->status());
          update.set_result_file_id(status->result_file_id());
          return update;
        });
  };
  return new WatchStream<Update>(
      context, addons_, std::move(key), std::move(poll), *std::move(slot),
      TrackStream(options_.metrics, observability::StreamKind::kWatch));
}

absl::StatusOr<CallPermit> StreamCallRunner::TakeStreamSlot(
    CallPermit permit) const {
  const int before = open_streams_->fetch_add(1, std::memory_order_relaxed);
  if (options_.max_concurrent > 0 && before >= options_.max_concurrent) {
    open_streams_->fetch_sub(1, std::memory_order_relaxed);
    return WithRetryAfter(
        WithErrorInfo(absl::ResourceExhaustedError(absl::StrCat(
                          "gateway: ", options_.max_concurrent,
                          " streams already open (streams.max_concurrent); "
                          "retry later")),
                      "STREAMS_EXHAUSTED"),
        absl::Seconds(1));
  }
  // Releases the slot, then the caller's permit, when the stream lets go.
  struct Slot {
    Slot(CallPermit permit, std::shared_ptr<std::atomic<int>> open)
        : permit(std::move(permit)), open(std::move(open)) {}
    ~Slot() { open->fetch_sub(1, std::memory_order_relaxed); }
    CallPermit permit;
    std::shared_ptr<std::atomic<int>> open;
  };
  auto slot = std::make_shared<Slot>(std::move(permit), open_streams_);
  access::CallLimiter::Permit* const inner = slot->permit.get();
  return CallPermit(std::move(slot), inner);
}

void StreamCallRunner::Shutdown() const {
  // Watches could last until their deadline: end them now so the callers
  // move to another replica instead of holding up the drain.
  const absl::Status going_away = absl::UnavailableError(
      "the gateway is shutting down; watch again (another replica)");
  conversions_->Shutdown(going_away);
  addons_->Shutdown(going_away);
}

int StreamCallRunner::watched_jobs() const {
  return conversions_->jobs() + addons_->jobs();
}

}  // namespace ucgate::gateway
