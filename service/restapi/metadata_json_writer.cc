#include "absl/strings/str_cat.h"
#include "service/restapi/file_json.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::restapi {

void AppendStringArray(
    const google::protobuf::RepeatedPtrField<std::string>& items,
    std::string* out) {
  out->push_back('[');
  for (int i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(items[i], out);
  }
  out->push_back(']');
}

void AppendFileSearchPage(
    const google::protobuf::RepeatedPtrField<v1::File>& files, int64_t total,
    absl::string_view next_cursor, std::string* out) {
  out->append("{\"next_cursor\":");
  if (next_cursor.empty()) {
    out->append("null");
  } else {
    AppendJsonString(next_cursor, out);
  }
  absl::StrAppend(out, ",\"total\":", total, ",\"results\":[");
  for (int i = 0; i < files.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendFileJson(files[i], FileJsonOptions{}, out);
  }
  out->append("]}");
}

}  // namespace ucgate::restapi
