// The ucgate-emulator executable: --help, usage errors (one line, exit 2),
// the "listening on" line, the keys from the environment, and a clean stop on
// SIGTERM.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

extern char** environ;

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Child {
  pid_t pid = -1;
  int out = -1;  // stdout read end
  int err = -1;  // stderr read end
};

Child Spawn(const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env = {}) {
  int out[2];
  int err[2];
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<std::string> full = {UCGATE_EMULATOR_BIN};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : full) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "UCGATE_EMULATOR_")) env_strings.push_back(*e);
  }
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, full[0].c_str(), &actions, nullptr,
                        argv.data(), envp.data()),
            0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  child.out = out[0];
  child.err = err[0];
  return child;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  close(fd);
  return text;
}

struct Finished {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Finished RunToEnd(const std::vector<std::string>& args) {
  Child child = Spawn(args);
  Finished result;
  result.out = ReadAll(child.out);
  result.err = ReadAll(child.err);
  int status = 0;
  waitpid(child.pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Reads stdout until a line starts with `prefix` (or 10 s pass).
std::string ReadUntil(int fd, absl::string_view prefix, std::string* seen) {
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    for (absl::string_view line : absl::StrSplit(*seen, '\n')) {
      if (absl::StartsWith(line, prefix) &&
          absl::StrContains(*seen, absl::StrCat(line, "\n"))) {
        return std::string(line.substr(prefix.size()));
      }
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buffer[1024];
      ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n <= 0) break;
      seen->append(buffer, n);
    }
  }
  return "";
}

TEST(EmulatorCliTest, HelpExplainsEverything) {
  Finished help = RunToEnd({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* text :
       {"--listen HOST:PORT", "--tls-cert FILE", "--tls-key FILE",
        "--seed-files N", "--seed N", "--public-base-url URL", "--log-level",
        "UCGATE_EMULATOR_PUBLIC_KEY", "UCGATE_EMULATOR_SECRET_KEY",
        "/__emulator/faults", "/__emulator/health", "listening on"}) {
    EXPECT_THAT(help.out, HasSubstr(text));
  }
}

TEST(EmulatorCliTest, UsageErrorsAreOneLineAndExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--bogus"},
                                             {"--listen", "nowhere"},
                                             {"--listen", "127.0.0.1:99999"},
                                             {"--seed-files", "many"},
                                             {"--tls-cert", "/tmp/cert.pem"},
                                             {"--log-level", "loud"},
                                             {"positional"}}) {
    Finished result = RunToEnd(args);
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1)
        << result.err;
    EXPECT_THAT(result.err, HasSubstr("ucgate-emulator: ")) << args[0];
    EXPECT_TRUE(result.out.empty());
  }
}

TEST(EmulatorCliTest, ServesUntilSigterm) {
  Child child = Spawn({"--listen", "127.0.0.1:0", "--seed-files", "30"},
                      {"UCGATE_EMULATOR_PUBLIC_KEY=cliPublic",
                       "UCGATE_EMULATOR_SECRET_KEY=cliSecretValue"});
  std::string out;
  std::string url = ReadUntil(child.out, "listening on ", &out);
  ASSERT_THAT(url, ::testing::StartsWith("http://127.0.0.1:")) << out;
  EXPECT_THAT(out, HasSubstr("cliPublic"));
  EXPECT_THAT(out, Not(HasSubstr("cliSecretValue")));

  httplib::Client client(url);
  auto health = client.Get("/__emulator/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto refused = client.Get(
      "/files/", {{"Accept", "application/vnd.uploadcare-v0.7+json"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);

  ASSERT_EQ(kill(child.pid, SIGTERM), 0);
  int status = 0;
  absl::Time give_up = absl::Now() + absl::Seconds(5);
  pid_t done = 0;
  while ((done = waitpid(child.pid, &status, WNOHANG)) == 0 &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(done, child.pid) << "did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(child.out);
  close(child.err);
}

TEST(EmulatorCliTest, PrintsTheDemoKeysByDefault) {
  Child child = Spawn({"--listen", "127.0.0.1:0", "--seed-files", "1"});
  std::string out;
  std::string url = ReadUntil(child.out, "listening on ", &out);
  EXPECT_FALSE(url.empty());
  EXPECT_THAT(out, HasSubstr("demopublickey"));
  EXPECT_THAT(out, HasSubstr("demosecretkey"));
  kill(child.pid, SIGINT);
  int status = 0;
  waitpid(child.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(child.out);
  close(child.err);
}

}  // namespace
