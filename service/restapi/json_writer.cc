#include "service/restapi/json_writer.h"

#include <charconv>
#include <cmath>

#include "service/restapi/json_time.h"

namespace ucgate::restapi {

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
