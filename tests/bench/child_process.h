// A helper process of a benchmark (ucgate, ucgate-emulator): started with
// extra environment variables, waited for until it prints its address, and
// measured (peak RSS) before it is stopped.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ucgate::bench {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] is the executable's path) and reads its standard
  // output until a line starts with `ready_prefix`; returns the rest of that
  // line in *ready_line (e.g. the address after "listening on ").
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv,
      const std::vector<std::string>& extra_env, absl::string_view ready_prefix,
      absl::Duration timeout, std::string* ready_line);
  // SIGTERM, then waits for the process.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Peak resident set size (VmHWM) so far, and now (VmRSS), in bytes.
  absl::StatusOr<int64_t> PeakRssBytes() const;
  absl::StatusOr<int64_t> RssBytes() const;
  // CPU time (user + system) the process has used so far.
  absl::StatusOr<absl::Duration> CpuTime() const;

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  // Reads what the child prints after it is ready, so that it never blocks
  // on a full pipe.
  std::thread drain_;
};

}  // namespace ucgate::bench
