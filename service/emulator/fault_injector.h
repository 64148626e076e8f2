// Faults injected into matching API requests (tests of retries, timeouts and
// error mapping): added latency, a status with a body and Retry-After, a
// connection reset, or a truncated JSON body.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "service/emulator/emulator.h"

namespace ucgate::emulator {

class FaultInjector {
 public:
  void Add(Fault fault);
  void Clear();

  // The first fault matching this request, counting one use of it (a fault
  // with `times` uses left is dropped after its last one).
  std::optional<Fault> Take(absl::string_view method, absl::string_view path);

 private:
  absl::Mutex mutex_;
  std::vector<Fault> faults_ ABSL_GUARDED_BY(mutex_);
};

// The body a fault answers with when it names none: {"detail": ...} with the
// service's wording (e.g. 429 "Request was throttled. Expected available in
// 10 seconds.").
std::string DefaultFaultBody(const Fault& fault);

// Cuts a JSON body short so that no parser accepts it.
std::string TruncateJson(absl::string_view body);

// The JSON form of a Fault used by POST /__emulator/faults:
// {"method": "GET", "path_prefix": "/files/", "latency_ms": 100,
//  "status": 429, "body": "...", "retry_after_seconds": 10,
//  "reset_connection": false, "reset_after_processing": false,
//  "malformed_body": false, "times": 1}
// Every field is optional.
absl::StatusOr<Fault> ParseFaultJson(absl::string_view json);

}  // namespace ucgate::emulator
