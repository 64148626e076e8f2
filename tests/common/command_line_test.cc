#include "service/common/command_line.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Fixture {
  std::string config;
  int64_t port = 0;
  bool emulator = false;
  CommandLine command_line{"tool", "tool [options]", "Does things."};
  Fixture() {
    command_line.AddString("config", "FILE", "Configuration file.", &config);
    command_line.AddInt("port", "N", "Port.", &port);
    command_line.AddFlag("emulator", "Use the emulator.", &emulator);
  }
};

TEST(CommandLineTest, ParsesBothValueForms) {
  Fixture f;
  ASSERT_THAT(f.command_line.Parse(
                  {"--config", "a.yaml", "--port=7", "--emulator"}, nullptr),
              IsOk());
  EXPECT_EQ(f.config, "a.yaml");
  EXPECT_EQ(f.port, 7);
  EXPECT_TRUE(f.emulator);
}

TEST(CommandLineTest, RejectsUnknownOptionsAndBadValues) {
  Fixture f;
  EXPECT_THAT(
      f.command_line.Parse({"--nope"}, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, "unknown option --nope"));
  EXPECT_THAT(
      f.command_line.Parse({"--port", "x"}, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("whole number")));
  EXPECT_THAT(
      f.command_line.Parse({"--config"}, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a value")));
  EXPECT_THAT(f.command_line.Parse({"--emulator=1"}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("takes no value")));
  EXPECT_THAT(
      f.command_line.Parse({"stray"}, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected")));
}

TEST(CommandLineTest, StopsAtSubcommand) {
  Fixture f;
  std::vector<std::string> rest;
  ASSERT_THAT(
      f.command_line.Parse({"--port", "1", "files", "get", "--port", "2"},
                           &rest, /*stop_at_positional=*/true),
      IsOk());
  EXPECT_EQ(f.port, 1);
  EXPECT_THAT(rest, ElementsAre("files", "get", "--port", "2"));
}

TEST(CommandLineTest, RepeatableOptionCollectsEveryValue) {
  std::vector<std::string> tags;
  CommandLine command_line("tool", "tool [options]", "Does things.");
  command_line.AddStringList("tag", "K=V", "A tag; repeat it.", &tags);
  ASSERT_THAT(command_line.Parse({"--tag", "a=1", "--tag=b=2"}, nullptr),
              IsOk());
  EXPECT_THAT(tags, ElementsAre("a=1", "b=2"));
}

TEST(CommandLineTest, UsageErrorLineNamesProgramAndHelp) {
  Fixture f;
  EXPECT_EQ(f.command_line.UsageErrorLine(
                absl::InvalidArgumentError("unknown option --nope")),
            "tool: unknown option --nope (see tool --help)");
}

TEST(CommandLineTest, HelpListsEveryOption) {
  Fixture f;
  ASSERT_THAT(f.command_line.Parse({"--help"}, nullptr), IsOk());
  EXPECT_TRUE(f.command_line.help_requested());
  std::string help = f.command_line.Help();
  EXPECT_THAT(help, HasSubstr("--config FILE"));
  EXPECT_THAT(help, HasSubstr("--emulator"));
  EXPECT_THAT(help, HasSubstr("Does things."));
}

}  // namespace
}  // namespace ucgate
