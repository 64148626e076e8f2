#include "service/upstream/http/http_client.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace ucgate::http {
namespace {

class BodyPool {
 public:
  std::string Take(std::size_t capacity) {
    {
      absl::MutexLock lock(&mutex_);
      for (auto it = bodies_.begin(); it != bodies_.end(); ++it) {
        if (it->capacity() >= capacity) {
          std::string body = std::move(*it);
          bodies_.erase(it);
          return body;
        }
      }
    }
    std::string body;
    body.reserve(capacity);
    return body;
  }

  void Give(std::string body) {
    if (body.capacity() < kMinRecycledBody) return;
    body.clear();
    absl::MutexLock lock(&mutex_);
    if (bodies_.size() < kMaxRecycledBodies) bodies_.push_back(std::move(body));
  }

 private:
  absl::Mutex mutex_;
  std::vector<std::string> bodies_ ABSL_GUARDED_BY(mutex_);
};

BodyPool& Bodies() {
  static BodyPool* const pool = new BodyPool;
  return *pool;
}

}  // namespace

std::string TakeBodyBuffer(std::size_t capacity) {
  if (capacity < kMinRecycledBody) {
    std::string body;
    body.reserve(capacity);
    return body;
  }
  return Bodies().Take(capacity);
}

void RecycleBody(std::string body) { Bodies().Give(std::move(body)); }

std::optional<absl::string_view> HttpResponse::Header(
    absl::string_view lower_name) const {
  for (const HttpHeader& header : headers) {
    if (header.name == lower_name) return absl::string_view(header.value);
  }
  return std::nullopt;
}

}  // namespace ucgate::http
