// libprotobuf logs on its own (to stderr, one line per event): an
// undecodable request or invalid UTF-8 from any caller wrote an unthrottled
// line per call. RouteProtobufLogs sends those lines through the gateway's
// log instead, at most one per `interval`, the next one counting how many
// were dropped in between.
#pragma once

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ucgate {

// Process-wide (google::protobuf::SetLogHandler); `now` is injected for
// tests. Fatal lines are always logged.
void RouteProtobufLogs(absl::Duration interval = absl::Seconds(10),
                       std::function<absl::Time()> now = &absl::Now);

}  // namespace ucgate
