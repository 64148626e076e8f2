// Fuzz target for the upstream JSON parsers (ucgate_restapi).
//
// Every parser gets every input, both in place (spare capacity) and copied
// (no spare capacity). Beyond "no crash", it checks what the parsers promise:
// a failure is INTERNAL, says "upstream JSON: " and leaves its outputs empty;
// a parsed file written back by the writer parses again, and after that one
// round the message no longer changes (v0.7 with appdata; v0.6 parses too).
//
// Built with UCGATE_LIBFUZZER (clang) this is a libFuzzer target; otherwise
// replay_driver.cc replays the seeds and deterministic mutations of them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "google/protobuf/util/message_differencer.h"
#include "service/restapi/file_json.h"

namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::google::protobuf::util::MessageDifferencer;

void Check(bool condition, const char* what, const std::string& input) {
  if (condition) return;
  std::fprintf(stderr, "file_json_fuzzer: %s\ninput (%zu bytes): %s\n", what,
               input.size(), input.c_str());
  std::abort();
}

void CheckFailure(const absl::Status& status, const std::string& input) {
  Check(status.code() == absl::StatusCode::kInternal,
        "a parse failure is not INTERNAL", input);
  Check(absl::StartsWith(status.message(), "upstream JSON: "),
        "a parse failure does not say \"upstream JSON: \"", input);
}

std::string Write(const v1::File& file, ucgate::ApiVersion version) {
  ucgate::restapi::FileJsonOptions options;
  options.version = version;
  options.include_appdata = true;
  options.include_rekognition_info = true;
  std::string json;
  ucgate::restapi::AppendFileJson(file, options, &json);
  return json;
}

// parse(write(file)) succeeds, and one more round changes nothing.
void CheckRoundTrip(const v1::File& file, const std::string& input) {
  v1::File v06;
  Check(ucgate::restapi::ParseFile(Write(file, ucgate::ApiVersion::kV06), &v06)
            .ok(),
        "the writer's v0.6 output does not parse", input);
  v1::File once, twice;
  Check(ucgate::restapi::ParseFile(Write(file, ucgate::ApiVersion::kV07), &once)
            .ok(),
        "the writer's v0.7 output does not parse", input);
  Check(
      ucgate::restapi::ParseFile(Write(once, ucgate::ApiVersion::kV07), &twice)
          .ok(),
      "the writer's v0.7 output does not parse (second round)", input);
  Check(MessageDifferencer::Equals(once, twice),
        "the v0.7 round trip is not stable", input);
}

void ParseEverything(const std::string& body, const std::string& input) {
  v1::File file;
  const absl::Status file_status = ucgate::restapi::ParseFile(body, &file);
  if (file_status.ok()) {
    CheckRoundTrip(file, input);
  } else {
    CheckFailure(file_status, input);
    Check(file.ByteSizeLong() == 0, "ParseFile left a half-filled file", input);
  }

  v1::ListFilesResponse page;
  std::string next;
  const absl::Status page_status =
      ucgate::restapi::ParseFileListPage(body, &page, &next);
  if (page_status.ok()) {
    for (const v1::File& listed : page.files()) CheckRoundTrip(listed, input);
  } else {
    CheckFailure(page_status, input);
    Check(page.ByteSizeLong() == 0 && next.empty(),
          "ParseFileListPage left a half-filled page", input);
  }

  google::protobuf::RepeatedPtrField<v1::File> files;
  google::protobuf::Map<std::string, std::string> problems;
  const absl::Status batch_status =
      ucgate::restapi::ParseBatchResult(body, &files, &problems);
  if (!batch_status.ok()) {
    CheckFailure(batch_status, input);
    Check(files.empty() && problems.empty(),
          "ParseBatchResult left half-filled results", input);
  }

  v1::File copy;
  const absl::Status copy_status =
      ucgate::restapi::ParseLocalCopyResult(body, &copy);
  if (!copy_status.ok()) {
    CheckFailure(copy_status, input);
    Check(copy.ByteSizeLong() == 0,
          "ParseLocalCopyResult left a half-filled file", input);
  }

  std::string url;
  const absl::Status url_status =
      ucgate::restapi::ParseRemoteCopyResult(body, &url);
  if (!url_status.ok()) {
    CheckFailure(url_status, input);
    Check(url.empty(), "ParseRemoteCopyResult left a url", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // In place, as bodies from the HTTP client arrive...
  std::string padded = input;
  padded.reserve(size + 64);
  ParseEverything(padded, input);
  // ...and copied into a padded buffer, for bodies without spare capacity.
  std::string tight = input;
  tight.shrink_to_fit();
  if (tight.capacity() - tight.size() < 64) ParseEverything(tight, input);
  return 0;
}
