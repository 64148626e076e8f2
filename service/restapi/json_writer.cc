#include "service/restapi/json_writer.h"

#include <charconv>
#include <cmath>

#include "service/restapi/json_time.h"

namespace ucgate::restapi {

void AppendJsonString(absl::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        const char escape[] = {'\\', 'u',          '0',
                               '0',  kHex[c >> 4], kHex[c & 0xf]};
        out->append(escape, sizeof(escape));
      }
    }
  }
  out->append(text.data() + run_start, text.size() - run_start);
  out->push_back('"');
}

JsonWriter& JsonWriter::Double(double value) {
  if (!std::isfinite(value)) return Null();
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return Raw(absl::string_view(buffer, result.ptr - buffer));
}

JsonWriter& JsonWriter::Timestamp(
    const google::protobuf::Timestamp& timestamp) {
  Separate();
  out_->push_back('"');
  internal::AppendTimestamp(timestamp.seconds(), timestamp.nanos(), out_);
  out_->push_back('"');
  return Wrote();
}

JsonWriter& JsonWriter::StringArray(
    const google::protobuf::RepeatedPtrField<std::string>& items) {
  BeginArray();
  for (const std::string& item : items) String(item);
  return EndArray();
}

JsonWriter& JsonWriter::StringObject(
    const google::protobuf::Map<std::string, std::string>& map) {
  BeginObject();
  for (const auto* entry : SortedEntries(map)) {
    Key(entry->first).String(entry->second);
  }
  return EndObject();
}

}  // namespace ucgate::restapi
