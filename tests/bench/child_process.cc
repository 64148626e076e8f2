#include "tests/bench/child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

extern char** environ;

namespace ucgate::bench {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv,
    const std::vector<std::string>& extra_env, absl::string_view ready_prefix,
    absl::Duration timeout, std::string* ready_line) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) arg_pointers.push_back(arg.data());
  arg_pointers.push_back(nullptr);
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    env.push_back(*entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> env_pointers;
  for (std::string& entry : env) env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);

  std::unique_ptr<ChildProcess> child(new ChildProcess());
  const int spawned =
      posix_spawn(&child->pid_, args[0].c_str(), &actions, nullptr,
                  arg_pointers.data(), env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  child->stdout_fd_ = out[0];
  if (spawned != 0) {
    child->pid_ = -1;
    return absl::InternalError(absl::StrCat("cannot start ", args[0]));
  }

  // Line by line until the ready line; the child flushes it.
  const absl::Time deadline = absl::Now() + timeout;
  std::string buffer;
  while (true) {
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      const size_t at = line.find(std::string(ready_prefix));
      if (at != std::string::npos) {
        *ready_line = line.substr(at + ready_prefix.size());
        child->drain_ = std::thread([fd = child->stdout_fd_] {
          char discard[4096];
          while (read(fd, discard, sizeof(discard)) > 0) {
          }
        });
        return child;
      }
    }
    const absl::Duration left = deadline - absl::Now();
    pollfd poll_fd{child->stdout_fd_, POLLIN, 0};
    if (left <= absl::ZeroDuration() ||
        poll(&poll_fd, 1, static_cast<int>(absl::ToInt64Milliseconds(left))) <=
            0) {
      return absl::DeadlineExceededError(
          absl::StrCat(args[0], " did not print \"", ready_prefix, "\""));
    }
    char chunk[4096];
    const ssize_t n = read(child->stdout_fd_, chunk, sizeof(chunk));
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat(args[0], " exited before it was ready"));
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (drain_.joinable()) drain_.join();  // the pipe closed with the child
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

namespace {

// A "Name:   123 kB" line of /proc/PID/status, in bytes.
absl::StatusOr<int64_t> StatusKilobytesAsBytes(pid_t pid,
                                               absl::string_view field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, field)) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    int64_t kilobytes = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kilobytes)) break;
    return kilobytes * 1024;
  }
  return absl::NotFoundError(absl::StrCat("no ", field, " for process ", pid));
}

}  // namespace

absl::StatusOr<int64_t> ChildProcess::PeakRssBytes() const {
  return StatusKilobytesAsBytes(pid_, "VmHWM:");
}

absl::StatusOr<int64_t> ChildProcess::RssBytes() const {
  return StatusKilobytesAsBytes(pid_, "VmRSS:");
}

absl::StatusOr<absl::Duration> ChildProcess::CpuTime() const {
  std::ifstream stat_file(absl::StrCat("/proc/", pid_, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(stat_file)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) in parentheses;
  // utime and stime are the 14th and 15th fields of the whole line.
  const size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) {
    return absl::NotFoundError(absl::StrCat("no stat for process ", pid_));
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(name_end + 2), ' ');
  int64_t user_ticks = 0, system_ticks = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &user_ticks) ||
      !absl::SimpleAtoi(fields[12], &system_ticks)) {
    return absl::InternalError(absl::StrCat("bad stat for process ", pid_));
  }
  return absl::Seconds(static_cast<double>(user_ticks + system_ticks) /
                       sysconf(_SC_CLK_TCK));
}

}  // namespace ucgate::bench
