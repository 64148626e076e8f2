// Watched files: change detection (in place and Kubernetes' `..data` swap),
// last good value kept on bad contents, one error line per distinct error,
// and the reloader's timer.
#include "service/access/watched_file.h"

#include <unistd.h>

#include <deque>
#include <filesystem>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/access/access_test_util.h"
#include "tests/testing_util/scoped_temp_dir.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::access {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::LogCapture;
using ::testing::Not;
using testing::ProjectedVolume;
using ::testing::SizeIs;
using testing::WriteFile;

// A number file: "17" parses, anything else is refused.
absl::StatusOr<int> ParseNumber(const std::vector<std::string>& contents) {
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(contents[0]), &value)) {
    return absl::InvalidArgumentError("not a number");
  }
  return value;
}

absl::StatusOr<std::shared_ptr<ReloadingValue<int>>> LoadNumber(
    const std::string& path) {
  return ReloadingValue<int>::Load("number file", {path}, ParseNumber);
}

class WatchedFileTest : public ::testing::Test {
 protected:
  // The number file path_ holding `contents`, loaded.
  std::shared_ptr<ReloadingValue<int>> LoadedNumber(
      absl::string_view contents) {
    WriteFile(path_, contents);
    absl::StatusOr<std::shared_ptr<ReloadingValue<int>>> value =
        LoadNumber(path_);
    EXPECT_THAT(value, IsOk());
    return value.ok() ? *value : nullptr;
  }

  ::ucgate::testing::ScopedTempDir dir_{"watched_file"};
  const std::string path_ = dir_.File("a");
  LogCapture log_;
};

TEST_F(WatchedFileTest, ReadsOnFirstCallThenOnlyWhenChanged) {
  const std::string path = dir_.File("a");
  WriteFile(path, "one");
  WatchedFiles files({path});
  auto first = files.ReadIfChanged();
  ASSERT_THAT(first, IsOk());
  ASSERT_TRUE(first->has_value());
  EXPECT_THAT(**first, ElementsAre("one"));
  auto unchanged = files.ReadIfChanged();
  ASSERT_THAT(unchanged, IsOk());
  EXPECT_FALSE(unchanged->has_value());

  WriteFile(path, "two, longer");
  auto changed = files.ReadIfChanged();
  ASSERT_THAT(changed, IsOk());
  ASSERT_TRUE(changed->has_value());
  EXPECT_THAT(**changed, ElementsAre("two, longer"));

  files.MarkStale();
  auto forced = files.ReadIfChanged();
  ASSERT_THAT(forced, IsOk());
  EXPECT_TRUE(forced->has_value());
}

TEST_F(WatchedFileTest, SeesAnInPlaceRewriteOfTheSameSize) {
  std::shared_ptr<ReloadingValue<int>> value = LoadedNumber("11");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value->Get(), 11);
  WriteFile(path_, "12");  // Same size; mtime/ctime tell it apart.
  EXPECT_TRUE(value->Poll());
  EXPECT_EQ(*value->Get(), 12);
  EXPECT_FALSE(value->Poll());
}

TEST_F(WatchedFileTest, SeesAKubernetesDataSymlinkSwap) {
  ProjectedVolume volume(dir_.path());
  volume.Publish({{"number", "1"}});
  auto value = LoadNumber(volume.Path("number"));
  ASSERT_THAT(value, IsOk());
  EXPECT_EQ(*(*value)->Get(), 1);

  volume.Publish({{"number", "2"}});
  EXPECT_TRUE((*value)->Poll());
  EXPECT_EQ(*(*value)->Get(), 2);
  EXPECT_THAT(log_.LinesContaining("reloaded number file"), SizeIs(1));
}

TEST_F(WatchedFileTest, ASnapshotTakenBeforeASwapStaysValid) {
  std::shared_ptr<ReloadingValue<int>> value = LoadedNumber("1");
  ASSERT_NE(value, nullptr);
  std::shared_ptr<const int> in_flight = value->Get();
  WriteFile(path_, "22");
  ASSERT_TRUE(value->Poll());
  EXPECT_EQ(*in_flight, 1);  // The call that started with it finishes with it.
  EXPECT_EQ(*value->Get(), 22);
}

TEST_F(WatchedFileTest, BadContentsKeepTheLastGoodValueWithOneErrorLine) {
  std::shared_ptr<ReloadingValue<int>> value = LoadedNumber("5");
  ASSERT_NE(value, nullptr);

  // Unreadable (gone), then empty, then invalid: 5 throughout.
  std::filesystem::remove(path_);
  EXPECT_FALSE(value->Poll());
  EXPECT_FALSE(value->Poll());  // Same error: no second line.
  EXPECT_EQ(*value->Get(), 5);
  EXPECT_THAT(log_.LinesContaining("cannot be read"), SizeIs(1));
  EXPECT_THAT(
      value->last_error(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(path_)));

  WriteFile(path_, "  \n");
  EXPECT_FALSE(value->Poll());
  EXPECT_EQ(*value->Get(), 5);
  EXPECT_THAT(log_.LinesContaining("is empty"), SizeIs(1));

  WriteFile(path_, "five");
  EXPECT_FALSE(value->Poll());
  EXPECT_FALSE(value->Poll());  // Re-read (maybe half-written), one line.
  EXPECT_EQ(*value->Get(), 5);
  const std::vector<std::string> errors =
      log_.LinesContaining("keeping the last good value");
  ASSERT_THAT(errors, SizeIs(3));
  EXPECT_THAT(errors[2], HasSubstr("ERROR number file: not a number"));

  WriteFile(path_, "6");
  EXPECT_TRUE(value->Poll());
  EXPECT_EQ(*value->Get(), 6);
  EXPECT_THAT(value->last_error(), IsOk());
}

// What the reload metrics count: each poll that read changed files, by
// whether the new contents took effect; unchanged files say nothing.
TEST_F(WatchedFileTest, TheReloadObserverHearsEachReadOfChangedFiles) {
  std::shared_ptr<ReloadingValue<int>> value = LoadedNumber("1");
  ASSERT_NE(value, nullptr);
  std::vector<bool> heard;
  value->set_reload_observer(
      [&heard](bool took_effect) { heard.push_back(took_effect); });

  EXPECT_FALSE(value->Poll());  // Unchanged.
  EXPECT_THAT(heard, IsEmpty());
  WriteFile(path_, "two");
  EXPECT_FALSE(value->Poll());
  WriteFile(path_, "2");
  EXPECT_TRUE(value->Poll());
  EXPECT_THAT(heard, ElementsAre(false, true));
}

TEST_F(WatchedFileTest, TheFirstLoadMustSucceed) {
  EXPECT_THAT(LoadNumber(dir_.File("missing")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("number file: '")));
  WriteFile(dir_.File("bad"), "x");
  EXPECT_THAT(LoadNumber(dir_.File("bad")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "number file: not a number"));
}

TEST_F(WatchedFileTest, ErrorsNeverQuoteTheContents) {
  const std::string path = dir_.File("a");
  WriteFile(path, "1");
  auto value = ReloadingValue<int>::Load(
      "secret file", {path}, [](const std::vector<std::string>& contents) {
        return ParseNumber(contents);
      });
  ASSERT_THAT(value, IsOk());
  WriteFile(path, "sk_live_do_not_log_me");
  (*value)->Poll();
  for (const std::string& line : log_.lines()) {
    EXPECT_THAT(line, Not(HasSubstr("do_not_log_me")));
  }
  EXPECT_THAT(std::string((*value)->last_error().message()),
              Not(HasSubstr("do_not_log_me")));
}

TEST_F(WatchedFileTest, ASetOfFilesIsReadTogether) {
  ProjectedVolume volume(dir_.path());
  volume.Publish({{"public_key", "pub1"}, {"secret_key", "sec1"}});
  auto pair = ReloadingValue<std::pair<std::string, std::string>>::Load(
      "project keys", {volume.Path("public_key"), volume.Path("secret_key")},
      [](const std::vector<std::string>& contents) {
        return std::make_pair(contents[0], contents[1]);
      });
  ASSERT_THAT(pair, IsOk());
  volume.Publish({{"public_key", "pub2"}, {"secret_key", "sec2"}});
  ASSERT_TRUE((*pair)->Poll());
  EXPECT_EQ(*(*pair)->Get(),
            std::make_pair(std::string("pub2"), std::string("sec2")));
}

// A timer the test runs by hand.
class ManualTimer {
 public:
  RunAfterFunction AsFunction() {
    return [this](absl::Duration delay, std::function<void()> task) {
      delays_.push_back(delay);
      tasks_.push_back(std::move(task));
    };
  }
  // Runs the tasks due now (each schedules the next).
  void RunPending() {
    std::deque<std::function<void()>> due;
    due.swap(tasks_);
    for (auto& task : due) task();
  }
  size_t pending() const { return tasks_.size(); }
  const std::vector<absl::Duration>& delays() const { return delays_; }

 private:
  std::deque<std::function<void()>> tasks_;
  std::vector<absl::Duration> delays_;
};

TEST_F(WatchedFileTest, TheReloaderPollsOnItsTimerUntilStopped) {
  std::shared_ptr<ReloadingValue<int>> value = LoadedNumber("1");
  ASSERT_NE(value, nullptr);
  std::shared_ptr<FileReloader> reloader = FileReloader::Create();
  reloader->Add(value);
  ManualTimer timer;
  reloader->Start(timer.AsFunction(), absl::Seconds(2));
  ASSERT_EQ(timer.pending(), 1u);

  WriteFile(path_, "33");
  timer.RunPending();
  EXPECT_EQ(*value->Get(), 33);
  EXPECT_EQ(timer.pending(), 1u);  // Next poll scheduled.
  EXPECT_THAT(timer.delays(), ElementsAre(absl::Seconds(2), absl::Seconds(2)));

  reloader->Stop();
  WriteFile(path_, "44");
  timer.RunPending();
  EXPECT_EQ(*value->Get(), 33);
  EXPECT_EQ(timer.pending(), 0u);
}

TEST_F(WatchedFileTest, TheReloaderDropsValuesNobodyHolds) {
  const std::string path = dir_.File("a");
  WriteFile(path, "1");
  std::shared_ptr<FileReloader> reloader = FileReloader::Create();
  {
    auto value = LoadNumber(path);
    ASSERT_THAT(value, IsOk());
    reloader->Add(*value);
    WriteFile(path, "2");
    EXPECT_EQ(reloader->PollAll(), 1);
  }
  WriteFile(path, "3");
  EXPECT_EQ(reloader->PollAll(), 0);
}

TEST_F(WatchedFileTest, MarkAllStaleRereadsUnchangedFiles) {
  std::shared_ptr<ReloadingValue<int>> value = LoadedNumber("1");
  ASSERT_NE(value, nullptr);
  std::shared_ptr<FileReloader> reloader = FileReloader::Create();
  reloader->Add(value);
  EXPECT_EQ(reloader->PollAll(), 0);
  reloader->MarkAllStale();  // SIGHUP.
  EXPECT_EQ(reloader->PollAll(), 1);
}

}  // namespace
}  // namespace ucgate::access
