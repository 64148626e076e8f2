// The replay driver of every fuzz target when not built for libFuzzer: it
// replays the files and directories given as arguments, then a bounded,
// deterministic series of mutations of them (byte flips, token insertions,
// truncations, splices), so ctest runs each target with gcc in seconds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

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

// FUZZER [--mutations N] [--seconds S] FILE_OR_DIR...
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
          std::fprintf(stderr, "%s: cannot read %s\n", argv[0], file.c_str());
          return 2;
        }
        inputs.push_back(std::move(content));
      }
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr,
                 "usage: %s [--mutations N] [--seconds S] FILE_OR_DIR...\n",
                 argv[0]);
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
  std::printf("%s: %zu inputs replayed, %ld mutations run\n", argv[0],
              inputs.size(), done);
  return 0;
}
