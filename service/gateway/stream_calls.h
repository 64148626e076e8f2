// The server-streaming RPCs: StreamFiles/StreamGroups (a ListingPump behind
// a thin ServerWriteReactor) and WatchConversionJob/WatchAddonExecution (a
// watcher of the gateway's shared JobWatchHubs). Requests, resume tokens
// included, are checked on the reactor thread as the unary ones are
// (api::ValidateCall); upstream calls run on the Executor (fibers).
#pragma once

#include <atomic>
#include <memory>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "service/common/executor.h"
#include "service/gateway/call_gate.h"
#include "service/gateway/job_watch_hub.h"
#include "service/gateway/project_registry.h"
#include "service/gateway/scheduler.h"
#include "service/gateway/stream_memory_budget.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"

namespace ucgate::gateway {

namespace v1 = ::uploadcare::gateway::v1;

// What one listed item holds once mapped, for reserving stream memory
// before a page arrives (then its real size counts): a file with the
// upstream's usual fields, some metadata and image appdata (measured: 2,341
// bytes mapped from 921 bytes of JSON; stream_memory_budget_test keeps the
// estimate above it), a group.
inline constexpr int64_t kFileBytesEstimate = 2560;
inline constexpr int64_t kGroupBytesEstimate = 1024;

struct StreamOptions {
  // Items per StreamFiles/StreamGroups message (measured: see README).
  int max_items_per_message = 100;
  // Streams of every kind open at once, across callers (each caller's are
  // also bounded by its max_in_flight); beyond it a new stream is refused
  // RESOURCE_EXHAUSTED with RetryInfo (STREAMS_EXHAUSTED). 0: no cap.
  int max_concurrent = 1024;
  // The pages all listing streams hold together (see StreamMemoryBudget);
  // null: not bounded. A stream that does not fit with whole upstream pages
  // is admitted with small ones (kSmallStreamPageSize) or refused with
  // RetryInfo (STREAM_MEMORY_EXHAUSTED).
  std::shared_ptr<StreamMemoryBudget> memory;
  // How long a page the caller waits for may wait for memory.
  absl::Duration memory_wait = absl::Seconds(10);
  WatchOptions watch;
  // ucgate_streams_active, ucgate_watched_jobs, polls per job; null: none.
  std::shared_ptr<observability::GatewayMetrics> metrics;
};

class StreamCallRunner {
 public:
  // `scheduler` runs the job watchers' timers; `gate` (null: every call
  // goes through) checks who may call.
  StreamCallRunner(std::shared_ptr<const ProjectRegistry> projects,
                   std::shared_ptr<Executor> executor,
                   std::shared_ptr<Scheduler> scheduler,
                   StreamOptions options = {},
                   std::shared_ptr<const CallGate> gate = nullptr);

  grpc::ServerWriteReactor<v1::StreamFilesResponse>* Run(
      grpc::CallbackServerContext* context,
      const v1::StreamFilesRequest* request) const;
  grpc::ServerWriteReactor<v1::StreamGroupsResponse>* Run(
      grpc::CallbackServerContext* context,
      const v1::StreamGroupsRequest* request) const;
  grpc::ServerWriteReactor<v1::WatchConversionJobResponse>* Run(
      grpc::CallbackServerContext* context,
      const v1::WatchConversionJobRequest* request) const;
  grpc::ServerWriteReactor<v1::WatchAddonExecutionResponse>* Run(
      grpc::CallbackServerContext* context,
      const v1::WatchAddonExecutionRequest* request) const;

  // Stops every job poller and ends every watch with UNAVAILABLE (the
  // gateway's shutdown).
  void Shutdown() const;

  // Jobs polled right now (tests).
  int watched_jobs() const;

 private:
  // One of the max_concurrent slots, held with the caller's permit for the
  // stream's life (one handle), or the refusal.
  absl::StatusOr<CallPermit> TakeStreamSlot(CallPermit permit) const;

  // Upstream page size of a stream admitted when whole pages do not fit.
  static constexpr int kSmallStreamPageSize = 100;
  static int64_t PageBytesEstimate(int64_t bytes_per_item, int page_size);
  // The stream's own memory and its first page's, or the refusal; may
  // shrink the upstream page size the caller left unset.
  template <typename PageRequest>
  absl::StatusOr<std::pair<StreamMemoryBudget::Reservation,
                           StreamMemoryBudget::Reservation>>
  AdmitListing(int64_t bytes_per_item, bool caller_sized_pages,
               PageRequest* page_request) const;

  template <typename Listing>
  grpc::ServerWriteReactor<typename Listing::Message>* StreamListing(
      grpc::CallbackServerContext* context,
      const typename Listing::Request& request) const;

  std::shared_ptr<const ProjectRegistry> projects_;
  std::shared_ptr<Executor> executor_;
  StreamOptions options_;
  std::shared_ptr<const CallGate> gate_;
  std::shared_ptr<JobWatchHub<v1::WatchConversionJobResponse>> conversions_;
  std::shared_ptr<JobWatchHub<v1::WatchAddonExecutionResponse>> addons_;
  // Streams open now (shared with the slots, which may outlive the runner).
  std::shared_ptr<std::atomic<int>> open_streams_ =
      std::make_shared<std::atomic<int>>(0);
};

}  // namespace ucgate::gateway
