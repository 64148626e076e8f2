// Fuzz target for the gateway's configuration parser (gateway::ParseConfig,
// then gateway::ValidateConfig on what parses), fed arbitrary YAML text.
//
// Beyond "no crash" (yaml-cpp throws; every exception must become a status),
// it checks what the parser and the validator promise:
// - a refusal is INVALID_ARGUMENT with a message, the same on a second parse;
// - no message ever carries a secret (every secret_key_env reads
//   kEnvSecret);
// - a configuration that passes ValidateConfig has what its comment lists: at
//   least one project, unique non-empty names, keys present, a listen
//   address and base URLs that parse.
//
// The parser reads the files a configuration names (secret_key_file,
// public_key_file) and opens ca_file. Inputs with a scalar naming a device, a
// FIFO, a process file (/dev/zero, /proc/self/fd/0, ...) or a large file are
// skipped, so that a run never blocks or reads without end.
//
// Built with UCGATE_LIBFUZZER (clang) this is a libFuzzer target; otherwise
// replay_driver.cc replays the seeds and deterministic mutations of them.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "service/common/url.h"
#include "service/gateway/config.h"

namespace {

namespace gateway = ::ucgate::gateway;

constexpr char kEnvSecret[] = "fuzz-env-secret-7d1f0c";

void Check(bool condition, const char* what, const std::string& input) {
  if (condition) return;
  std::fprintf(stderr, "config_fuzzer: %s\ninput (%zu bytes): %s\n", what,
               input.size(), input.c_str());
  std::abort();
}

// False when `text`, taken as a path, names what ReadSecretFile must not
// read here: a device, FIFO or socket, anything under /dev, /proc or /sys
// (/proc/kmsg is a "regular" file that blocks), or a file over 1 MiB.
bool SafePath(const std::string& text) {
  if (text.empty() || text.size() >= PATH_MAX ||
      text.find('\0') != std::string::npos) {
    return true;
  }
  struct stat info;
  if (::stat(text.c_str(), &info) != 0) return true;  // nothing to read
  if (!S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode)) return false;
  if (info.st_size > (1 << 20)) return false;
  char resolved[PATH_MAX];
  if (::realpath(text.c_str(), resolved) == nullptr) return false;
  for (const char* root : {"/dev/", "/proc/", "/sys/"}) {
    if (absl::StartsWith(resolved, root)) return false;
  }
  return true;
}

// False when a scalar of the document could name a special file, or the
// document is too large to walk (aliases can make it grow exponentially).
bool SafeScalars(const YAML::Node& node, int* budget) {
  if (--*budget < 0) return false;
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return SafePath(node.Scalar());
    case YAML::NodeType::Sequence:
      for (const auto& item : node) {
        if (!SafeScalars(item, budget)) return false;
      }
      return true;
    case YAML::NodeType::Map:
      for (const auto& entry : node) {
        if (!SafeScalars(entry.first, budget) ||
            !SafeScalars(entry.second, budget)) {
          return false;
        }
      }
      return true;
    default:
      return true;
  }
}

bool Safe(const std::string& input) {
  try {
    int budget = 20000;
    return SafeScalars(YAML::Load(input), &budget);
  } catch (const YAML::Exception&) {
    return true;  // ParseConfig fails the same way, before reading anything.
  } catch (...) {
    return true;  // Whatever else yaml-cpp throws is ParseConfig's to handle.
  }
}

void CheckRefusal(const absl::Status& status, const std::string& input) {
  Check(status.code() == absl::StatusCode::kInvalidArgument,
        "a configuration error is not INVALID_ARGUMENT", input);
  Check(!status.message().empty(), "a configuration error has no message",
        input);
  Check(!absl::StrContains(status.message(), kEnvSecret),
        "a configuration error carries a secret", input);
}

void CheckValid(const gateway::GatewayConfig& config,
                const std::string& input) {
  Check(gateway::ValidateListenAddress(config.listen).ok(),
        "a valid configuration has a listen address that does not parse",
        input);
  Check(!config.projects.empty(), "a valid configuration has no project",
        input);
  std::set<std::string> names;
  for (const gateway::ProjectConfig& project : config.projects) {
    Check(!project.name.empty(), "a valid project has no name", input);
    Check(names.insert(project.name).second,
          "a valid configuration repeats a project name", input);
    Check(!project.public_key.empty(), "a valid project has no public key",
          input);
    Check(!project.secret_key.empty(), "a valid project has no secret key",
          input);
    const std::string& base_url =
        project.base_url.empty() ? config.upstream.base_url : project.base_url;
    Check(ucgate::ParseBaseUrl(base_url).ok(),
          "a valid project has a base URL that does not parse", input);
  }
  Check(config.upstream.retry.max_attempts >= 1,
        "a valid configuration makes no upstream attempt", input);
  Check(config.streams.items_per_message >= 1,
        "a valid configuration streams no items per message", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (!Safe(input)) return 0;
  const gateway::EnvironmentLookup env =
      [](const std::string&) -> std::optional<std::string> {
    return kEnvSecret;
  };
  absl::StatusOr<gateway::GatewayConfig> config =
      gateway::ParseConfig(input, env);
  if (!config.ok()) {
    CheckRefusal(config.status(), input);
    absl::StatusOr<gateway::GatewayConfig> again =
        gateway::ParseConfig(input, env);
    Check(!again.ok() && again.status() == config.status(),
          "a second parse of a refused configuration answers otherwise", input);
    return 0;
  }
  const absl::Status valid = gateway::ValidateConfig(*config);
  if (valid.ok()) {
    CheckValid(*config, input);
  } else {
    CheckRefusal(valid, input);
  }
  return 0;
}
