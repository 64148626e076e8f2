// The Uploadcare projects a gateway serves, and which one a call is for.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "service/common/api_version.h"
#include "service/upstream/stack/upstream_stack_factory.h"

namespace ucgate::gateway {

// The metadata key a caller names its project with.
inline constexpr char kProjectMetadataKey[] = "x-ucgate-project";

struct Project {
  std::string name;
  ApiVersion api_version = ApiVersion::kV07;
  upstream::ProjectUpstream upstream;
};

class ProjectRegistry {
 public:
  explicit ProjectRegistry(std::vector<Project> projects);

  // The project named by `x-ucgate-project`; with one project configured, a
  // call without the key gets it. Unknown names are NOT_FOUND and a missing
  // key with several projects is INVALID_ARGUMENT, both naming the key.
  absl::StatusOr<const Project*> Resolve(
      const grpc::CallbackServerContext& context) const;
  absl::StatusOr<const Project*> Find(absl::string_view name) const;

  const std::vector<Project>& projects() const { return projects_; }

 private:
  std::vector<Project> projects_;
  absl::flat_hash_map<std::string, const Project*> by_name_;
};

}  // namespace ucgate::gateway
