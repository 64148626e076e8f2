// A small command-line parser shared by ucgate, ucgate-emulator and ucctl, so
// that every tool has the same --help layout and the same error contract: a
// wrong option is one line on stderr and exit code 2.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ucgate {

// Exit code for usage errors (unknown option, bad value, bad config file).
inline constexpr int kUsageExitCode = 2;

class CommandLine {
 public:
  // `usage` is the synopsis line, e.g. "ucgate [--config FILE] [options]".
  CommandLine(std::string program, std::string usage, std::string summary);

  // Options take "--name value" or "--name=value"; flags take neither.
  void AddString(std::string name, std::string value_name, std::string help,
                 std::string* target);
  void AddInt(std::string name, std::string value_name, std::string help,
              int64_t* target);
  void AddFlag(std::string name, std::string help, bool* target);
  // A repeatable option: each occurrence appends its value to `target`.
  void AddStringList(std::string name, std::string value_name, std::string help,
                     std::vector<std::string>* target);
  // Free text appended to --help (environment variables, examples).
  void AddEpilog(std::string text);

  // Parses argv[first..argc). Positional words are appended to `positional`
  // (nullptr: none allowed). With stop_at_positional, parsing stops at the
  // first positional word and the rest of argv goes to `positional` as is
  // (for subcommands). "--help" sets help_requested().
  absl::Status Parse(int argc, const char* const* argv, int first,
                     std::vector<std::string>* positional,
                     bool stop_at_positional = false);
  absl::Status Parse(const std::vector<std::string>& args,
                     std::vector<std::string>* positional,
                     bool stop_at_positional = false);

  bool help_requested() const { return help_requested_; }
  std::string Help() const;
  const std::string& program() const { return program_; }

  // "<program>: <message> (see <program> --help)", the one-line usage error.
  std::string UsageErrorLine(const absl::Status& status) const;
  // Prints UsageErrorLine to stderr; returns kUsageExitCode.
  int UsageError(const absl::Status& status) const;

 private:
  struct Option {
    std::string name;
    std::string value_name;  // empty for flags
    std::string help;
    std::function<absl::Status(absl::string_view)> set;
  };
  const Option* Find(absl::string_view name) const;

  std::string program_;
  std::string usage_;
  std::string summary_;
  std::vector<std::string> epilog_;
  std::vector<Option> options_;
  bool help_requested_ = false;
};

}  // namespace ucgate
