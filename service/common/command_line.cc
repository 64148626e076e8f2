#include "service/common/command_line.h"

#include <cstdio>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ucgate {

CommandLine::CommandLine(std::string program, std::string usage,
                         std::string summary)
    : program_(std::move(program)),
      usage_(std::move(usage)),
      summary_(std::move(summary)) {}

void CommandLine::AddString(std::string name, std::string value_name,
                            std::string help, std::string* target) {
  options_.push_back({std::move(name), std::move(value_name), std::move(help),
                      [target](absl::string_view value) {
                        *target = std::string(value);
                        return absl::OkStatus();
                      }});
}

void CommandLine::AddInt(std::string name, std::string value_name,
                         std::string help, int64_t* target) {
  std::string option_name = name;
  options_.push_back({std::move(name), std::move(value_name), std::move(help),
                      [target, option_name](absl::string_view value) {
                        if (!absl::SimpleAtoi(value, target)) {
                          return absl::InvalidArgumentError(absl::StrCat(
                              "--", option_name,
                              " expects a whole number, got '", value, "'"));
                        }
                        return absl::OkStatus();
                      }});
}

void CommandLine::AddFlag(std::string name, std::string help, bool* target) {
  options_.push_back(
      {std::move(name), "", std::move(help), [target](absl::string_view) {
         *target = true;
         return absl::OkStatus();
       }});
}

void CommandLine::AddStringList(std::string name, std::string value_name,
                                std::string help,
                                std::vector<std::string>* target) {
  options_.push_back({std::move(name), std::move(value_name), std::move(help),
                      [target](absl::string_view value) {
                        target->emplace_back(value);
                        return absl::OkStatus();
                      }});
}

void CommandLine::AddEpilog(std::string text) {
  epilog_.push_back(std::move(text));
}

const CommandLine::Option* CommandLine::Find(absl::string_view name) const {
  for (const Option& option : options_) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

absl::Status CommandLine::Parse(int argc, const char* const* argv, int first,
                                std::vector<std::string>* positional,
                                bool stop_at_positional) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
  return Parse(args, positional, stop_at_positional);
}

absl::Status CommandLine::Parse(const std::vector<std::string>& args,
                                std::vector<std::string>* positional,
                                bool stop_at_positional) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg == "--") {
      for (++i; i < args.size(); ++i) {
        if (positional == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("unexpected argument '", args[i], "'"));
        }
        positional->push_back(args[i]);
      }
      break;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      if (positional == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument '", arg, "'"));
      }
      if (stop_at_positional) {
        positional->insert(positional->end(), args.begin() + i, args.end());
        break;
      }
      positional->push_back(std::string(arg));
      continue;
    }
    absl::string_view name = arg.substr(2);
    std::optional<absl::string_view> inline_value;
    if (auto eq = name.find('='); eq != absl::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Option* option = Find(name);
    if (option == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option --", name));
    }
    if (option->value_name.empty()) {
      if (inline_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("option --", name, " takes no value"));
      }
      if (absl::Status s = option->set(""); !s.ok()) return s;
      continue;
    }
    absl::string_view value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "option --", name, " needs a value (", option->value_name, ")"));
    }
    if (absl::Status s = option->set(value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string CommandLine::Help() const {
  std::string help = absl::StrCat("Usage: ", usage_, "\n\n", summary_, "\n");
  if (!options_.empty()) absl::StrAppend(&help, "\nOptions:\n");
  for (const Option& option : options_) {
    std::string left = absl::StrCat("--", option.name);
    if (!option.value_name.empty())
      absl::StrAppend(&left, " ", option.value_name);
    absl::StrAppend(&help, absl::StrFormat("  %-28s %s\n", left, option.help));
  }
  absl::StrAppend(&help, absl::StrFormat("  %-28s %s\n", "--help",
                                         "Show this help and exit."));
  for (const std::string& text : epilog_)
    absl::StrAppend(&help, "\n", text, "\n");
  return help;
}

std::string CommandLine::UsageErrorLine(const absl::Status& status) const {
  return absl::StrCat(program_, ": ", status.message(), " (see ", program_,
                      " --help)");
}

int CommandLine::UsageError(const absl::Status& status) const {
  std::fprintf(stderr, "%s\n", UsageErrorLine(status).c_str());
  return kUsageExitCode;
}

}  // namespace ucgate
