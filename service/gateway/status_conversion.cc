#include "service/gateway/status_conversion.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "service/common/status.h"

namespace ucgate::gateway {
namespace {

// Callers' metadata limits (8 KiB by default in most gRPC clients) bound
// grpc-message and the details together; messages never need more than this,
// and a longer one (an echoed input or upstream answer) is cut.
constexpr size_t kMaxMessageLength = 1024;

std::string BoundedMessage(absl::string_view message) {
  if (message.size() <= kMaxMessageLength) return std::string(message);
  return absl::StrCat(Utf8Prefix(message, kMaxMessageLength), "... (cut from ",
                      message.size(), " bytes)");
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message = BoundedMessage(status.message());
  google::rpc::Status details;
  status.ForEachPayload(
      [&](absl::string_view type_url, const absl::Cord& payload) {
        google::protobuf::Any* any = details.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(payload));
      });
  if (!ErrorReason(status).has_value()) {
    // Every error carries an ErrorInfo (README "Errors"): errors without a
    // reason of their own (deadlines, cancellations, the transport's) get
    // their code's name.
    google::rpc::ErrorInfo info;
    info.set_reason(absl::StatusCodeToString(status.code()));
    info.set_domain(kErrorDomain);
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(kErrorInfoTypeUrl);
    any->set_value(info.SerializeAsString());
  }
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace ucgate::gateway
