// The server-streaming RPCs: StreamFiles/StreamGroups (a ListingPump behind
// a thin ServerWriteReactor) and WatchConversionJob/WatchAddonExecution (a
// watcher of the gateway's shared JobWatchHubs). Requests, resume tokens
// included, are checked on the reactor thread as the unary ones are
// (api::ValidateCall); upstream calls run on the Executor (fibers).
#pragma once

#include <memory>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "service/common/executor.h"
#include "service/gateway/call_gate.h"
#include "service/gateway/job_watch_hub.h"
#include "service/gateway/project_registry.h"
#include "service/gateway/scheduler.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"

namespace ucgate::gateway {

namespace v1 = ::uploadcare::gateway::v1;

struct StreamOptions {
  // Items per StreamFiles/StreamGroups message (measured: see README).
  int max_items_per_message = 100;
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
};

}  // namespace ucgate::gateway
