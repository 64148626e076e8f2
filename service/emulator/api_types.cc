#include "service/emulator/api_types.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/common/url.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"

namespace ucgate::emulator {
const std::string* ApiRequest::Query(absl::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

ApiResponse DetailError(int status, absl::string_view detail) {
  ApiResponse response;
  response.status = status;
  restapi::JsonWriter(&response.body)
      .BeginObject()
      .Key("detail")
      .String(detail)
      .EndObject();
  return response;
}

void FieldErrors::Add(absl::string_view field, absl::string_view message) {
  errors_.emplace_back(std::string(field), std::string(message));
}

ApiResponse FieldErrors::ToResponse() const {
  std::string body;
  restapi::JsonWriter json(&body);
  json.BeginObject();
  for (const auto& [field, message] : errors_) {
    json.Key(field).BeginArray().String(message).EndArray();
  }
  json.EndObject();
  return JsonResponse(400, std::move(body));
}

ApiResponse JsonResponse(int status, std::string body) {
  ApiResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::string PercentDecode(absl::string_view text, bool plus_as_space) {
  return UrlDecodeLenient(text, plus_as_space);
}

QueryParams ParseQueryString(absl::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    absl::string_view pair = query.substr(0, amp);
    query = amp == absl::string_view::npos ? absl::string_view()
                                           : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    absl::string_view name = pair.substr(0, eq);
    absl::string_view value = eq == absl::string_view::npos
                                  ? absl::string_view()
                                  : pair.substr(eq + 1);
    params.emplace_back(PercentDecode(name, true), PercentDecode(value, true));
  }
  return params;
}

void AppendQueryEscaped(absl::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '_' || c == '.' || c == '-' ||
        c == '~') {
      out->push_back(c);
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xF]);
    }
  }
}

}  // namespace ucgate::emulator
