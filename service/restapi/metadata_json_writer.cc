#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::restapi {

void AppendFileSearchPage(
    const google::protobuf::RepeatedPtrField<v1::File>& files, int64_t total,
    absl::string_view next_cursor, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Key("next_cursor")
      .StringOrNull(next_cursor)
      .Key("total")
      .Int(total)
      .Key("results")
      .BeginArray();
  for (const v1::File& file : files) {
    WriteFileJson(file, FileJsonOptions{}, json);
  }
  json.EndArray().EndObject();
}

}  // namespace ucgate::restapi
