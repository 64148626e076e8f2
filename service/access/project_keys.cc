#include "service/access/project_keys.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ucgate::access {
namespace {

absl::StatusOr<std::string> OneWord(const std::string& contents,
                                    const std::string& path) {
  const absl::string_view key = absl::StripAsciiWhitespace(contents);
  if (key.empty() || std::any_of(key.begin(), key.end(), [](char c) {
        return !absl::ascii_isgraph(static_cast<unsigned char>(c));
      })) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' must hold one key on one line"));
  }
  return std::string(key);
}

}  // namespace

absl::StatusOr<std::shared_ptr<ReloadingValue<ProjectKeys>>>
LoadProjectKeyFiles(const ProjectKeyFiles& files) {
  std::vector<std::string> paths = {files.secret_key_file};
  if (!files.public_key_file.empty()) paths.push_back(files.public_key_file);
  return ReloadingValue<ProjectKeys>::Load(
      absl::StrCat("keys of project '", files.project, "'"), std::move(paths),
      [files](const std::vector<std::string>& contents)
          -> absl::StatusOr<ProjectKeys> {
        absl::StatusOr<std::string> secret =
            OneWord(contents[0], files.secret_key_file);
        if (!secret.ok()) return secret.status();
        ProjectKeys keys{files.public_key, Secret(*std::move(secret))};
        if (contents.size() > 1) {
          absl::StatusOr<std::string> public_key =
              OneWord(contents[1], files.public_key_file);
          if (!public_key.ok()) return public_key.status();
          keys.public_key = *std::move(public_key);
        }
        return keys;
      });
}

}  // namespace ucgate::access
