// An HttpClient that records requests and answers from a handler, for tests
// of everything above the transport.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "service/upstream/http/http_client.h"

namespace ucgate::testing {

class FakeHttpClient final : public http::HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<http::HttpResponse>(
      const http::HttpRequest&, const http::RequestOptions&)>;

  explicit FakeHttpClient(Handler handler) : handler_(std::move(handler)) {}

  absl::StatusOr<http::HttpResponse> Send(
      const http::HttpRequest& request,
      const http::RequestOptions& options) override {
    {
      absl::MutexLock lock(&mutex_);
      requests_.push_back(request);
      deadlines_.push_back(options.deadline);
    }
    return handler_(request, options);
  }

  std::vector<http::HttpRequest> requests() const {
    absl::MutexLock lock(&mutex_);
    return requests_;
  }
  std::vector<absl::Time> deadlines() const {
    absl::MutexLock lock(&mutex_);
    return deadlines_;
  }

  static http::HttpResponse Json(int status, std::string body,
                                 std::vector<http::HttpHeader> headers = {}) {
    http::HttpResponse response;
    response.status_code = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    response.headers.push_back(
        {"content-type", "application/vnd.uploadcare-v0.7+json"});
    return response;
  }

 private:
  Handler handler_;
  mutable absl::Mutex mutex_;
  std::vector<http::HttpRequest> requests_ ABSL_GUARDED_BY(mutex_);
  std::vector<absl::Time> deadlines_ ABSL_GUARDED_BY(mutex_);
};

// Finds a request header by name (case-insensitive).
inline std::string HeaderValue(const http::HttpRequest& request,
                               absl::string_view name) {
  for (const auto& header : request.headers) {
    if (header.name.size() == name.size() &&
        std::equal(header.name.begin(), header.name.end(), name.begin(),
                   [](char a, char b) {
                     return std::tolower(a) == std::tolower(b);
                   })) {
      return header.value;
    }
  }
  return "";
}

}  // namespace ucgate::testing
