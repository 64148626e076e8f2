#include "service/emulator/request_body.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace ucgate::emulator {

std::optional<ApiResponse> ParseRequestBody(const ApiRequest& request,
                                            rapidjson::Document* doc) {
  absl::string_view body =
      request.body ? absl::string_view(*request.body) : absl::string_view();
  if (absl::StripAsciiWhitespace(body).empty()) {
    doc->SetObject();
    return std::nullopt;
  }
  if (absl::StartsWithIgnoreCase(request.content_type,
                                 "application/x-www-form-urlencoded")) {
    doc->SetObject();
    for (auto& [name, value] : ParseQueryString(body)) {
      rapidjson::Value key(name.c_str(),
                           static_cast<rapidjson::SizeType>(name.size()),
                           doc->GetAllocator());
      rapidjson::Value text(value.c_str(),
                            static_cast<rapidjson::SizeType>(value.size()),
                            doc->GetAllocator());
      doc->AddMember(key, text, doc->GetAllocator());
    }
    return std::nullopt;
  }
  // Iterative parsing: a deeply nested body must not exhaust the stack.
  doc->Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc->HasParseError()) {
    return DetailError(
        400, absl::StrCat("JSON parse error - ",
                          rapidjson::GetParseError_En(doc->GetParseError()),
                          " (at character ", doc->GetErrorOffset(), ")"));
  }
  return std::nullopt;
}

namespace {

// Nesting depth of `value`, counted up to `limit` only (no deep recursion).
int Depth(const rapidjson::Value& value, int limit) {
  if (limit == 0) return 0;
  int deepest = 0;
  if (value.IsArray()) {
    for (const auto& item : value.GetArray()) {
      deepest = std::max(deepest, Depth(item, limit - 1));
    }
  } else if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      deepest = std::max(deepest, Depth(member.value, limit - 1));
    }
  } else {
    return 0;
  }
  return deepest + 1;
}

}  // namespace

std::string JsonText(const rapidjson::Value& value) {
  if (value.IsString()) {
    return std::string(value.GetString(), value.GetStringLength());
  }
  constexpr int kMaxDepth = 16;
  if (Depth(value, kMaxDepth + 1) > kMaxDepth) {
    return value.IsArray() ? "[...]" : "{...}";
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ucgate::emulator
