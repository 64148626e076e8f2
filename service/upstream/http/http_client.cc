#include "service/upstream/http/http_client.h"

namespace ucgate::http {

std::optional<absl::string_view> HttpResponse::Header(
    absl::string_view lower_name) const {
  for (const HttpHeader& header : headers) {
    if (header.name == lower_name) return absl::string_view(header.value);
  }
  return std::nullopt;
}

}  // namespace ucgate::http
