#include "service/observability/grpc_server_metrics.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace ucgate::observability {
namespace {

constexpr absl::string_view kCodeLabels[17] = {
    "OK",
    "Canceled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
};

// The index of `code` in kCodeLabels; Unknown for a value outside them.
int CodeIndex(grpc::StatusCode code) {
  const int value = static_cast<int>(code);
  return value >= 0 && value < 17 ? value : grpc::StatusCode::UNKNOWN;
}

const char* MethodType(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming()) {
    return method.server_streaming() ? "bidi_stream" : "client_stream";
  }
  return method.server_streaming() ? "server_stream" : "unary";
}

}  // namespace

absl::string_view GrpcCodeLabel(grpc::StatusCode code) {
  return kCodeLabels[CodeIndex(code)];
}

GrpcServerMetrics::Method::Method(GrpcServerMetrics* owner, std::string service,
                                  std::string name, std::string type)
    : owner_(owner),
      service_(std::move(service)),
      name_(std::move(name)),
      type_(std::move(type)),
      full_name_(absl::StrCat(service_, "/", name_)) {
  const prometheus::Labels labels = {
      {"grpc_type", type_}, {"grpc_service", service_}, {"grpc_method", name_}};
  started_ = &owner->started_family_->Add(labels);
  received_ = &owner->received_family_->Add(labels);
  sent_ = &owner->sent_family_->Add(labels);
  handling_ = &owner->handling_family_->Add(
      labels, owner->options_.handling_seconds_buckets);
  // OK from the start, so an error ratio has its denominator at once.
  HandledCounter(grpc::StatusCode::OK);
}

prometheus::Counter* GrpcServerMetrics::Method::HandledCounter(
    grpc::StatusCode code) {
  const int index = CodeIndex(code);
  prometheus::Counter* counter =
      handled_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &owner_->handled_family_->Add(
        {{"grpc_type", type_},
         {"grpc_service", service_},
         {"grpc_method", name_},
         {"grpc_code", std::string(kCodeLabels[index])}});
    handled_[index].store(counter, std::memory_order_release);
  }
  return counter;
}

void GrpcServerMetrics::Method::RecordHandled(grpc::StatusCode code,
                                              absl::Duration handling) {
  HandledCounter(code)->Increment();
  handling_->Observe(absl::ToDoubleSeconds(handling));
}

GrpcServerMetrics::GrpcServerMetrics(MetricsRegistry& registry,
                                     GrpcServerMetricsOptions options)
    : options_(std::move(options)) {
  prometheus::Registry& families = registry.registry();
  started_family_ = &prometheus::BuildCounter()
                         .Name("grpc_server_started_total")
                         .Help("Total number of RPCs started on the server.")
                         .Register(families);
  handled_family_ =
      &prometheus::BuildCounter()
           .Name("grpc_server_handled_total")
           .Help(
               "Total number of RPCs completed on the server, regardless of "
               "success or failure.")
           .Register(families);
  handling_family_ =
      &prometheus::BuildHistogram()
           .Name("grpc_server_handling_seconds")
           .Help(
               "Histogram of response latency (seconds) of gRPC that had "
               "been application-level handled by the server.")
           .Register(families);
  received_family_ =
      &prometheus::BuildCounter()
           .Name("grpc_server_msg_received_total")
           .Help("Total number of RPC stream messages received on the server.")
           .Register(families);
  sent_family_ =
      &prometheus::BuildCounter()
           .Name("grpc_server_msg_sent_total")
           .Help("Total number of gRPC stream messages sent by the server.")
           .Register(families);
  unknown_method_calls_ =
      &prometheus::BuildCounter()
           .Name("ucgate_grpc_unknown_method_calls_total")
           .Help(
               "Calls of a method this server does not serve (they make no "
               "grpc_server_* series: method names come from callers).")
           .Register(families)
           .Add({});
}

absl::StatusOr<std::shared_ptr<GrpcServerMetrics>> GrpcServerMetrics::Create(
    MetricsRegistry& registry, const std::vector<std::string>& services,
    GrpcServerMetricsOptions options) {
  std::vector<const google::protobuf::ServiceDescriptor*> descriptors;
  for (const std::string& service : services) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service);
    if (descriptor == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("gRPC metrics: no service '", service,
                       "' among the linked descriptors"));
    }
    descriptors.push_back(descriptor);
  }
  std::shared_ptr<GrpcServerMetrics> metrics(
      new GrpcServerMetrics(registry, std::move(options)));
  for (const google::protobuf::ServiceDescriptor* service : descriptors) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& method = *service->method(i);
      std::string path =
          absl::StrCat("/", service->full_name(), "/", method.name());
      if (metrics->methods_.contains(path)) continue;  // named twice
      metrics->methods_.emplace(
          std::move(path), std::unique_ptr<Method>(
                               new Method(metrics.get(), service->full_name(),
                                          method.name(), MethodType(method))));
    }
  }
  return metrics;
}

GrpcServerMetrics::Method* GrpcServerMetrics::Find(
    absl::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : it->second.get();
}

}  // namespace ucgate::observability
