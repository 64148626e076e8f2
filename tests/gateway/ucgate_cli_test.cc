// The ucgate binary's command-line contract: --help explains every option, a
// wrong option or a bad config file is one line on stderr and exit code 2.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

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
