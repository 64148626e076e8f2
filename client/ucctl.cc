#include "client/ucctl.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr char kDefaultTarget[] = "127.0.0.1:50051";
constexpr char kOutputHelp[] =
    "Output format: json (default; one JSON document, proto field names) or "
    "text (a compact table or key: value lines).";
constexpr char kConnectionNote[] =
    "Connection options (--target, --project, --timeout, --tls, --ca-file) "
    "go before the resource: ucctl --target HOST:PORT files ... "
    "(see ucctl --help).";

// What every command shares: the streams, the connection settled by the
// top-level options, and the output format name (--output at any level).
struct Invocation {
  Invocation(std::ostream& out, std::ostream& err) : out(out), err(err) {}
  std::ostream& out;
  std::ostream& err;
  const CommandLine* top_level = nullptr;
  ClientOptions client_options;
  std::string output_name = "json";
};

int PrintUsageError(const CommandLine& command_line, const absl::Status& status,
                    std::ostream& err) {
  err << command_line.UsageErrorLine(status) << "\n";
  return kUsageExitCode;
}

// "true"/"false" into an optional bool; an empty text leaves it unset.
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

absl::StatusOr<v1::FileOrdering> ParseOrdering(absl::string_view text) {
  if (text.empty()) return v1::FILE_ORDERING_UNSPECIFIED;
  if (text == "datetime_uploaded") return v1::FILE_ORDERING_DATETIME_UPLOADED;
  if (text == "-datetime_uploaded") {
    return v1::FILE_ORDERING_DATETIME_UPLOADED_DESC;
  }
  if (text == "size") return v1::FILE_ORDERING_SIZE;
  if (text == "-size") return v1::FILE_ORDERING_SIZE_DESC;
  return absl::InvalidArgumentError(
      absl::StrCat("--ordering expects datetime_uploaded, -datetime_uploaded, "
                   "size or -size, got '",
                   text, "'"));
}

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || !std::isfinite(seconds) ||
      seconds <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--timeout expects a positive number of seconds, got '", text, "'"));
  }
  return absl::Seconds(seconds);
}

// One `ucctl files <verb>` run: its command line (with --output and the
// note on connection options), its positional arguments, and the shared
// steps of connecting, calling and printing.
class Command {
 public:
  Command(Invocation& invocation, absl::string_view verb,
          absl::string_view arguments, absl::string_view summary)
      : invocation_(invocation),
        command_line_(
            absl::StrCat("ucctl files ", verb),
            absl::StrCat("ucctl [connection options] files ", verb,
                         arguments.empty() ? "" : " ", arguments, " [options]"),
            std::string(summary)),
        output_name_(invocation.output_name) {}

  CommandLine& command_line() { return command_line_; }
  const std::vector<std::string>& positional() const { return positional_; }
  OutputFormat format() const { return format_; }
  std::ostream& out() { return invocation_.out; }

  // Parses the verb's arguments. Returns an exit code when the command is
  // already done (help printed, or a usage error), nullopt to go on.
  std::optional<int> Parse(const std::vector<std::string>& args) {
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

  int UsageError(const absl::Status& status) {
    return PrintUsageError(command_line_, status, invocation_.err);
  }
  int UsageError(absl::string_view message) {
    return UsageError(absl::InvalidArgumentError(message));
  }

  // Checks the number of positional arguments; an exit code when wrong.
  std::optional<int> ExpectPositional(size_t min, size_t max,
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

  // The client for the top-level connection options; a bad --ca-file is a
  // usage error of the top level.
  absl::StatusOr<std::unique_ptr<FileClient>> Connect() {
    absl::StatusOr<std::unique_ptr<FileClient>> client =
        FileClient::Create(invocation_.client_options);
    if (!client.ok()) {
      PrintUsageError(*invocation_.top_level, client.status(), invocation_.err);
    }
    return client;
  }

  int RpcError(const absl::Status& status) {
    PrintRpcError(invocation_.err, status);
    return kRpcErrorExitCode;
  }

  // Connects, makes one call and prints its answer: JSON, or `print_text`.
  template <typename CallFn, typename PrintText>
  int Run(CallFn call, PrintText print_text) {
    absl::StatusOr<std::unique_ptr<FileClient>> client = Connect();
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

 private:
  Invocation& invocation_;
  CommandLine command_line_;
  std::string output_name_;
  std::vector<std::string> positional_;
  OutputFormat format_ = OutputFormat::kJson;
};

int FilesList(Command& command, const std::vector<std::string>& args) {
  int64_t page_size = 0;
  std::string page_token, stored_text, removed_text, ordering_text, from;
  bool include_appdata = false, include_rekognition_info = false, all = false;
  CommandLine& flags = command.command_line();
  flags.AddInt("page-size", "N",
               "Files per page, 1..1000 (default: the gateway's, 100).",
               &page_size);
  flags.AddString("page-token", "TOKEN",
                  "Start at this page: the next_page_token of the previous "
                  "page (keep the other options the same).",
                  &page_token);
  flags.AddString("stored", "true|false",
                  "Only stored (true) or only unstored (false) files "
                  "(default: both).",
                  &stored_text);
  flags.AddString("removed", "true|false",
                  "Only removed (true) or only present (false) files "
                  "(default: present).",
                  &removed_text);
  flags.AddString("ordering", "ORDER",
                  "datetime_uploaded (default), -datetime_uploaded, size or "
                  "-size (size orderings need a v0.6 upstream).",
                  &ordering_text);
  flags.AddString("from", "X",
                  "Start the listing here: an ISO-8601 date-time for date "
                  "orderings (2015-09-10T10:00:00Z), bytes for size orderings.",
                  &from);
  flags.AddFlag("include-appdata",
                "Include add-on results (appdata) in each file (v0.7).",
                &include_appdata);
  flags.AddFlag("include-rekognition-info",
                "Include rekognition_info in each file (v0.6).",
                &include_rekognition_info);
  flags.AddFlag("all",
                "Walk every page from --page-token (or the first) on. JSON: "
                "one array of all files, printed as pages arrive; text: one "
                "table.",
                &all);
  flags.AddEpilog(
      "Without --all the answer is one page: JSON prints the whole "
      "ListFilesResponse (files, next_page_token, total_size, totals); text "
      "prints a table and the --page-token of the next page.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;

  v1::ListFilesRequest request;
  if (page_size < 0 || page_size > std::numeric_limits<int32_t>::max()) {
    return command.UsageError(
        absl::StrCat("--page-size expects a positive number, got ", page_size));
  }
  request.set_page_size(static_cast<int32_t>(page_size));
  request.set_page_token(page_token);
  std::optional<bool> stored, removed;
  if (absl::Status s = ParseOptionalBool("stored", stored_text, &stored);
      !s.ok()) {
    return command.UsageError(s);
  }
  if (absl::Status s = ParseOptionalBool("removed", removed_text, &removed);
      !s.ok()) {
    return command.UsageError(s);
  }
  if (stored) request.set_stored(*stored);
  if (removed) request.set_removed(*removed);
  absl::StatusOr<v1::FileOrdering> ordering = ParseOrdering(ordering_text);
  if (!ordering.ok()) return command.UsageError(ordering.status());
  request.set_ordering(*ordering);
  request.set_from(from);
  request.set_include_appdata(include_appdata);
  request.set_include_rekognition_info(include_rekognition_info);

  if (!all) {
    return command.Run(
        [&](FileClient& client) { return client.ListFiles(request); },
        [&](const v1::ListFilesResponse& page) {
          PrintFilePage(command.out(), page);
        });
  }

  absl::StatusOr<std::unique_ptr<FileClient>> client = command.Connect();
  if (!client.ok()) return kUsageExitCode;
  absl::Status status;
  if (command.format() == OutputFormat::kJson) {
    JsonArrayWriter writer(command.out());
    status = (*client)->ForEachFile(request, [&](const v1::File& file) {
      writer.Add(file);
      return true;
    });
    // Closed even on failure, so what was printed still parses.
    writer.Finish();
  } else {
    int64_t count = 0;
    PrintFileTableHeader(command.out());
    status = (*client)->ForEachFile(request, [&](const v1::File& file) {
      PrintFileRow(command.out(), file);
      ++count;
      return true;
    });
    command.out() << count << " files\n";
  }
  if (!status.ok()) return command.RpcError(status);
  return 0;
}

void AddIncludeFlags(CommandLine& flags, bool* include_appdata,
                     bool* include_rekognition_info) {
  flags.AddFlag("include-appdata",
                "Include add-on results (appdata) (v0.7 upstreams).",
                include_appdata);
  flags.AddFlag("include-rekognition-info",
                "Include rekognition_info (v0.6 upstreams).",
                include_rekognition_info);
}

int FilesGet(Command& command, const std::vector<std::string>& args) {
  bool include_appdata = false, include_rekognition_info = false;
  AddIncludeFlags(command.command_line(), &include_appdata,
                  &include_rekognition_info);
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "UUID")) return *done;
  v1::GetFileRequest request;
  request.set_uuid(command.positional()[0]);
  request.set_include_appdata(include_appdata);
  request.set_include_rekognition_info(include_rekognition_info);
  return command.Run(
      [&](FileClient& client) { return client.GetFile(request); },
      [&](const v1::GetFileResponse& response) {
        PrintFileDetails(command.out(), response.file());
      });
}

// store and delete: one UUID in, the file as it is now out.
template <typename Request, typename Response>
int RunSingleFileCommand(
    Command& command, const std::vector<std::string>& args,
    absl::StatusOr<Response> (FileClient::*rpc)(const Request&)) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "UUID")) return *done;
  Request request;
  request.set_uuid(command.positional()[0]);
  return command.Run([&](FileClient& client) { return (client.*rpc)(request); },
                     [&](const Response& response) {
                       PrintFileDetails(command.out(), response.file());
                     });
}

int FilesStore(Command& command, const std::vector<std::string>& args) {
  return RunSingleFileCommand(command, args, &FileClient::StoreFile);
}

int FilesDelete(Command& command, const std::vector<std::string>& args) {
  return RunSingleFileCommand(command, args, &FileClient::DeleteFile);
}

// batch-store and batch-delete: UUIDs in, handled files and problems out.
template <typename Request, typename Response>
int RunBatchCommand(
    Command& command, const std::vector<std::string>& args,
    absl::StatusOr<Response> (FileClient::*rpc)(const Request&)) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(
          1, std::numeric_limits<size_t>::max(), "UUID (one or more)")) {
    return *done;
  }
  Request request;
  for (const std::string& uuid : command.positional()) request.add_uuids(uuid);
  return command.Run([&](FileClient& client) { return (client.*rpc)(request); },
                     [&](const Response& response) {
                       PrintBatchResult(command.out(), response.files(),
                                        response.problems());
                     });
}

int FilesBatchStore(Command& command, const std::vector<std::string>& args) {
  return RunBatchCommand(command, args, &FileClient::BatchStoreFiles);
}

int FilesBatchDelete(Command& command, const std::vector<std::string>& args) {
  return RunBatchCommand(command, args, &FileClient::BatchDeleteFiles);
}

int FilesCopyLocal(Command& command, const std::vector<std::string>& args) {
  bool store = false;
  std::vector<std::string> metadata;
  command.command_line().AddFlag("store", "Store the copy permanently.",
                                 &store);
  command.command_line().AddStringList(
      "metadata", "KEY=VALUE",
      "Metadata of the copy (v0.7 upstreams); repeat for more keys.",
      &metadata);
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "SOURCE (UUID or CDN URL)")) {
    return *done;
  }
  v1::CopyFileToLocalStorageRequest request;
  request.set_source(command.positional()[0]);
  request.set_store(store);
  for (const std::string& entry : metadata) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return command.UsageError(absl::StrCat(
          "--metadata expects KEY=VALUE with a non-empty KEY, got '", entry,
          "'"));
    }
    (*request.mutable_metadata())[entry.substr(0, equals)] =
        entry.substr(equals + 1);
  }
  return command.Run(
      [&](FileClient& client) {
        return client.CopyFileToLocalStorage(request);
      },
      [&](const v1::CopyFileToLocalStorageResponse& response) {
        PrintFileDetails(command.out(), response.file());
      });
}

int FilesCopyRemote(Command& command, const std::vector<std::string>& args) {
  std::string target, make_public_text, pattern;
  CommandLine& flags = command.command_line();
  flags.AddString("target", "NAME",
                  "Name of the custom storage configured in the project "
                  "(required).",
                  &target);
  flags.AddString("make-public", "true|false",
                  "Make the copy public (default: the upstream's, true).",
                  &make_public_text);
  flags.AddString("pattern", "PATTERN",
                  "File name pattern in the storage, e.g. "
                  "'${uuid}/${filename}' (default: the storage's).",
                  &pattern);
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "SOURCE (UUID or CDN URL)")) {
    return *done;
  }
  if (target.empty()) {
    return command.UsageError("--target NAME (the custom storage) is required");
  }
  std::optional<bool> make_public;
  if (absl::Status s =
          ParseOptionalBool("make-public", make_public_text, &make_public);
      !s.ok()) {
    return command.UsageError(s);
  }
  v1::CopyFileToRemoteStorageRequest request;
  request.set_source(command.positional()[0]);
  request.set_target(target);
  if (make_public) request.set_make_public(*make_public);
  request.set_pattern(pattern);
  return command.Run(
      [&](FileClient& client) {
        return client.CopyFileToRemoteStorage(request);
      },
      [&](const v1::CopyFileToRemoteStorageResponse& response) {
        command.out() << "url: " << response.url() << "\n"
                      << "already_existed: "
                      << (response.already_existed() ? "true" : "false")
                      << "\n";
      });
}

struct FilesVerb {
  const char* name;
  const char* arguments;
  const char* summary;
  int (*run)(Command& command, const std::vector<std::string>& args);
};

constexpr FilesVerb kFilesVerbs[] = {
    {"list", "", "Lists files one page at a time, or every page with --all.",
     FilesList},
    {"get", "UUID", "Gets one file.", FilesGet},
    {"store", "UUID", "Stores one file permanently.", FilesStore},
    {"delete", "UUID", "Deletes one file.", FilesDelete},
    {"batch-store", "UUID...",
     "Stores up to 100 files; the answer lists the stored files and the "
     "per-UUID problems.",
     FilesBatchStore},
    {"batch-delete", "UUID...",
     "Deletes up to 100 files; the answer lists the deleted files and the "
     "per-UUID problems.",
     FilesBatchDelete},
    {"copy-local", "SOURCE",
     "Copies a file (UUID or CDN URL with operations) to the project's "
     "storage.",
     FilesCopyLocal},
    {"copy-remote", "SOURCE",
     "Copies a file (UUID or CDN URL) to a custom storage.", FilesCopyRemote},
};

int RunFiles(const std::vector<std::string>& args, Invocation& invocation) {
  CommandLine files("ucctl files",
                    "ucctl [connection options] files <command> [arguments] "
                    "[options]",
                    "Lists, reads, stores, deletes and copies the files of an "
                    "Uploadcare project (FileService).");
  files.AddString("output", "FORMAT", kOutputHelp, &invocation.output_name);
  std::string commands = "Commands:";
  for (const FilesVerb& verb : kFilesVerbs) {
    absl::StrAppend(
        &commands, absl::StrFormat("\n  %-28s %s",
                                   absl::StrCat(verb.name, " ", verb.arguments),
                                   verb.summary));
  }
  absl::StrAppend(&commands,
                  "\n\nucctl files <command> --help explains a command's "
                  "options.");
  files.AddEpilog(commands);
  files.AddEpilog(kConnectionNote);
  std::vector<std::string> rest;
  if (absl::Status status =
          files.Parse(args, &rest, /*stop_at_positional=*/true);
      !status.ok()) {
    return PrintUsageError(files, status, invocation.err);
  }
  if (files.help_requested()) {
    invocation.out << files.Help();
    return 0;
  }
  if (rest.empty()) {
    return PrintUsageError(files, absl::InvalidArgumentError("missing command"),
                           invocation.err);
  }
  for (const FilesVerb& verb : kFilesVerbs) {
    if (rest[0] != verb.name) continue;
    Command command(invocation, verb.name, verb.arguments, verb.summary);
    return verb.run(command,
                    std::vector<std::string>(rest.begin() + 1, rest.end()));
  }
  return PrintUsageError(files,
                         absl::InvalidArgumentError(
                             absl::StrCat("unknown command '", rest[0], "'")),
                         invocation.err);
}

}  // namespace

int RunUcctl(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  Invocation invocation(out, err);
  const char* env_target = std::getenv("UCCTL_TARGET");
  const char* env_project = std::getenv("UCCTL_PROJECT");
  std::string target = env_target != nullptr && *env_target != '\0'
                           ? env_target
                           : kDefaultTarget;
  std::string project = env_project != nullptr ? env_project : "";
  std::string timeout_text = "30";
  std::string ca_file;
  bool tls = false;

  CommandLine top("ucctl",
                  "ucctl [connection options] <resource> <command> "
                  "[arguments] [options]",
                  "Calls the ucgate gateway (the gRPC API of Uploadcare) and "
                  "prints the answers, as JSON by default.");
  top.AddString("target", "HOST:PORT",
                "Gateway address (default: $UCCTL_TARGET, else "
                "127.0.0.1:50051).",
                &target);
  top.AddString("project", "NAME",
                "Uploadcare project to act on, sent as x-ucgate-project "
                "(default: $UCCTL_PROJECT; unset: the gateway's only project).",
                &project);
  top.AddString("timeout", "SECONDS",
                "Deadline of each call, fractions allowed (default: 30).",
                &timeout_text);
  top.AddFlag("tls",
              "Connect with TLS, verifying the gateway with the system root "
              "certificates (or --ca-file).",
              &tls);
  top.AddString("ca-file", "FILE",
                "PEM root certificates to verify the gateway with; implies "
                "--tls.",
                &ca_file);
  top.AddString("output", "FORMAT", kOutputHelp, &invocation.output_name);
  top.AddEpilog(
      "Resources:\n"
      "  files                        Files of the project (ucctl files "
      "--help).");
  top.AddEpilog(
      "Environment:\n"
      "  UCCTL_TARGET                 Default for --target.\n"
      "  UCCTL_PROJECT                Default for --project.");
  top.AddEpilog(
      "Exit status: 0 on success; 1 when the call failed, printed to stderr "
      "as 'ucctl: CODE: message' followed by the field violations, retry "
      "delay and reason the gateway sent; 2 on a usage error (one line).");
  top.AddEpilog(
      "Examples:\n"
      "  ucctl --target 127.0.0.1:50051 files list --page-size 5 --output "
      "text\n"
      "  ucctl files list --all --stored true\n"
      "  ucctl --project demo files get "
      "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6\n"
      "  ucctl files copy-local 2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6 --store "
      "--metadata owner=docs");
  invocation.top_level = &top;

  std::vector<std::string> rest;
  if (absl::Status status = top.Parse(args, &rest, /*stop_at_positional=*/true);
      !status.ok()) {
    return PrintUsageError(top, status, err);
  }
  if (top.help_requested()) {
    out << top.Help();
    return 0;
  }
  absl::StatusOr<absl::Duration> timeout = ParseTimeout(timeout_text);
  if (!timeout.ok()) return PrintUsageError(top, timeout.status(), err);
  if (target.empty()) {
    return PrintUsageError(
        top, absl::InvalidArgumentError("--target expects HOST:PORT"), err);
  }
  invocation.client_options.target = target;
  invocation.client_options.project = project;
  invocation.client_options.timeout = *timeout;
  invocation.client_options.use_tls = tls || !ca_file.empty();
  invocation.client_options.ca_file = ca_file;

  if (rest.empty()) {
    return PrintUsageError(
        top, absl::InvalidArgumentError("missing resource (files)"), err);
  }
  if (rest[0] == "files") {
    return RunFiles(std::vector<std::string>(rest.begin() + 1, rest.end()),
                    invocation);
  }
  return PrintUsageError(
      top,
      absl::InvalidArgumentError(
          absl::StrCat("unknown resource '", rest[0], "' (known: files)")),
      err);
}

}  // namespace ucgate::client
