#include "service/observability/server_interceptor.h"

#include <array>
#include <chrono>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/hash/hash.h"
#include "absl/random/random.h"
#include "service/common/log.h"

namespace ucgate::observability {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Calls' observations by server context, for FindCallObservation. Sharded:
// every call adds and removes itself.
class ObservationDirectory {
 public:
  static ObservationDirectory& Get() {
    static auto* directory = new ObservationDirectory();
    return *directory;
  }

  void Add(const grpc::ServerContextBase* context,
           std::shared_ptr<CallObservation> observation) {
    Shard& shard = ShardOf(context);
    absl::MutexLock lock(&shard.mutex);
    shard.observations[context] = std::move(observation);
  }
  void Remove(const grpc::ServerContextBase* context) {
    Shard& shard = ShardOf(context);
    absl::MutexLock lock(&shard.mutex);
    shard.observations.erase(context);
  }
  std::shared_ptr<CallObservation> Find(
      const grpc::ServerContextBase* context) {
    Shard& shard = ShardOf(context);
    absl::MutexLock lock(&shard.mutex);
    auto it = shard.observations.find(context);
    return it == shard.observations.end() ? nullptr : it->second;
  }

 private:
  struct Shard {
    absl::Mutex mutex;
    absl::flat_hash_map<const grpc::ServerContextBase*,
                        std::shared_ptr<CallObservation>>
        observations ABSL_GUARDED_BY(mutex);
  };
  Shard& ShardOf(const grpc::ServerContextBase* context) {
    return shards_[absl::Hash<const void*>()(context) % shards_.size()];
  }
  std::array<Shard, 16> shards_;
};

class SteadyClock final : public Clock {
 public:
  absl::Time Now() const override {
    return absl::FromUnixNanos(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now().time_since_epoch())
            .count());
  }
};

// The codes that say the gateway failed rather than the caller.
bool IsServerFailure(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return true;
    default:
      return false;
  }
}

// Error messages are logged for finding a caller's error, cut to a bound.
constexpr size_t kMaxLoggedErrorMessage = 512;

// The gRPC adapter: hands each hook point to the call's CallRecorder.
class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(const ServerObservabilityOptions* options,
                       grpc::experimental::ServerRpcInfo* info,
                       GrpcServerMetrics::Method* method)
      : recorder_(options, info->server_context(), method) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      recorder_.OnInitialMetadata(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      recorder_.OnMessageReceived();
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      recorder_.OnMessageSent();
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      recorder_.OnStatus(methods->GetSendStatus(),
                         methods->GetSendTrailingMetadata());
    }
    methods->Proceed();
  }

 private:
  CallRecorder recorder_;
};

}  // namespace

CallRecorder::CallRecorder(const ServerObservabilityOptions* options,
                           const grpc::ServerContextBase* context,
                           GrpcServerMetrics::Method* method)
    : options_(*options),
      context_(context),
      method_(method),
      start_(options_.clock->Now()) {
  if (method_ != nullptr) method_->RecordStarted();
}

CallRecorder::~CallRecorder() {
  // A call that ended without its status passing here (none was sent) is
  // still counted as handled, so started - handled stays the calls open.
  if (!finished_ && method_ != nullptr) {
    method_->RecordHandled(grpc::StatusCode::CANCELLED,
                           options_.clock->Now() - start_);
  }
  if (observation_ != nullptr) ObservationDirectory::Get().Remove(context_);
}

void CallRecorder::OnInitialMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  if (observation_ != nullptr) return;
  // Two values are enough to know the header is repeated (invalid).
  absl::InlinedVector<absl::string_view, 2> traceparents;
  auto [begin, end] = metadata.equal_range(kTraceparentHeader);
  for (auto it = begin; it != end && traceparents.size() < 2; ++it) {
    traceparents.emplace_back(it->second.data(), it->second.size());
  }
  thread_local absl::BitGen random;
  observation_ =
      std::make_shared<CallObservation>(StartCallTrace(traceparents, random));
  ObservationDirectory::Get().Add(context_, observation_);
}

void CallRecorder::OnMessageReceived() {
  if (method_ != nullptr) method_->RecordReceived();
}

void CallRecorder::OnMessageSent() {
  if (method_ != nullptr) method_->RecordSent();
}

void CallRecorder::OnStatus(const grpc::Status& status,
                            std::multimap<std::string, std::string>* trailers) {
  if (finished_) return;
  finished_ = true;
  const absl::Duration handling = options_.clock->Now() - start_;
  const grpc::StatusCode code = status.error_code();
  if (method_ != nullptr) {
    method_->RecordHandled(code, handling);
  } else if (options_.grpc_metrics != nullptr) {
    options_.grpc_metrics->RecordUnknownMethod();
  }
  if (observation_ == nullptr) return;  // no metadata came: nothing to add
  trailers->emplace(kRequestIdTrailer, observation_->request_id());
  const std::string caller = observation_->caller();
  if (options_.gateway_metrics != nullptr && !caller.empty()) {
    options_.gateway_metrics->RecordCallerCall(caller, code);
  }
  if (options_.log_calls) LogCall(status, handling, caller);
}

void CallRecorder::LogCall(const grpc::Status& status, absl::Duration handling,
                           const std::string& caller) const {
  const LogLevel level = IsServerFailure(status.error_code())
                             ? LogLevel::kWarning
                             : LogLevel::kInfo;
  if (!LogEnabled(level)) return;
  const std::string project = observation_->project();
  // The method's name only when it is one of the server's: a path of an
  // unknown method came from the caller.
  absl::InlinedVector<LogField, 10> fields = {
      {"request_id", observation_->request_id()},
      {"method", method_ != nullptr ? method_->full_name() : "unknown"},
      {"grpc_code", GrpcCodeLabel(status.error_code())},
      LogField::Milliseconds("latency_ms", handling),
      {"upstream_attempts", observation_->upstream_attempts()},
  };
  if (!caller.empty()) fields.emplace_back("caller", caller);
  if (!project.empty()) fields.emplace_back("project", project);
  if (observation_->trace().from_caller) {
    fields.emplace_back("parent_span_id", observation_->trace().parent_span_id);
  }
  fields.emplace_back("span_id", observation_->trace().span_id);
  // error_message() returns a copy: it must outlive the fields.
  const std::string error = status.error_message();
  if (!status.ok()) {
    fields.emplace_back(
        "error", absl::string_view(error).substr(0, kMaxLoggedErrorMessage));
  }
  LogLine(level, "grpc call", fields);
}

void CallObservation::SetCaller(absl::string_view configured_name) {
  absl::MutexLock lock(&mutex_);
  caller_ = std::string(configured_name);
}

void CallObservation::SetProject(absl::string_view configured_name) {
  absl::MutexLock lock(&mutex_);
  project_ = std::string(configured_name);
}

std::string CallObservation::caller() const {
  absl::MutexLock lock(&mutex_);
  return caller_;
}

std::string CallObservation::project() const {
  absl::MutexLock lock(&mutex_);
  return project_;
}

std::shared_ptr<CallObservation> FindCallObservation(
    const grpc::ServerContextBase* context) {
  return ObservationDirectory::Get().Find(context);
}

std::shared_ptr<const Clock> MakeSteadyClock() {
  return std::make_shared<SteadyClock>();
}

ServerObservabilityFactory::ServerObservabilityFactory(
    ServerObservabilityOptions options)
    : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = MakeSteadyClock();
}

grpc::experimental::Interceptor*
ServerObservabilityFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  GrpcServerMetrics::Method* method = nullptr;
  if (options_.grpc_metrics != nullptr && info->method() != nullptr) {
    method = options_.grpc_metrics->Find(info->method());
  }
  return new ObservingInterceptor(&options_, info, method);
}

}  // namespace ucgate::observability
