#include "service/gateway/project_registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/common/status.h"

namespace ucgate::gateway {

ProjectRegistry::ProjectRegistry(std::vector<Project> projects)
    : projects_(std::move(projects)) {
  for (const Project& project : projects_) by_name_[project.name] = &project;
}

absl::StatusOr<const Project*> ProjectRegistry::Find(
    absl::string_view name) const {
  if (name.empty()) {
    if (projects_.size() == 1) return &projects_.front();
    return InvalidFieldError(
        kProjectMetadataKey,
        "this gateway serves several projects: name one in the "
        "x-ucgate-project metadata");
  }
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    // The name is the caller's own input: quoted, but only a short prefix.
    return WithErrorInfo(
        WithFieldViolations(
            absl::NotFoundError(absl::StrCat(
                kProjectMetadataKey, ": project ", QuoteValue(name),
                " is not configured on this gateway")),
            {{kProjectMetadataKey, "unknown project"}}),
        kUnknownProjectReason);
  }
  return it->second;
}

absl::StatusOr<const Project*> ProjectRegistry::Resolve(
    const grpc::CallbackServerContext& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kProjectMetadataKey);
  if (it == metadata.end()) return Find("");
  return Find(absl::string_view(it->second.data(), it->second.size()));
}

}  // namespace ucgate::gateway
