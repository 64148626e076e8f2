#include "service/emulator/request_body.h"

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
  doc->Parse(body.data(), body.size());
  if (doc->HasParseError()) {
    return DetailError(
        400, absl::StrCat("JSON parse error - ",
                          rapidjson::GetParseError_En(doc->GetParseError()),
                          " (at character ", doc->GetErrorOffset(), ")"));
  }
  return std::nullopt;
}

std::string JsonText(const rapidjson::Value& value) {
  if (value.IsString()) {
    return std::string(value.GetString(), value.GetStringLength());
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ucgate::emulator
