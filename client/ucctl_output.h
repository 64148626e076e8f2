// How ucctl prints answers (JSON or a compact text view) and errors.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_field.h"
#include "uploadcare/gateway/v1/file.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

namespace ucgate::client {

enum class OutputFormat { kJson, kText };

// "json" or "text".
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name);

// Indented JSON with the proto field names (snake_case), every scalar field
// printed even when zero, and a final newline.
std::string ToJson(const google::protobuf::Message& message);

// How many answers ToJson could not print since the last reset (this
// thread's; RunUcctl turns any into exit code kRpcErrorExitCode).
int UnprintableAnswers();
void ResetUnprintableAnswers();

// Streams a JSON array of messages, so that --all prints while it pages.
class JsonArrayWriter {
 public:
  explicit JsonArrayWriter(std::ostream& out) : out_(out) {}
  void Add(const google::protobuf::Message& message);
  // Closes the array ("[]" when nothing was added).
  void Finish();

 private:
  std::ostream& out_;
  bool empty_ = true;
};

// One line per file: UUID, size, state (stored/unstored/removed), upload
// time and name.
void PrintFileTableHeader(std::ostream& out);
void PrintFileRow(std::ostream& out,
                  const ::uploadcare::gateway::v1::File& file);

// A ListFiles page as a table, with the total and the next page token.
void PrintFilePage(std::ostream& out,
                   const ::uploadcare::gateway::v1::ListFilesResponse& page);

// One file as "name: value" lines.
void PrintFileDetails(std::ostream& out,
                      const ::uploadcare::gateway::v1::File& file);

// A batch answer: the files that were handled, then the per-UUID problems.
void PrintBatchResult(
    std::ostream& out,
    const google::protobuf::RepeatedPtrField<::uploadcare::gateway::v1::File>&
        files,
    const google::protobuf::Map<std::string, std::string>& problems);

// Any answer in protobuf's text format (field: value lines).
std::string ToText(const google::protobuf::Message& message);

// A SearchFiles page as a table, with the total and the next page token.
void PrintSearchPage(
    std::ostream& out,
    const ::uploadcare::gateway::v1::SearchFilesResponse& page);

// One line per group: ID, file count, creation and storage time.
void PrintGroupTableHeader(std::ostream& out);
void PrintGroupRow(std::ostream& out,
                   const ::uploadcare::gateway::v1::Group& group);
void PrintGroupPage(std::ostream& out,
                    const ::uploadcare::gateway::v1::ListGroupsResponse& page);

// One line per webhook: ID, event, active, target URL.
void PrintWebhookTable(
    std::ostream& out,
    const ::uploadcare::gateway::v1::ListWebhooksResponse& webhooks);

// One line per entry, sorted by key: "key: value" (metadata).
void PrintKeyValues(std::ostream& out,
                    const google::protobuf::Map<std::string, std::string>& map);

// One line per entry (tags).
void PrintLines(std::ostream& out,
                const google::protobuf::RepeatedPtrField<std::string>& lines);

// The exit code of a command whose call failed (usage errors exit with
// kUsageExitCode, 2).
inline constexpr int kRpcErrorExitCode = 1;

// "ucctl: <CODE>: <message>", then one indented line per field violation,
// the retry delay and the error reason when the status carries them.
void PrintRpcError(std::ostream& err, const absl::Status& status);

}  // namespace ucgate::client
