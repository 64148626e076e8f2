#include "service/emulator/fault_injector.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"

namespace ucgate::emulator {

void FaultInjector::Add(Fault fault) {
  absl::MutexLock lock(&mutex_);
  faults_.push_back(std::move(fault));
}

void FaultInjector::Clear() {
  absl::MutexLock lock(&mutex_);
  faults_.clear();
}

std::optional<Fault> FaultInjector::Take(absl::string_view method,
                                         absl::string_view path) {
  absl::MutexLock lock(&mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (!absl::StartsWith(path, it->path_prefix)) continue;
    Fault fault = *it;
    if (it->times > 0 && --it->times == 0) faults_.erase(it);
    return fault;
  }
  return std::nullopt;
}

std::string DefaultFaultBody(const Fault& fault) {
  std::string detail;
  switch (fault.status) {
    case 400:
      detail = "Bad request.";
      break;
    case 401:
      detail = "Incorrect authentication credentials.";
      break;
    case 403:
      detail = "You do not have permission to perform this action.";
      break;
    case 404:
      detail = "Not found.";
      break;
    case 409:
      detail = "Conflict.";
      break;
    case 429:
      detail =
          fault.retry_after_seconds
              ? absl::StrCat("Request was throttled. Expected available in ",
                             *fault.retry_after_seconds, " seconds.")
              : "Request was throttled.";
      break;
    case 503:
      detail = "Service temporarily unavailable, try again later.";
      break;
    default:
      detail =
          fault.status >= 500 ? "A server error occurred." : "Request failed.";
  }
  std::string body;
  restapi::JsonWriter(&body)
      .BeginObject()
      .Key("detail")
      .String(detail)
      .EndObject();
  return body;
}

std::string TruncateJson(absl::string_view body) {
  if (body.size() < 4) return "{\"de";
  return std::string(body.substr(0, body.size() / 2));
}

absl::StatusOr<Fault> ParseFaultJson(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON parse error - ",
                     rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) {
    return absl::InvalidArgumentError("a fault is a JSON object");
  }
  Fault fault;
  for (const auto& member : doc.GetObject()) {
    absl::string_view name(member.name.GetString(),
                           member.name.GetStringLength());
    const rapidjson::Value& value = member.value;
    auto wrong_type = [&](absl::string_view expected) {
      return absl::InvalidArgumentError(
          absl::StrCat("fault field '", name, "' must be ", expected));
    };
    if (name == "method" || name == "path_prefix" || name == "body") {
      if (!value.IsString()) return wrong_type("a string");
      std::string text(value.GetString(), value.GetStringLength());
      if (name == "method") fault.method = std::move(text);
      if (name == "path_prefix") fault.path_prefix = std::move(text);
      if (name == "body") fault.body = std::move(text);
    } else if (name == "latency_ms" || name == "status" ||
               name == "retry_after_seconds" || name == "times" ||
               name == "slow_body_ms" || name == "oversized_body_bytes") {
      if (!value.IsInt64()) return wrong_type("an integer");
      int64_t number = value.GetInt64();
      if (name == "latency_ms" || name == "slow_body_ms") {
        if (number < 0 || number > 600000) return wrong_type("0..600000");
        (name == "latency_ms" ? fault.latency : fault.slow_body) =
            absl::Milliseconds(number);
      } else if (name == "oversized_body_bytes") {
        if (number < 0 || number > (int64_t{1} << 30)) {
          return wrong_type("0..1073741824");
        }
        fault.oversized_body_bytes = number;
      } else if (name == "status") {
        if (number != 0 && (number < 100 || number > 599)) {
          return wrong_type("0 or an HTTP status");
        }
        fault.status = static_cast<int>(number);
      } else if (name == "retry_after_seconds") {
        if (number < 0) return wrong_type("non-negative");
        fault.retry_after_seconds = static_cast<int>(number);
      } else {
        if (number == 0 || number < -1) return wrong_type("-1 or positive");
        fault.times = static_cast<int>(number);
      }
    } else if (name == "reset_connection" || name == "malformed_body" ||
               name == "reset_after_processing" || name == "truncated_body") {
      if (!value.IsBool()) return wrong_type("a boolean");
      if (name == "truncated_body") fault.truncated_body = value.GetBool();
      if (name == "reset_connection") fault.reset_connection = value.GetBool();
      if (name == "reset_after_processing") {
        fault.reset_after_processing = value.GetBool();
      }
      if (name == "malformed_body") fault.malformed_body = value.GetBool();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown fault field '", name, "'"));
    }
  }
  return fault;
}

}  // namespace ucgate::emulator
