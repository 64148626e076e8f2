#include "client/ucctl_command.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"

namespace ucgate::client {
namespace {

constexpr char kOutputHelp[] =
    "Output format: json (default; one JSON document, proto field names) or "
    "text (a compact table, or the answer's fields).";
constexpr char kConnectionNote[] =
    "Connection options (--target, --project, --timeout, --tls, --ca-file, "
    "--cert-file, --key-file, --token-file) "
    "go before the resource: ucctl --target HOST:PORT files ... "
    "(see ucctl --help).";

}  // namespace

int PrintUsageError(const CommandLine& command_line, const absl::Status& status,
                    std::ostream& err) {
  err << command_line.UsageErrorLine(status) << "\n";
  return kUsageExitCode;
}

Command::Command(Invocation& invocation, absl::string_view path,
                 absl::string_view verb, absl::string_view arguments,
                 absl::string_view summary)
    : invocation_(invocation),
      command_line_(
          absl::StrCat("ucctl ", path, verb.empty() ? "" : " ", verb),
          absl::StrCat("ucctl [connection options] ", path,
                       verb.empty() ? "" : " ", verb,
                       arguments.empty() ? "" : " ", arguments, " [options]"),
          std::string(summary)),
      output_name_(invocation.output_name) {}

std::optional<int> Command::Parse(const std::vector<std::string>& args) {
  command_line_.AddString("output", "FORMAT", kOutputHelp, &output_name_);
  command_line_.AddEpilog(kConnectionNote);
  if (absl::Status status = command_line_.Parse(args, &positional_);
      !status.ok()) {
    return UsageError(status);
  }
  if (command_line_.help_requested()) {
    invocation_.out << command_line_.Help();
    return 0;
  }
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(output_name_);
  if (!format.ok()) return UsageError(format.status());
  format_ = *format;
  return std::nullopt;
}

int Command::UsageError(const absl::Status& status) {
  return PrintUsageError(command_line_, status, invocation_.err);
}

int Command::UsageError(absl::string_view message) {
  return UsageError(absl::InvalidArgumentError(message));
}

std::optional<int> Command::ExpectPositional(size_t min, size_t max,
                                             absl::string_view what) {
  if (positional_.size() < min) {
    return UsageError(absl::StrCat("missing ", what));
  }
  if (positional_.size() > max) {
    return UsageError(
        absl::StrCat("unexpected argument '", positional_[max], "'"));
  }
  return std::nullopt;
}

int Command::RpcError(const absl::Status& status) {
  PrintRpcError(invocation_.err, status);
  return kRpcErrorExitCode;
}

void Command::ReportConnectError(const absl::Status& status) {
  PrintUsageError(*invocation_.top_level, status, invocation_.err);
}

int RunVerbGroup(const VerbGroup& group, const std::vector<std::string>& args,
                 Invocation& invocation) {
  CommandLine command_line(
      absl::StrCat("ucctl ", group.path),
      absl::StrCat("ucctl [connection options] ", group.path,
                   " <command> [arguments] [options]"),
      group.summary);
  command_line.AddString("output", "FORMAT", kOutputHelp,
                         &invocation.output_name);
  std::string commands = "Commands:";
  for (const Verb& verb : group.verbs) {
    absl::StrAppend(
        &commands, absl::StrFormat("\n  %-28s %s",
                                   absl::StrCat(verb.name, " ", verb.arguments),
                                   verb.summary));
  }
  absl::StrAppend(&commands, "\n\nucctl ", group.path,
                  " <command> --help explains a command's options.");
  command_line.AddEpilog(commands);
  command_line.AddEpilog(kConnectionNote);
  std::vector<std::string> rest;
  if (absl::Status status =
          command_line.Parse(args, &rest, /*stop_at_positional=*/true);
      !status.ok()) {
    return PrintUsageError(command_line, status, invocation.err);
  }
  if (command_line.help_requested()) {
    invocation.out << command_line.Help();
    return 0;
  }
  if (rest.empty()) {
    return PrintUsageError(command_line,
                           absl::InvalidArgumentError("missing command"),
                           invocation.err);
  }
  for (const Verb& verb : group.verbs) {
    if (rest[0] != verb.name) continue;
    Command command(invocation, group.path, verb.name, verb.arguments,
                    verb.summary);
    return verb.run(command,
                    std::vector<std::string>(rest.begin() + 1, rest.end()));
  }
  return PrintUsageError(command_line,
                         absl::InvalidArgumentError(
                             absl::StrCat("unknown command '", rest[0], "'")),
                         invocation.err);
}

absl::Status ParseOptionalBool(absl::string_view option, absl::string_view text,
                               std::optional<bool>* value) {
  if (text.empty()) return absl::OkStatus();
  if (text == "true") {
    *value = true;
  } else if (text == "false") {
    *value = false;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--", option, " expects true or false, got '", text, "'"));
  }
  return absl::OkStatus();
}

absl::Status ParseKeyValues(
    absl::string_view option, const std::vector<std::string>& entries,
    google::protobuf::Map<std::string, std::string>* map) {
  for (const std::string& entry : entries) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", option, " expects KEY=VALUE with a non-empty KEY, got '", entry,
          "'"));
    }
    (*map)[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return absl::OkStatus();
}

std::string EnumChoices(const google::protobuf::EnumDescriptor& descriptor,
                        absl::string_view prefix, absl::string_view separator) {
  std::string choices;
  for (int i = 0; i < descriptor.value_count(); ++i) {
    const std::string& name = descriptor.value(i)->name();
    if (descriptor.value(i)->number() == 0 || !absl::StartsWith(name, prefix)) {
      continue;
    }
    std::string choice = absl::AsciiStrToLower(name.substr(prefix.size()));
    // Descending orderings read as "-field", like the REST API's.
    if (absl::EndsWith(choice, "_desc")) {
      choice = absl::StrCat("-", choice.substr(0, choice.size() - 5));
    }
    absl::StrAppend(&choices, choices.empty() ? "" : separator, choice);
  }
  return choices;
}

absl::StatusOr<int> ParseEnumChoice(
    const google::protobuf::EnumDescriptor& descriptor,
    absl::string_view prefix, absl::string_view option,
    absl::string_view text) {
  const bool descending = absl::ConsumePrefix(&text, "-");
  std::string name = absl::StrCat(
      prefix, absl::AsciiStrToUpper(absl::StrReplaceAll(text, {{".", "_"}})),
      descending ? "_DESC" : "");
  const google::protobuf::EnumValueDescriptor* value =
      descriptor.FindValueByName(name);
  if (text.empty() || value == nullptr || value->number() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        option, " expects one of ", EnumChoices(descriptor, prefix, ", "),
        "; got '", descending ? "-" : "", text, "'"));
  }
  return value->number();
}

void PageOptions::AddTo(CommandLine& flags, absl::string_view noun,
                        int max_page_size) {
  flags.AddInt("page-size", "N",
               absl::StrCat(absl::AsciiStrToUpper(noun.substr(0, 1)),
                            noun.substr(1), " per page, 1..", max_page_size,
                            " (default: the gateway's, 100)."),
               &page_size);
  flags.AddString("page-token", "TOKEN",
                  "Start at this page: the next_page_token of the previous "
                  "page (keep the other options the same).",
                  &page_token);
  flags.AddFlag(
      "all",
      absl::StrCat("Walk every page from --page-token (or the "
                   "first) on. JSON: one array of all ",
                   noun, ", printed as pages arrive; text: one table."),
      &all);
}

}  // namespace ucgate::client
