#include "service/upstream/http/http_client.h"

#include <optional>
#include <string>
#include <utility>

#include "service/common/idle_pool.h"

namespace ucgate::http {
namespace {

IdlePool<std::string>& Bodies() {
  static auto* const pool = new IdlePool<std::string>(kMaxRecycledBodies);
  return *pool;
}

}  // namespace

std::string TakeBodyBuffer(std::size_t capacity) {
  std::optional<std::string> recycled;
  if (capacity >= kMinRecycledBody) {
    recycled = Bodies().TakeIf([capacity](const std::string& body) {
      return body.capacity() >= capacity;
    });
  }
  std::string body = recycled ? *std::move(recycled) : std::string();
  body.reserve(capacity);
  return body;
}

void RecycleBody(std::string body) {
  if (body.capacity() < kMinRecycledBody) return;
  body.clear();
  Bodies().Give(std::move(body));
}

std::optional<absl::string_view> HttpResponse::Header(
    absl::string_view lower_name) const {
  for (const HttpHeader& header : headers) {
    if (header.name == lower_name) return absl::string_view(header.value);
  }
  return std::nullopt;
}

}  // namespace ucgate::http
