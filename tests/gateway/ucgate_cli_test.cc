// The ucgate binary's command-line contract: --help explains every option, a
// wrong option or a bad config file is one line on stderr and exit code 2.
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Outcome RunUcgate(const std::string& arguments) {
  Outcome outcome;
  std::string command = absl::StrCat(UCGATE_BINARY, " ", arguments, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer;
  size_t read;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    outcome.output.append(buffer.data(), read);
  }
  int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string WriteConfig(const std::string& name, const std::string& yaml) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << yaml;
  return path;
}

size_t Lines(const std::string& text) {
  return std::vector<std::string>(absl::StrSplit(text, '\n', absl::SkipEmpty()))
      .size();
}

TEST(UcgateCliTest, HelpExplainsEveryOption) {
  Outcome outcome = RunUcgate("--help");
  EXPECT_EQ(outcome.exit_code, 0);
  for (const char* option :
       {"--config FILE", "--listen HOST:PORT", "--log-level", "--upstream-url",
        "--worker-threads", "--emulator", "--emulator-files",
        "x-ucgate-project", "UCGATE_EMULATOR_SECRET_KEY"}) {
    EXPECT_THAT(outcome.output, HasSubstr(option));
  }
}

TEST(UcgateCliTest, UsageErrorsAreOneLineAndExitTwo) {
  for (const std::string& arguments :
       {std::string("--bogus"), std::string(""),
        std::string("--emulator --config x.yaml"),
        std::string("--config /nonexistent/ucgate.yaml"),
        std::string("--emulator --listen 0.0.0.0:0"),
        std::string("--config ") + WriteConfig("bad.yaml", "listen: [\n"),
        std::string("--config ") + WriteConfig("typo.yaml", "lisen: 1\n"),
        std::string("--config ") +
            WriteConfig("empty.yaml", "listen: 127.0.0.1:0\n"),
        std::string("--config ") +
            WriteConfig("literal.yaml",
                        "projects:\n  - {name: a, public_key: p, secret_key: "
                        "hunter2}\n")}) {
    Outcome outcome = RunUcgate(arguments);
    EXPECT_EQ(outcome.exit_code, 2) << arguments << ": " << outcome.output;
    EXPECT_EQ(Lines(outcome.output), 1u) << arguments << ": " << outcome.output;
    EXPECT_THAT(outcome.output, HasSubstr("ucgate: ")) << arguments;
    EXPECT_THAT(outcome.output, Not(HasSubstr("hunter2")));
  }
}

// A config with one valid project plus `extra` top-level YAML.
std::string ConfigWith(const std::string& name, const std::string& extra) {
  return WriteConfig(name, absl::StrCat("listen: 127.0.0.1:0\n", extra,
                                        "projects:\n  - {name: a, public_key: "
                                        "p, secret_key_env: HOME}\n"));
}

TEST(UcgateCliTest, StartUpMistakesAreOneLineAndExitTwo) {
  for (const auto& [arguments, expected] :
       std::vector<std::pair<std::string, std::string>>{
           {"--config " + ConfigWith("ca.yaml",
                                     "upstream: {ca_file: "
                                     "/nonexistent/ca.pem}\n"),
            "upstream.ca_file"},
           {"--config " +
                ConfigWith("backoff.yaml",
                           "upstream: {retry: {initial_backoff_ms: -5}}\n"),
            "backoffs"},
           {"--config " + ConfigWith("idle.yaml",
                                     "upstream: {max_idle_connections: -1}\n"),
            "upstream.max_idle_connections"},
           {"--config " + ConfigWith("twice.yaml",
                                     "worker_threads: 4\n"
                                     "worker_threads: 8\n"),
            "config.worker_threads: given more than once"},
           {"--emulator --listen 127.0.0.1", "not HOST:PORT"},
           {"--emulator --listen 127.0.0.1:99999", "not HOST:PORT"},
           {"--config " + ConfigWith("listen.yaml", "") +
                " --listen no.such.host.invalid:1",
            "cannot listen on no.such.host.invalid:1"},
       }) {
    Outcome outcome = RunUcgate(arguments);
    EXPECT_EQ(outcome.exit_code, 2) << arguments << ": " << outcome.output;
    EXPECT_EQ(Lines(outcome.output), 1u) << arguments << ": " << outcome.output;
    EXPECT_THAT(outcome.output, HasSubstr(expected)) << arguments;
  }
}

// A ucgate process whose stdout the test reads; killed (SIGTERM) and reaped
// on destruction.
class RunningUcgate {
 public:
  explicit RunningUcgate(const std::vector<std::string>& arguments) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    std::string binary = UCGATE_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = arguments;
    for (std::string& argument : copies) argv.push_back(argument.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, UCGATE_BINARY, &actions, nullptr, argv.data(),
                    environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    stdout_ = fdopen(fds[0], "r");
  }
  ~RunningUcgate() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ != nullptr) fclose(stdout_);
  }

  // The port of its "ucgate: listening on HOST:PORT" line; 0 if it ended
  // without one.
  int ReadPort() {
    char line[512];
    while (stdout_ != nullptr && fgets(line, sizeof(line), stdout_)) {
      absl::string_view text(line);
      constexpr absl::string_view kPrefix = "ucgate: listening on ";
      if (!absl::StartsWith(text, kPrefix)) continue;
      int port = 0;
      if (absl::SimpleAtoi(
              absl::StripAsciiWhitespace(text.substr(text.rfind(':') + 1)),
              &port)) {
        return port;
      }
    }
    return 0;
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
};

TEST(UcgateCliTest, ASecondGatewayOnTheSamePortFailsToStart) {
  RunningUcgate first(
      {"--emulator", "--listen", "127.0.0.1:0", "--emulator-files", "1"});
  const int port = first.ReadPort();
  ASSERT_GT(port, 0);
  Outcome second =
      RunUcgate(absl::StrCat("--config ", ConfigWith("second.yaml", ""),
                             " --listen 127.0.0.1:", port));
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_EQ(Lines(second.output), 1u) << second.output;
  EXPECT_THAT(second.output, HasSubstr(absl::StrCat("cannot listen on "
                                                    "127.0.0.1:",
                                                    port)));
}

TEST(UcgateCliTest, APortSharedWithSoReusePortIsStillRefused) {
  // What gRPC's own listener used to set: a gateway must not join it.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  Outcome outcome =
      RunUcgate(absl::StrCat("--config ", ConfigWith("shared.yaml", ""),
                             " --listen 127.0.0.1:", ntohs(address.sin_port)));
  close(fd);
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("Address already in use"));
}

TEST(UcgateCliTest, SimpleAuthOverHttpIsRefusedAtStart) {
  std::string config = WriteConfig(
      "simple.yaml",
      "listen: 127.0.0.1:0\nupstream: {base_url: 'http://127.0.0.1:9'}\n"
      "projects:\n  - {name: a, public_key: p, secret_key_env: HOME, "
      "auth_scheme: simple}\n");
  Outcome outcome = RunUcgate("--config " + config);
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.output, HasSubstr("HTTPS"));
}

// The safe default (issue 14): without callers, a port other hosts can
// reach is refused with one line (allow_unauthenticated: tests/gateway/
// config_test.cc).
TEST(UcgateCliTest, NoCallersOnAPublicAddressIsRefusedUnlessAllowed) {
  const std::string projects =
      "projects:\n  - {name: a, public_key: p, secret_key_env: HOME}\n";
  Outcome refused = RunUcgate(
      "--config " + WriteConfig("open.yaml", "listen: 0.0.0.0:0\n" + projects));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_EQ(Lines(refused.output), 1u) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("allow_unauthenticated"));
  // The flag overrides the file's loopback address, and is checked too.
  Outcome by_flag = RunUcgate(
      "--listen 0.0.0.0:0 --config " +
      WriteConfig("loopback.yaml", "listen: 127.0.0.1:0\n" + projects));
  EXPECT_EQ(by_flag.exit_code, 2) << by_flag.output;
}

}  // namespace
