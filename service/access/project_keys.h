// A project's Uploadcare keys read from files and reloaded when they change:
// the secret key file and, optionally, a public key file beside it (one
// mounted Secret holding both, read together, so a rotation that changes
// both never signs with one half of each). Signers take a snapshot per
// attempt: a call in flight finishes with the keys it started with, its next
// attempt signs with the new ones.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/access/watched_file.h"
#include "service/common/secret.h"

namespace ucgate::access {

struct ProjectKeys {
  std::string public_key;
  Secret secret_key;
};

struct ProjectKeyFiles {
  std::string project;  // For log lines.
  std::string secret_key_file;
  // Empty: the public key is `public_key` (from the configuration).
  std::string public_key_file;
  std::string public_key;
};

// Surrounding whitespace (a trailing newline) is dropped; a key must be one
// word. Errors name the file, never its contents.
absl::StatusOr<std::shared_ptr<ReloadingValue<ProjectKeys>>>
LoadProjectKeyFiles(const ProjectKeyFiles& files);

}  // namespace ucgate::access
