// Runs the ucctl executable itself (its path is UCCTL_BINARY, set by CMake).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/client/fake_gateway.h"

namespace ucgate::client {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ShellQuote(const std::string& word) {
  return absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

ProcessResult RunUcctlBinary(const std::vector<std::string>& args) {
  const std::string base =
      absl::StrCat(::testing::TempDir(), "/ucctl_binary_test_", getpid());
  std::string command = ShellQuote(UCCTL_BINARY);
  for (const std::string& arg : args) {
    absl::StrAppend(&command, " ", ShellQuote(arg));
  }
  absl::StrAppend(&command, " >", ShellQuote(base + ".out"), " 2>",
                  ShellQuote(base + ".err"), " </dev/null");
  ProcessResult result;
  int status = std::system(command.c_str());
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = ReadFile(base + ".out");
  result.err = ReadFile(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return result;
}

TEST(UcctlBinaryTest, HelpExitsZero) {
  ProcessResult result = RunUcctlBinary({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, StartsWith("Usage: ucctl"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST(UcctlBinaryTest, UnknownOptionExitsTwoWithOneLine) {
  ProcessResult result = RunUcctlBinary({"--bogus"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_EQ(result.err, "ucctl: unknown option --bogus (see ucctl --help)\n");
}

TEST(UcctlBinaryTest, GetsAFileFromTheGateway) {
  testing::FakeServer server;
  ProcessResult result =
      RunUcctlBinary({"--target", server.target(), "--project", "demo", "files",
                      "get", testing::kListedUuid});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ::uploadcare::gateway::v1::GetFileResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(result.out, &response).ok())
      << result.out;
  EXPECT_EQ(response.file().uuid(), testing::kListedUuid);
  ASSERT_EQ(server.service().calls().size(), 1u);
  EXPECT_EQ(server.service().calls()[0].project, "demo");
}

TEST(UcctlBinaryTest, RpcErrorExitsOne) {
  testing::FakeServer server;
  server.service().FailWith(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "file not found"));
  ProcessResult result = RunUcctlBinary(
      {"--target", server.target(), "files", "store", testing::kListedUuid});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "ucctl: NOT_FOUND: file not found\n");
}

}  // namespace
}  // namespace ucgate::client
