#include "service/emulator/router.h"

#include <set>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ucgate::emulator {
namespace {

bool IsPlaceholder(absl::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "/files/x/" -> {"files", "x", ""}: the trailing empty segment keeps
// "/files/x" (no slash) from matching, as the service requires the slash.
std::vector<absl::string_view> SplitPath(absl::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return absl::StrSplit(path, '/');
}

}  // namespace

void Router::Add(absl::string_view method, absl::string_view pattern,
                 RouteHandler handler) {
  std::vector<std::string> segments;
  for (absl::string_view s : SplitPath(pattern)) segments.emplace_back(s);
  Resource* resource = nullptr;
  for (Resource& existing : resources_) {
    if (existing.segments == segments) resource = &existing;
  }
  if (resource == nullptr) {
    resources_.push_back(Resource{std::move(segments), {}, ""});
    resource = &resources_.back();
  }
  resource->handlers[std::string(method)] = std::move(handler);
  std::set<std::string> methods = {"OPTIONS"};
  for (const auto& [name, unused] : resource->handlers) {
    methods.insert(name);
    if (name == "GET") methods.insert("HEAD");
  }
  resource->allow = absl::StrJoin(methods, ", ");
}

bool Router::MatchSegments(const Resource& resource,
                           const std::vector<absl::string_view>& segments,
                           std::vector<std::string>* params) {
  if (resource.segments.size() != segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& expected = resource.segments[i];
    if (IsPlaceholder(expected)) {
      if (segments[i].empty()) return false;
      params->emplace_back(segments[i]);
    } else if (expected != segments[i]) {
      return false;
    }
  }
  return true;
}

bool Router::MoreSpecific(const Resource& a, const Resource& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    bool a_literal = !IsPlaceholder(a.segments[i]);
    bool b_literal = !IsPlaceholder(b.segments[i]);
    if (a_literal != b_literal) return a_literal;
  }
  return false;
}

Router::Outcome Router::Find(absl::string_view method, absl::string_view path,
                             Match* match) const {
  std::vector<absl::string_view> segments = SplitPath(path);
  const Resource* best = nullptr;
  std::vector<std::string> params;
  for (const Resource& resource : resources_) {
    std::vector<std::string> candidate_params;
    if (!MatchSegments(resource, segments, &candidate_params)) continue;
    if (best == nullptr || MoreSpecific(resource, *best)) {
      best = &resource;
      params = std::move(candidate_params);
    }
  }
  if (best == nullptr) return Outcome::kNotFound;
  match->params = std::move(params);
  match->allow = best->allow;
  match->handler = nullptr;
  if (method == "OPTIONS") return Outcome::kFound;
  auto it = best->handlers.find(method == "HEAD" ? "GET" : std::string(method));
  if (it == best->handlers.end()) return Outcome::kMethodNotAllowed;
  match->handler = &it->second;
  return Outcome::kFound;
}

}  // namespace ucgate::emulator
