// Fuzz target for the upstream JSON parsers (ucgate_json).
//
// Every parser gets every input, both in place (spare capacity) and copied
// (no spare capacity). Beyond "no crash", it checks what the parsers promise:
// a failure is INTERNAL, says "upstream JSON: " and leaves its outputs empty;
// a parsed file written back by the writer parses again, and after that one
// round the message no longer changes (v0.7 with appdata; v0.6 parses too).
//
// Built with UCGATE_LIBFUZZER (clang) this is a libFuzzer target. Otherwise a
// small driver (below) replays the files and directories given as arguments
// and then a bounded number of deterministic mutations of them, so that
// ctest runs it with gcc in a few seconds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "google/protobuf/util/message_differencer.h"
#include "service/upstream/json/file_json.h"

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
  ucgate::json::FileJsonOptions options;
  options.version = version;
  options.include_appdata = true;
  options.include_rekognition_info = true;
  std::string json;
  ucgate::json::AppendFileJson(file, options, &json);
  return json;
}

// parse(write(file)) succeeds, and one more round changes nothing.
void CheckRoundTrip(const v1::File& file, const std::string& input) {
  v1::File v06;
  Check(
      ucgate::json::ParseFile(Write(file, ucgate::ApiVersion::kV06), &v06).ok(),
      "the writer's v0.6 output does not parse", input);
  v1::File once, twice;
  Check(ucgate::json::ParseFile(Write(file, ucgate::ApiVersion::kV07), &once)
            .ok(),
        "the writer's v0.7 output does not parse", input);
  Check(ucgate::json::ParseFile(Write(once, ucgate::ApiVersion::kV07), &twice)
            .ok(),
        "the writer's v0.7 output does not parse (second round)", input);
  Check(MessageDifferencer::Equals(once, twice),
        "the v0.7 round trip is not stable", input);
}

void ParseEverything(const std::string& body, const std::string& input) {
  v1::File file;
  const absl::Status file_status = ucgate::json::ParseFile(body, &file);
  if (file_status.ok()) {
    CheckRoundTrip(file, input);
  } else {
    CheckFailure(file_status, input);
    Check(file.ByteSizeLong() == 0, "ParseFile left a half-filled file", input);
  }

  v1::ListFilesResponse page;
  std::string next;
  const absl::Status page_status =
      ucgate::json::ParseFileListPage(body, &page, &next);
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
      ucgate::json::ParseBatchResult(body, &files, &problems);
  if (!batch_status.ok()) {
    CheckFailure(batch_status, input);
    Check(files.empty() && problems.empty(),
          "ParseBatchResult left half-filled results", input);
  }

  v1::File copy;
  const absl::Status copy_status =
      ucgate::json::ParseLocalCopyResult(body, &copy);
  if (!copy_status.ok()) {
    CheckFailure(copy_status, input);
    Check(copy.ByteSizeLong() == 0,
          "ParseLocalCopyResult left a half-filled file", input);
  }

  std::string url;
  const absl::Status url_status =
      ucgate::json::ParseRemoteCopyResult(body, &url);
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

#ifndef UCGATE_LIBFUZZER

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace {

// Fragments that steer mutations toward the interesting corners of JSON.
constexpr const char* kTokens[] = {
    "null",
    "true",
    "false",
    "\"",
    "\\",
    "\\\\",
    "\\\"",
    "\\n",
    "\\u00e9",
    "\\/",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "0",
    "-1",
    "1e999",
    "29.97",
    "\"2\"",
    "\\u0000",
    "\\ud800",
    "{}",
    "[]",
    "\"x\":",
    "\"2020-01-01T00:00:00Z\"",
    "\"+00:00\"",
    "\"size\":",
    "\"results\":[",
    "\"content_info\":",
    "\"appdata\":{\"a\":{\"data\":",
    "\xff",
    "\xc3\xa9",
};

std::string Mutate(const std::string& input, std::mt19937_64& random) {
  std::string out = input;
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = out.empty() ? 0 : random() % (out.size() + 1);
    switch (random() % 6) {
      case 0:  // Flip a byte.
        if (!out.empty()) out[random() % out.size()] ^= 1 << (random() % 8);
        break;
      case 1:  // Insert a token.
        out.insert(at,
                   kTokens[random() % (sizeof(kTokens) / sizeof(*kTokens))]);
        break;
      case 2:  // Delete a span.
        if (at < out.size()) out.erase(at, 1 + random() % 16);
        break;
      case 3:  // Truncate.
        out.resize(at);
        break;
      case 4: {  // Duplicate a span elsewhere.
        if (out.empty()) break;
        const size_t from = random() % out.size();
        const std::string span = out.substr(from, 1 + random() % 64);
        out.insert(random() % (out.size() + 1), span);
        break;
      }
      case 5:  // Replace a byte with a random one.
        if (!out.empty())
          out[random() % out.size()] = static_cast<char>(random());
        break;
    }
  }
  return out;
}

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
}

}  // namespace

// file_json_fuzzer [--mutations N] [--seconds S] FILE_OR_DIR...
int main(int argc, char** argv) {
  long mutations = 20000;
  double seconds = 8;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mutations") == 0 && i + 1 < argc) {
      mutations = std::strtol(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::strtod(argv[++i], nullptr);
    } else {
      const std::filesystem::path path(argv[i]);
      std::vector<std::filesystem::path> files;
      if (std::filesystem::is_directory(path)) {
        for (const auto& entry : std::filesystem::directory_iterator(path)) {
          if (entry.is_regular_file()) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
      } else {
        files.push_back(path);
      }
      for (const auto& file : files) {
        std::string content;
        if (!ReadFile(file, &content)) {
          std::fprintf(stderr, "file_json_fuzzer: cannot read %s\n",
                       file.c_str());
          return 2;
        }
        inputs.push_back(std::move(content));
      }
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr,
                 "usage: file_json_fuzzer [--mutations N] [--seconds S] "
                 "FILE_OR_DIR...\n");
    return 2;
  }
  for (const std::string& input : inputs) Run(input);

  // Deterministic: the same seed gives the same inputs on every run; the
  // time budget only cuts the sequence short on a slow machine.
  std::mt19937_64 random(20240224);
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(seconds));
  long done = 0;
  for (; done < mutations; ++done) {
    if (done % 256 == 0 && std::chrono::steady_clock::now() > deadline) break;
    std::string input = inputs[random() % inputs.size()];
    // Now and then splice two inputs, as libFuzzer's crossover does.
    if (random() % 8 == 0) {
      const std::string& other = inputs[random() % inputs.size()];
      input = input.substr(0, random() % (input.size() + 1)) +
              other.substr(random() % (other.size() + 1));
    }
    Run(Mutate(input, random));
  }
  std::printf("file_json_fuzzer: %zu inputs replayed, %ld mutations run\n",
              inputs.size(), done);
  return 0;
}

#endif  // UCGATE_LIBFUZZER
