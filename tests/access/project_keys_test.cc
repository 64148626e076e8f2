// A project's key files rotated through a Secret volume swap while a call
// holds the old keys.
#include "service/access/project_keys.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/access/access_test_util.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using ::testing::HasSubstr;
using testing::LogCapture;
using ::testing::Not;
using testing::ProjectedVolume;
using ::testing::SizeIs;

class ProjectKeysTest : public ::testing::Test {
 protected:
  ::ucgate::testing::ScopedTempDir dir_{"project_keys"};
  ProjectedVolume volume_{dir_.path()};
  LogCapture log_;
};

TEST_F(ProjectKeysTest, BothKeysRotateTogether) {
  volume_.Publish({{"public_key", "pub-1\n"}, {"secret_key", "sec-1\n"}});
  auto keys = LoadProjectKeyFiles(
      {"shop", volume_.Path("secret_key"), volume_.Path("public_key"), ""});
  ASSERT_THAT(keys, IsOk());
  std::shared_ptr<const ProjectKeys> in_flight = (*keys)->Get();
  EXPECT_EQ(in_flight->public_key, "pub-1");
  EXPECT_EQ(in_flight->secret_key.Reveal(), "sec-1");

  volume_.Publish({{"public_key", "pub-2"}, {"secret_key", "sec-2"}});
  ASSERT_TRUE((*keys)->Poll());
  // The call that started signs on with the old pair; the next attempt gets
  // the new pair, never a mix.
  EXPECT_EQ(in_flight->secret_key.Reveal(), "sec-1");
  std::shared_ptr<const ProjectKeys> next = (*keys)->Get();
  EXPECT_EQ(next->public_key, "pub-2");
  EXPECT_EQ(next->secret_key.Reveal(), "sec-2");
  EXPECT_THAT(log_.LinesContaining("reloaded keys of project 'shop'"),
              SizeIs(1));
}

TEST_F(ProjectKeysTest, APublicKeyFromTheConfiguration) {
  volume_.Publish({{"secret_key", "sec-1"}});
  auto keys = LoadProjectKeyFiles(
      {"shop", volume_.Path("secret_key"), "", "configured-public"});
  ASSERT_THAT(keys, IsOk());
  EXPECT_EQ((*keys)->Get()->public_key, "configured-public");
}

TEST_F(ProjectKeysTest, UnreadableOrEmptyKeepsTheLastGoodKeys) {
  volume_.Publish({{"secret_key", "sec-1"}});
  auto keys =
      LoadProjectKeyFiles({"shop", volume_.Path("secret_key"), "", "public"});
  ASSERT_THAT(keys, IsOk());
  for (const char* broken : {"", "two words", "\n\n"}) {
    volume_.Publish({{"secret_key", broken}});
    EXPECT_FALSE((*keys)->Poll());
    EXPECT_EQ((*keys)->Get()->secret_key.Reveal(), "sec-1");
  }
  std::filesystem::remove(volume_.Path("secret_key"));
  EXPECT_FALSE((*keys)->Poll());
  EXPECT_EQ((*keys)->Get()->secret_key.Reveal(), "sec-1");
  // One line each time the error changes.
  EXPECT_THAT(log_.LinesContaining("ERROR keys of project 'shop'"), SizeIs(4));
  for (const std::string& line : log_.lines()) {
    EXPECT_THAT(line, Not(HasSubstr("two words")));
    EXPECT_THAT(line, Not(HasSubstr("sec-1")));
  }
}

TEST_F(ProjectKeysTest, TheFirstReadMustSucceed) {
  volume_.Publish({{"secret_key", "a b"}});
  EXPECT_THAT(
      LoadProjectKeyFiles({"shop", volume_.Path("secret_key"), "", "public"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("must hold one key on one line")));
}

}  // namespace
}  // namespace ucgate::access
