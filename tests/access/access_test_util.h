// Helpers of the access tests: files updated the way Kubernetes updates a
// Secret volume, log lines captured, a StatusOr matcher.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing_util/log_capture.h"

namespace ucgate::access::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

inline void WriteFile(const std::string& path, absl::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << path;
}

// A directory laid out as kubelet lays out a Secret or ConfigMap volume:
// every version in its own directory, `..data` a symlink to the current one,
// and each file a symlink `<name> -> ..data/<name>`. Publish() swaps `..data`
// atomically (rename of a new symlink over it), as kubelet does.
class ProjectedVolume {
 public:
  explicit ProjectedVolume(std::string dir) : dir_(std::move(dir)) {}

  void Publish(const std::map<std::string, std::string>& files) {
    const std::string version = absl::StrCat("..version_", ++versions_);
    std::filesystem::create_directory(absl::StrCat(dir_, "/", version));
    for (const auto& [name, contents] : files) {
      WriteFile(absl::StrCat(dir_, "/", version, "/", name), contents);
    }
    const std::string staged = absl::StrCat(dir_, "/..data_tmp");
    ASSERT_EQ(::symlink(version.c_str(), staged.c_str()), 0);
    ASSERT_EQ(::rename(staged.c_str(), absl::StrCat(dir_, "/..data").c_str()),
              0);
    for (const auto& [name, contents] : files) {
      const std::string link = Path(name);
      if (!std::filesystem::is_symlink(link)) {
        ASSERT_EQ(
            ::symlink(absl::StrCat("..data/", name).c_str(), link.c_str()), 0);
      }
    }
  }

  std::string Path(const std::string& name) const {
    return absl::StrCat(dir_, "/", name);
  }

 private:
  std::string dir_;
  int versions_ = 0;
};

using ::ucgate::testing::LogCapture;

// An OK StatusOr whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace ucgate::access::testing
