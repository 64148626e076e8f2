#include "tests/testing_util/cassettes.h"

#include <simdjson.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace ucgate::testing {

std::string Interaction::Name() const {
  return absl::StrCat(cassette, "#", index);
}

std::string Interaction::Path() const {
  const size_t host = uri.find("://");
  std::string path =
      host == std::string::npos ? uri : uri.substr(uri.find('/', host + 3));
  return path.substr(0, path.find('?'));
}

std::vector<Interaction> LoadInteractions(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(path);
  std::vector<Interaction> interactions;
  for (simdjson::dom::element item : root["interactions"].get_array()) {
    Interaction interaction;
    interaction.cassette = std::string(item["cassette"].get_string().value());
    interaction.index = item["index"].get_int64();
    interaction.method = std::string(item["method"].get_string().value());
    interaction.uri = std::string(item["uri"].get_string().value());
    interaction.status = item["status"].get_int64();
    if (item["body"].is_string()) {
      interaction.body = std::string(item["body"].get_string().value());
    }
    interactions.push_back(std::move(interaction));
  }
  return interactions;
}

}  // namespace ucgate::testing
