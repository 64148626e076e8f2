// Maps (method, path) to a route handler. Each REST resource registers its
// routes from its own module (RegisterFilesRoutes, ...), so adding a resource
// never touches the server.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "service/emulator/api_types.h"

namespace ucgate::emulator {

using RouteHandler = std::function<ApiResponse(const ApiRequest&)>;

class Router {
 public:
  // `pattern` is a path with placeholders for whole segments, e.g.
  // "/files/{uuid}/storage/". A placeholder matches one non-empty segment.
  // When two patterns match a path, the one with a literal segment where the
  // other has a placeholder wins ("/files/storage/" over "/files/{uuid}/").
  void Add(absl::string_view method, absl::string_view pattern,
           RouteHandler handler);

  enum class Outcome { kFound, kMethodNotAllowed, kNotFound };
  struct Match {
    const RouteHandler* handler = nullptr;
    std::vector<std::string> params;
    // The resource's methods as Django lists them: "DELETE, GET, HEAD,
    // OPTIONS".
    std::string allow;
  };
  // HEAD is served by the GET handler; OPTIONS is answered by the caller
  // (kFound with a null handler).
  Outcome Find(absl::string_view method, absl::string_view path,
               Match* match) const;

 private:
  struct Resource {
    std::vector<std::string> segments;  // "{...}" for placeholders
    std::map<std::string, RouteHandler> handlers;
    std::string allow;
  };
  static bool MatchSegments(const Resource& resource,
                            const std::vector<absl::string_view>& segments,
                            std::vector<std::string>* params);
  static bool MoreSpecific(const Resource& a, const Resource& b);

  std::vector<Resource> resources_;
};

}  // namespace ucgate::emulator
