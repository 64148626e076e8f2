// ucctl files: FileService (files, metadata, tags, search).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/ucctl_command.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

// --stored and --removed style options: "true"/"false" or unset.
template <typename Setter>
absl::Status ApplyOptionalBool(absl::string_view option, absl::string_view text,
                               Setter set) {
  std::optional<bool> value;
  if (absl::Status s = ParseOptionalBool(option, text, &value); !s.ok()) {
    return s;
  }
  if (value) set(*value);
  return absl::OkStatus();
}

int FilesList(Command& command, const std::vector<std::string>& args) {
  PageOptions pages;
  std::string stored_text, removed_text, ordering_text, from;
  bool include_appdata = false, include_rekognition_info = false;
  CommandLine& flags = command.command_line();
  pages.AddTo(flags, "files", 1000);
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
  flags.AddEpilog(
      "Without --all the answer is one page: JSON prints the whole "
      "ListFilesResponse (files, next_page_token, total_size, totals); text "
      "prints a table and the --page-token of the next page. --all streams "
      "the whole listing in one StreamFiles call (resumed if the connection "
      "breaks), or pages with ListFiles from a --page-token.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;

  v1::ListFilesRequest request;
  if (absl::Status s = pages.Apply(request); !s.ok()) {
    return command.UsageError(s);
  }
  if (absl::Status s = ApplyOptionalBool(
          "stored", stored_text, [&](bool v) { request.set_stored(v); });
      !s.ok()) {
    return command.UsageError(s);
  }
  if (absl::Status s = ApplyOptionalBool(
          "removed", removed_text, [&](bool v) { request.set_removed(v); });
      !s.ok()) {
    return command.UsageError(s);
  }
  if (!ordering_text.empty()) {
    absl::StatusOr<v1::FileOrdering> ordering = ParseEnum<v1::FileOrdering>(
        "FILE_ORDERING_", "--ordering", ordering_text);
    if (!ordering.ok()) return command.UsageError(ordering.status());
    request.set_ordering(*ordering);
  }
  request.set_from(from);
  request.set_include_appdata(include_appdata);
  request.set_include_rekognition_info(include_rekognition_info);
  return RunPagedList(
      command, pages, request, &FileClient::ListFiles,
      &FileClient::ForEachStreamedFile,
      ListText<v1::ListFilesResponse, v1::File>{
          PrintFileTableHeader, PrintFileRow, PrintFilePage, "files"});
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
  return command.Run<FileClient>(
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
  return command.Run<FileClient>(
      [&](FileClient& client) { return (client.*rpc)(request); },
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
  return command.Run<FileClient>(
      [&](FileClient& client) { return (client.*rpc)(request); },
      [&](const Response& response) {
        PrintBatchResult(command.out(), response.files(), response.problems());
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
  // Unset unless given: the service then applies its own default.
  if (store) request.set_store(true);
  if (absl::Status s =
          ParseKeyValues("metadata", metadata, request.mutable_metadata());
      !s.ok()) {
    return command.UsageError(s);
  }
  return command.Run<FileClient>(
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
  return command.Run<FileClient>(
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

int MetadataGet(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "Without KEY: every key of the file's metadata (JSON: {\"metadata\": "
      "{...}}; text: key: value lines). With KEY: that key's value (JSON: "
      "{\"value\": ...}; text: the value); NOT_FOUND when the key is unset.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 2, "UUID")) return *done;
  const std::vector<std::string>& positional = command.positional();
  if (positional.size() == 1) {
    v1::GetFileMetadataRequest request;
    request.set_uuid(positional[0]);
    return command.Run<FileClient>(
        [&](FileClient& client) { return client.GetFileMetadata(request); },
        [&](const v1::GetFileMetadataResponse& response) {
          PrintKeyValues(command.out(), response.metadata());
        });
  }
  v1::GetFileMetadataKeyRequest request;
  request.set_uuid(positional[0]);
  request.set_key(positional[1]);
  return command.Run<FileClient>(
      [&](FileClient& client) { return client.GetFileMetadataKey(request); },
      [&](const v1::GetFileMetadataKeyResponse& response) {
        command.out() << response.value() << "\n";
      });
}

int MetadataSet(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "KEY: 1..64 characters of A-Z a-z 0-9 _ - . : ; VALUE: up to 512 "
      "characters. Answers the value as stored.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(3, 3, "UUID KEY VALUE")) {
    return *done;
  }
  v1::UpdateFileMetadataKeyRequest request;
  request.set_uuid(command.positional()[0]);
  request.set_key(command.positional()[1]);
  request.set_value(command.positional()[2]);
  return command.Run<FileClient>(
      [&](FileClient& client) { return client.UpdateFileMetadataKey(request); },
      [&](const v1::UpdateFileMetadataKeyResponse& response) {
        command.out() << response.value() << "\n";
      });
}

int MetadataDelete(Command& command, const std::vector<std::string>& args) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(2, 2, "UUID KEY")) return *done;
  v1::DeleteFileMetadataKeyRequest request;
  request.set_uuid(command.positional()[0]);
  request.set_key(command.positional()[1]);
  return command.Run<FileClient>([&](FileClient& client) {
    return client.DeleteFileMetadataKey(request);
  });
}

constexpr Verb kMetadataVerbs[] = {
    {"get", "UUID [KEY]", "Gets a file's metadata, or one key's value.",
     MetadataGet},
    {"set", "UUID KEY VALUE", "Sets one metadata key of a file.", MetadataSet},
    {"delete", "UUID KEY", "Deletes one metadata key of a file.",
     MetadataDelete},
};

const VerbGroup kMetadataGroup = {
    "files metadata", "Reads and changes a file's metadata (key: value).",
    kMetadataVerbs};

int TagsGet(Command& command, const std::vector<std::string>& args) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "UUID")) return *done;
  v1::GetFileTagsRequest request;
  request.set_uuid(command.positional()[0]);
  return command.Run<FileClient>(
      [&](FileClient& client) { return client.GetFileTags(request); },
      [&](const v1::GetFileTagsResponse& response) {
        PrintLines(command.out(), response.tags());
      });
}

int TagsSet(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "Replaces every tag of the file with TAG... (none: removes them all).");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(
          1, std::numeric_limits<size_t>::max(), "UUID")) {
    return *done;
  }
  v1::ReplaceFileTagsRequest request;
  request.set_uuid(command.positional()[0]);
  for (size_t i = 1; i < command.positional().size(); ++i) {
    request.add_tags(command.positional()[i]);
  }
  return command.Run<FileClient>(
      [&](FileClient& client) { return client.ReplaceFileTags(request); },
      [&](const v1::ReplaceFileTagsResponse& response) {
        PrintLines(command.out(), response.tags());
      });
}

// add and remove: one UpdateFileTags call with the tags on one side.
int RunTagsUpdate(Command& command, const std::vector<std::string>& args,
                  bool add) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(
          2, std::numeric_limits<size_t>::max(), "UUID TAG (one or more)")) {
    return *done;
  }
  v1::UpdateFileTagsRequest request;
  request.set_uuid(command.positional()[0]);
  for (size_t i = 1; i < command.positional().size(); ++i) {
    *(add ? request.add_add() : request.add_remove()) = command.positional()[i];
  }
  return command.Run<FileClient>(
      [&](FileClient& client) { return client.UpdateFileTags(request); },
      [&](const v1::UpdateFileTagsResponse& response) {
        PrintLines(command.out(), response.tags());
      });
}

int TagsAdd(Command& command, const std::vector<std::string>& args) {
  return RunTagsUpdate(command, args, /*add=*/true);
}

int TagsRemove(Command& command, const std::vector<std::string>& args) {
  return RunTagsUpdate(command, args, /*add=*/false);
}

constexpr Verb kTagsVerbs[] = {
    {"get", "UUID", "Lists a file's tags.", TagsGet},
    {"set", "UUID [TAG...]", "Replaces a file's tags.", TagsSet},
    {"add", "UUID TAG...", "Adds tags to a file.", TagsAdd},
    {"remove", "UUID TAG...", "Removes tags from a file.", TagsRemove},
};

const VerbGroup kTagsGroup = {
    "files tags",
    "Reads and changes a file's tags; every command answers the tags as they "
    "are after it.",
    kTagsVerbs};

// "size:desc" -> {SEARCH_SORT_FIELD_SIZE, descending}.
absl::Status AddSearchSort(const std::string& text,
                           v1::SearchFilesRequest& request) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() > 2 ||
      (parts.size() == 2 && parts[1] != "asc" && parts[1] != "desc")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--sort expects FIELD[:asc|:desc], got ", text));
  }
  absl::StatusOr<v1::SearchSortField> field =
      ParseEnum<v1::SearchSortField>("SEARCH_SORT_FIELD_", "--sort", parts[0]);
  if (!field.ok()) return field.status();
  v1::SearchSort* sort = request.add_sort();
  sort->set_field(*field);
  sort->set_descending(parts.size() == 2 && parts[1] == "desc");
  return absl::OkStatus();
}

int FilesSearch(Command& command, const std::vector<std::string>& args) {
  PageOptions pages;
  std::string query, phrase_filename, image_text;
  std::vector<std::string> metadata, mime_types, tags_any, tags_all, tags_none,
      sorts;
  bool fuzzy = false, include_appdata = false;
  CommandLine& flags = command.command_line();
  flags.AddString("query", "TEXT",
                  "Full text over name, metadata, MIME type and UUID (4+ "
                  "characters).",
                  &query);
  flags.AddString("name", "TEXT",
                  "Full text in the original file name (4+ characters).",
                  &phrase_filename);
  flags.AddStringList("mime-type", "T",
                      "Only files of this detected MIME type; repeat: any of "
                      "them.",
                      &mime_types);
  flags.AddStringList("metadata", "K=V",
                      "Only files whose metadata key K is V; repeat a key for "
                      "any of its values, other keys must all match.",
                      &metadata);
  flags.AddString("image", "true|false",
                  "Only images (true) or no images (false) (default: both).",
                  &image_text);
  flags.AddStringList("tag-any", "T", "Files with any of these tags.",
                      &tags_any);
  flags.AddStringList("tag-all", "T", "Files with all of these tags.",
                      &tags_all);
  flags.AddStringList("tag-none", "T", "Files with none of these tags.",
                      &tags_none);
  flags.AddFlag("fuzzy", "Typo-tolerant full text.", &fuzzy);
  flags.AddStringList("sort", "FIELD[:desc]",
                      "score, datetime_uploaded, size or original_filename; "
                      "repeat for up to 4 keys (default: relevance).",
                      &sorts);
  flags.AddFlag("include-appdata", "Include add-on results.", &include_appdata);
  pages.AddTo(flags, "files", 100);
  flags.AddEpilog(
      "Without --all the answer is one page: JSON prints the whole "
      "SearchFilesResponse (files, next_page_token, total_size, highlights); "
      "text prints a table and the --page-token of the next page. The service "
      "reaches only its first 1,000 results.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;
  v1::SearchFilesRequest request;
  if (absl::Status s = pages.Apply(request); !s.ok()) {
    return command.UsageError(s);
  }
  request.set_query(query);
  if (!phrase_filename.empty()) {
    request.mutable_phrase()->set_original_filename(phrase_filename);
  }
  for (const std::string& mime : mime_types) {
    request.mutable_exact()->add_detected_mime_types(mime);
  }
  for (const std::string& pair : metadata) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first.empty() || pair.find('=') == std::string::npos) {
      return command.UsageError(
          absl::StrCat("--metadata expects K=V, got ", pair));
    }
    v1::SearchMetadataValues* entry = nullptr;
    for (v1::SearchMetadataValues& existing :
         *request.mutable_exact()->mutable_metadata()) {
      if (existing.key() == kv.first) entry = &existing;
    }
    if (entry == nullptr) {
      entry = request.mutable_exact()->add_metadata();
      entry->set_key(kv.first);
    }
    entry->add_values(kv.second);
  }
  if (absl::Status s = ApplyOptionalBool(
          "image", image_text, [&](bool v) { request.set_is_image(v); });
      !s.ok()) {
    return command.UsageError(s);
  }
  for (const std::string& tag : tags_any) request.mutable_tags()->add_any(tag);
  for (const std::string& tag : tags_all) request.mutable_tags()->add_all(tag);
  for (const std::string& tag : tags_none) {
    request.mutable_tags()->add_none(tag);
  }
  if (fuzzy) request.set_fuzziness(true);
  for (const std::string& sort : sorts) {
    if (absl::Status s = AddSearchSort(sort, request); !s.ok()) {
      return command.UsageError(s);
    }
  }
  request.set_include_appdata(include_appdata);
  return RunPagedList(
      command, pages, request, &FileClient::SearchFiles,
      &FileClient::ForEachFoundFile,
      ListText<v1::SearchFilesResponse, v1::File>{
          PrintFileTableHeader, PrintFileRow, PrintSearchPage, "files"});
}

constexpr Verb kFilesVerbs[] = {
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
    {"metadata", "<command> ...",
     "A file's metadata (ucctl files metadata --help).",
     [](Command& command, const std::vector<std::string>& args) {
       return RunVerbGroup(kMetadataGroup, args, command.invocation());
     }},
    {"tags", "<command> ...", "A file's tags (ucctl files tags --help).",
     [](Command& command, const std::vector<std::string>& args) {
       return RunVerbGroup(kTagsGroup, args, command.invocation());
     }},
    {"search", "", "Finds files by name, MIME type, metadata and tags.",
     FilesSearch},
};

}  // namespace

const VerbGroup kFilesGroup = {
    "files",
    "Lists, reads, stores, deletes, copies, tags and searches the files of an "
    "Uploadcare project (FileService).",
    kFilesVerbs};

}  // namespace ucgate::client
