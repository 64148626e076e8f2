// The recorded live answers of tests/data/recorded/*.yml, which
// tests/restapi/extract_cassettes.py extracts to one JSON file at build time
// (its path reaches the tests as UCGATE_CASSETTES_JSON).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ucgate::testing {

struct Interaction {
  std::string cassette;  // e.g. "file_info.yml"
  int64_t index = 0;     // its place in the cassette
  std::string method;
  std::string uri;  // absolute, as recorded
  int64_t status = 0;
  std::string body;  // empty when the answer had none

  // "file_info.yml#0".
  std::string Name() const;
  // The URI without scheme, host and query: "/files/".
  std::string Path() const;
};

// Every interaction in the extracted file at `path`, in recorded order.
std::vector<Interaction> LoadInteractions(const std::string& path);

}  // namespace ucgate::testing
