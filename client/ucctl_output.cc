#include "client/ucctl_output.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "service/common/status.h"

namespace ucgate::client {
namespace {

using ::uploadcare::gateway::v1::File;

std::string TimestampText(const google::protobuf::Timestamp& timestamp,
                          bool has_timestamp) {
  if (!has_timestamp) return "-";
  return google::protobuf::util::TimeUtil::ToString(timestamp);
}

// Tables show whole seconds so that the column keeps its width.
google::protobuf::Timestamp WholeSeconds(google::protobuf::Timestamp time) {
  time.set_nanos(0);
  return time;
}

const char* FileState(const File& file) {
  if (file.has_datetime_removed()) return "removed";
  if (file.has_datetime_stored()) return "stored";
  return "unstored";
}

// Map fields are unordered; text output sorts them so it reads the same
// every time.
template <typename Value>
std::map<std::string, Value> Sorted(
    const google::protobuf::Map<std::string, Value>& map) {
  return std::map<std::string, Value>(map.begin(), map.end());
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "text") return OutputFormat::kText;
  return absl::InvalidArgumentError(
      absl::StrCat("--output expects json or text, got '", name, "'"));
}

namespace {
thread_local int unprintable_answers = 0;
}  // namespace

int UnprintableAnswers() { return unprintable_answers; }
void ResetUnprintableAnswers() { unprintable_answers = 0; }

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    ++unprintable_answers;
    // Only possible for malformed Any/Struct contents; say so in the output
    // rather than printing nothing.
    return absl::StrCat(
        "{\"error\": \"cannot print as JSON: ",
        absl::StrReplaceAll(
            std::string(status.message().data(), status.message().size()),
            {{"\\", "\\\\"}, {"\"", "\\\""}}),
        "\"}\n");
  }
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

void JsonArrayWriter::Add(const google::protobuf::Message& message) {
  std::string json = ToJson(message);
  json.pop_back();  // the final newline
  // JSON strings never hold a raw newline, so this only indents structure
  // (by one space, as protobuf's printer does).
  out_ << (empty_ ? "[\n " : ",\n ")
       << absl::StrReplaceAll(json, {{"\n", "\n "}});
  empty_ = false;
}

void JsonArrayWriter::Finish() { out_ << (empty_ ? "[]\n" : "\n]\n"); }

void PrintFileTableHeader(std::ostream& out) {
  out << absl::StrFormat("%-36s  %12s  %-8s  %-20s  %s\n", "UUID", "SIZE",
                         "STATE", "UPLOADED", "FILENAME");
}

void PrintFileRow(std::ostream& out, const File& file) {
  out << absl::StrFormat("%-36s  %12d  %-8s  %-20s  %s\n", file.uuid(),
                         file.size(), FileState(file),
                         TimestampText(WholeSeconds(file.datetime_uploaded()),
                                       file.has_datetime_uploaded()),
                         file.original_filename());
}

void PrintFilePage(std::ostream& out,
                   const ::uploadcare::gateway::v1::ListFilesResponse& page) {
  PrintFileTableHeader(out);
  for (const File& file : page.files()) PrintFileRow(out, file);
  out << page.files_size() << " of " << page.total_size() << " files";
  if (page.has_totals()) {
    out << " (project: " << page.totals().stored() << " stored, "
        << page.totals().unstored() << " unstored, " << page.totals().removed()
        << " removed)";
  }
  out << "\n";
  if (!page.next_page_token().empty()) {
    out << "next page: --page-token " << page.next_page_token() << "\n";
  }
}

void PrintFileDetails(std::ostream& out, const File& file) {
  auto line = [&out](absl::string_view name, absl::string_view value) {
    out << absl::StrFormat("%-18s %s\n", absl::StrCat(name, ":"),
                           value.empty() ? "-" : value);
  };
  line("uuid", file.uuid());
  line("original_filename", file.original_filename());
  line("size", absl::StrCat(file.size()));
  line("mime_type", file.mime_type());
  line("is_image", !file.has_is_image() ? "unknown"
                   : file.is_image()    ? "true"
                                        : "false");
  line("is_ready", file.is_ready() ? "true" : "false");
  line("state", FileState(file));
  line("datetime_uploaded",
       TimestampText(file.datetime_uploaded(), file.has_datetime_uploaded()));
  line("datetime_stored",
       TimestampText(file.datetime_stored(), file.has_datetime_stored()));
  line("datetime_removed",
       TimestampText(file.datetime_removed(), file.has_datetime_removed()));
  line("original_file_url", file.original_file_url());
  line("url", file.url());
  if (!file.source().empty()) line("source", file.source());
  if (file.content_info().has_image()) {
    const auto& image = file.content_info().image();
    line("image", absl::StrCat(image.width(), "x", image.height(), " ",
                               image.format(), " ", image.color_mode()));
  }
  if (file.content_info().has_video()) {
    const auto& video = file.content_info().video();
    line("video", absl::StrCat(video.format(), " ", video.duration(), " ms ",
                               video.bitrate(), " kbit/s"));
  }
  for (const auto& [key, value] : Sorted(file.metadata())) {
    line(absl::StrCat("metadata.", key), value);
  }
  for (const auto& [path, uuid] : Sorted(file.variations())) {
    line(absl::StrCat("variation.", path), uuid);
  }
  for (const auto& [name, appdata] : Sorted(file.appdata())) {
    line(absl::StrCat("appdata.", name), appdata.version());
  }
  for (const auto& [label, confidence] : Sorted(file.rekognition_info())) {
    line(absl::StrCat("rekognition.", label), absl::StrCat(confidence));
  }
}

void PrintBatchResult(
    std::ostream& out, const google::protobuf::RepeatedPtrField<File>& files,
    const google::protobuf::Map<std::string, std::string>& problems) {
  PrintFileTableHeader(out);
  for (const File& file : files) PrintFileRow(out, file);
  out << files.size() << " files, " << problems.size() << " problems\n";
  for (const auto& [uuid, reason] : Sorted(problems)) {
    out << "  " << uuid << ": " << reason << "\n";
  }
}

std::string ToText(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseUtf8StringEscaping(true);
  printer.PrintToString(message, &text);
  return text;
}

void PrintSearchPage(
    std::ostream& out,
    const ::uploadcare::gateway::v1::SearchFilesResponse& page) {
  PrintFileTableHeader(out);
  for (const File& file : page.files()) PrintFileRow(out, file);
  out << page.files_size() << " of " << page.total_size() << " files\n";
  if (!page.next_page_token().empty()) {
    out << "next page: --page-token " << page.next_page_token() << "\n";
  }
}

void PrintGroupTableHeader(std::ostream& out) {
  out << absl::StrFormat("%-40s  %6s  %-20s  %-20s\n", "ID", "FILES", "CREATED",
                         "STORED");
}

void PrintGroupRow(std::ostream& out,
                   const ::uploadcare::gateway::v1::Group& group) {
  out << absl::StrFormat("%-40s  %6d  %-20s  %-20s\n", group.id(),
                         group.files_count(),
                         TimestampText(WholeSeconds(group.datetime_created()),
                                       group.has_datetime_created()),
                         TimestampText(WholeSeconds(group.datetime_stored()),
                                       group.has_datetime_stored()));
}

void PrintGroupPage(std::ostream& out,
                    const ::uploadcare::gateway::v1::ListGroupsResponse& page) {
  PrintGroupTableHeader(out);
  for (const auto& group : page.groups()) PrintGroupRow(out, group);
  out << page.groups_size() << " of " << page.total_size() << " groups\n";
  if (!page.next_page_token().empty()) {
    out << "next page: --page-token " << page.next_page_token() << "\n";
  }
}

void PrintWebhookTable(
    std::ostream& out,
    const ::uploadcare::gateway::v1::ListWebhooksResponse& webhooks) {
  out << absl::StrFormat("%-10s  %-32s  %-6s  %s\n", "ID", "EVENT", "ACTIVE",
                         "TARGET_URL");
  for (const auto& webhook : webhooks.webhooks()) {
    out << absl::StrFormat(
        "%-10d  %-32s  %-6s  %s\n", webhook.id(),
        ::uploadcare::gateway::v1::WebhookEvent_Name(webhook.event()),
        webhook.is_active() ? "true" : "false", webhook.target_url());
  }
  out << webhooks.webhooks_size() << " webhooks\n";
}

void PrintKeyValues(
    std::ostream& out,
    const google::protobuf::Map<std::string, std::string>& map) {
  for (const auto& [key, value] : Sorted(map)) {
    out << key << ": " << value << "\n";
  }
}

void PrintLines(std::ostream& out,
                const google::protobuf::RepeatedPtrField<std::string>& lines) {
  for (const std::string& line : lines) out << line << "\n";
}

void PrintRpcError(std::ostream& err, const absl::Status& status) {
  err << "ucctl: " << absl::StatusCodeToString(status.code()) << ": "
      << status.message() << "\n";
  for (const auto& [field, description] : FieldViolations(status)) {
    err << "  field " << field << ": " << description << "\n";
  }
  if (std::optional<absl::Duration> delay = RetryAfter(status)) {
    err << "  retry after: " << absl::FormatDuration(*delay) << "\n";
  }
  if (std::optional<std::string> reason = ErrorReason(status)) {
    err << "  reason: " << *reason << "\n";
  }
}

}  // namespace ucgate::client
