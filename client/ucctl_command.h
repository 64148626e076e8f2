// What every ucctl command shares: the invocation (streams, connection,
// output format), one command's parsing and call path, the dispatch of
// `ucctl <resource> <command>` and option parsers. Each resource lives in its
// own file (ucctl_files.cc, ucctl_groups.cc, ...) and exports its VerbGroup.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/map.h"
#include "service/common/command_line.h"

namespace ucgate::client {

// The streams, the connection settled by the top-level options, and the
// output format name (--output at any level).
struct Invocation {
  Invocation(std::ostream& out, std::ostream& err) : out(out), err(err) {}
  std::ostream& out;
  std::ostream& err;
  const CommandLine* top_level = nullptr;
  ClientOptions client_options;
  std::string output_name = "json";
};

int PrintUsageError(const CommandLine& command_line, const absl::Status& status,
                    std::ostream& err);

// One `ucctl <path> <verb>` run (or `ucctl <path>` when verb is empty): its
// command line (with --output and the
// note on connection options), its positional arguments, and the shared
// steps of connecting, calling and printing.
class Command {
 public:
  Command(Invocation& invocation, absl::string_view path,
          absl::string_view verb, absl::string_view arguments,
          absl::string_view summary);

  CommandLine& command_line() { return command_line_; }
  const std::vector<std::string>& positional() const { return positional_; }
  OutputFormat format() const { return format_; }
  std::ostream& out() { return invocation_.out; }
  Invocation& invocation() { return invocation_; }

  // Parses the verb's arguments. Returns an exit code when the command is
  // already done (help printed, or a usage error), nullopt to go on.
  std::optional<int> Parse(const std::vector<std::string>& args);

  int UsageError(const absl::Status& status);
  int UsageError(absl::string_view message);

  // Checks the number of positional arguments; an exit code when wrong.
  std::optional<int> ExpectPositional(size_t min, size_t max,
                                      absl::string_view what);

  int RpcError(const absl::Status& status);

  // The client for the top-level connection options; a bad --ca-file is a
  // usage error of the top level (already printed).
  template <typename Client>
  absl::StatusOr<std::unique_ptr<Client>> Connect() {
    absl::StatusOr<std::unique_ptr<Client>> client =
        Client::Create(invocation_.client_options);
    if (!client.ok()) ReportConnectError(client.status());
    return client;
  }

  // Connects, makes one call and prints its answer: JSON, or `print_text`.
  template <typename Client, typename CallFn, typename PrintText>
  int Run(CallFn call, PrintText print_text) {
    absl::StatusOr<std::unique_ptr<Client>> client = Connect<Client>();
    if (!client.ok()) return kUsageExitCode;
    auto response = call(**client);
    if (!response.ok()) return RpcError(response.status());
    if (format_ == OutputFormat::kJson) {
      invocation_.out << ToJson(*response);
    } else {
      print_text(*response);
    }
    return 0;
  }

  // Run with the text view of protobuf's text format.
  template <typename Client, typename CallFn>
  int Run(CallFn call) {
    return Run<Client>(call, [this](const google::protobuf::Message& answer) {
      invocation_.out << ToText(answer);
    });
  }

 private:
  void ReportConnectError(const absl::Status& status);

  Invocation& invocation_;
  CommandLine command_line_;
  std::string output_name_;
  std::vector<std::string> positional_;
  OutputFormat format_ = OutputFormat::kJson;
};

struct Verb {
  const char* name;
  const char* arguments;
  const char* summary;
  int (*run)(Command& command, const std::vector<std::string>& args);
};

// `ucctl <path> <verb> ...`: a resource ("files") or a part of one ("files
// tags") with its verbs.
struct VerbGroup {
  const char* path;
  const char* summary;
  absl::Span<const Verb> verbs;
};

// Parses the group's options (--output, --help), then runs the named verb.
int RunVerbGroup(const VerbGroup& group, const std::vector<std::string>& args,
                 Invocation& invocation);

// The resources, each defined in its own file.
extern const VerbGroup kFilesGroup;
extern const VerbGroup kGroupsGroup;
extern const VerbGroup kProjectGroup;
extern const VerbGroup kWebhooksGroup;
extern const VerbGroup kConvertGroup;
extern const VerbGroup kAddonsGroup;

// `ucctl health [SERVICE]`: a command of its own, with no verbs.
extern const char kHealthSummary[];
int RunHealth(const std::vector<std::string>& args, Invocation& invocation);

// "true"/"false" into an optional bool; an empty text leaves it unset.
absl::Status ParseOptionalBool(absl::string_view option, absl::string_view text,
                               std::optional<bool>* value);

// KEY=VALUE entries (non-empty KEY) into a map.
absl::Status ParseKeyValues(
    absl::string_view option, const std::vector<std::string>& entries,
    google::protobuf::Map<std::string, std::string>* map);

// The choices of a proto enum as users write them: the value names without
// `prefix` (e.g. "VIDEO_FORMAT_"), lower case, UNSPECIFIED left out; joined
// with `separator`.
std::string EnumChoices(const google::protobuf::EnumDescriptor& descriptor,
                        absl::string_view prefix, absl::string_view separator);

// `text` (one of EnumChoices; '.' may stand for '_') into the enum value;
// the usage error names `option` ("--to", "ADDON") and the choices.
absl::StatusOr<int> ParseEnumChoice(
    const google::protobuf::EnumDescriptor& descriptor,
    absl::string_view prefix, absl::string_view option, absl::string_view text);

template <typename Enum>
absl::StatusOr<Enum> ParseEnum(absl::string_view prefix,
                               absl::string_view option,
                               absl::string_view text) {
  absl::StatusOr<int> value = ParseEnumChoice(
      *google::protobuf::GetEnumDescriptor<Enum>(), prefix, option, text);
  if (!value.ok()) return value.status();
  return static_cast<Enum>(*value);
}

template <typename Enum>
std::string EnumChoices(absl::string_view prefix,
                        absl::string_view separator = ", ") {
  return EnumChoices(*google::protobuf::GetEnumDescriptor<Enum>(), prefix,
                     separator);
}

// --page-size and --page-token of a paged list, and --all.
struct PageOptions {
  int64_t page_size = 0;
  std::string page_token;
  bool all = false;

  // `noun`: "files", "groups"; `max_page_size` the upstream's limit.
  void AddTo(CommandLine& flags, absl::string_view noun, int max_page_size);

  // Sets page_size and page_token of `request`; a usage error when
  // --page-size is out of range.
  template <typename Request>
  absl::Status Apply(Request& request) const {
    if (page_size < 0 || page_size > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--page-size expects a positive number, got ", page_size));
    }
    request.set_page_size(static_cast<int32_t>(page_size));
    request.set_page_token(page_token);
    return absl::OkStatus();
  }
};

// How a paged list prints in text: a header, one row per item, and the page
// summary (one page) or the count (--all).
template <typename Response, typename Item>
struct ListText {
  void (*header)(std::ostream& out);
  void (*row)(std::ostream& out, const Item& item);
  void (*page)(std::ostream& out, const Response& page);
  const char* noun;
};

// One page (`list`) or, with --all, every page (`for_each`): JSON prints
// the page, or one array of every item as pages arrive; text a table.
template <typename Client, typename Request, typename Response, typename Item>
int RunPagedList(Command& command, const PageOptions& pages,
                 const Request& request,
                 absl::StatusOr<Response> (Client::*list)(const Request&),
                 absl::Status (Client::*for_each)(
                     Request, const std::function<bool(const Item&)>&),
                 const ListText<Response, Item>& text) {
  if (!pages.all) {
    return command.Run<Client>(
        [&](Client& client) { return (client.*list)(request); },
        [&](const Response& page) { text.page(command.out(), page); });
  }
  absl::StatusOr<std::unique_ptr<Client>> client = command.Connect<Client>();
  if (!client.ok()) return kUsageExitCode;
  absl::Status status;
  if (command.format() == OutputFormat::kJson) {
    JsonArrayWriter writer(command.out());
    status = ((**client).*for_each)(request, [&](const Item& item) {
      writer.Add(item);
      return true;
    });
    // Closed even on failure, so what was printed still parses.
    writer.Finish();
  } else {
    int64_t count = 0;
    text.header(command.out());
    status = ((**client).*for_each)(request, [&](const Item& item) {
      text.row(command.out(), item);
      ++count;
      return true;
    });
    command.out() << count << " " << text.noun << "\n";
  }
  if (!status.ok()) return command.RpcError(status);
  return 0;
}

}  // namespace ucgate::client
