#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::restapi {

void AppendTagsAnswer(
    const google::protobuf::RepeatedPtrField<std::string>& tags,
    const google::protobuf::RepeatedPtrField<std::string>* added,
    const google::protobuf::RepeatedPtrField<std::string>* deleted,
    std::string* out) {
  JsonWriter json(out);
  json.BeginObject().Key("tags").StringArray(tags);
  if (added != nullptr) json.Key("added").StringArray(*added);
  if (deleted != nullptr) json.Key("deleted").StringArray(*deleted);
  json.EndObject();
}

namespace {

// "2024-05-01T00:00:00.000Z", as JavaScript's Date.toISOString writes it;
// microseconds or nanoseconds when milliseconds would lose something.
std::string IsoTimestamp(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time = absl::FromUnixSeconds(timestamp.seconds()) +
                          absl::Nanoseconds(timestamp.nanos());
  const char* format = timestamp.nanos() % 1000000 == 0 ? "%Y-%m-%dT%H:%M:%E3SZ"
                       : timestamp.nanos() % 1000 == 0  ? "%Y-%m-%dT%H:%M:%E6SZ"
                                                       : "%Y-%m-%dT%H:%M:%E9SZ";
  return absl::FormatTime(format, time, absl::UTCTimeZone());
}

const char* SortFieldName(v1::SearchSortField field) {
  switch (field) {
    case v1::SEARCH_SORT_FIELD_SCORE:
      return "score";
    case v1::SEARCH_SORT_FIELD_DATETIME_UPLOADED:
      return "datetime_uploaded";
    case v1::SEARCH_SORT_FIELD_SIZE:
      return "size";
    case v1::SEARCH_SORT_FIELD_ORIGINAL_FILENAME:
      return "original_filename";
    default:
      return "";
  }
}

void WritePhrase(const v1::SearchPhrase& phrase, JsonWriter& json) {
  json.BeginObject();
  if (!phrase.original_filename().empty()) {
    json.Key("original_filename").String(phrase.original_filename());
  }
  if (!phrase.detected_mime_type().empty()) {
    json.Key("detected_mime_type").String(phrase.detected_mime_type());
  }
  if (!phrase.metadata().empty()) {
    json.Key("metadata").String(phrase.metadata());
  }
  json.EndObject();
}

// The API has no nested metadata object here: one key is `metadata[KEY]`.
void WriteExact(const v1::SearchExact& exact, JsonWriter& json) {
  json.BeginObject();
  if (!exact.uuids().empty()) json.Key("uuid").StringArray(exact.uuids());
  if (!exact.detected_mime_types().empty()) {
    json.Key("detected_mime_type").StringArray(exact.detected_mime_types());
  }
  if (!exact.original_filenames().empty()) {
    json.Key("original_filename").StringArray(exact.original_filenames());
  }
  for (const v1::SearchMetadataValues& entry : exact.metadata()) {
    json.Key(absl::StrCat("metadata[", entry.key(), "]"))
        .StringArray(entry.values());
  }
  json.EndObject();
}

void WriteTimeRange(const v1::SearchTimeRange& range, JsonWriter& json) {
  json.BeginObject();
  if (range.has_gt()) json.Key("gt").String(IsoTimestamp(range.gt()));
  if (range.has_gte()) json.Key("gte").String(IsoTimestamp(range.gte()));
  if (range.has_lt()) json.Key("lt").String(IsoTimestamp(range.lt()));
  if (range.has_lte()) json.Key("lte").String(IsoTimestamp(range.lte()));
  json.EndObject();
}

void WriteSizeRange(const v1::SearchSizeRange& range, JsonWriter& json) {
  json.BeginObject();
  if (range.has_gt()) json.Key("gt").Int(range.gt());
  if (range.has_gte()) json.Key("gte").Int(range.gte());
  if (range.has_lt()) json.Key("lt").Int(range.lt());
  if (range.has_lte()) json.Key("lte").Int(range.lte());
  json.EndObject();
}

void WriteTagConditions(const v1::SearchTags& tags, JsonWriter& json) {
  json.BeginObject();
  if (!tags.any().empty()) json.Key("any").StringArray(tags.any());
  if (!tags.all().empty()) json.Key("all").StringArray(tags.all());
  if (!tags.none().empty()) json.Key("none").StringArray(tags.none());
  json.EndObject();
}

void WriteHighlight(const v1::SearchHighlight& highlight, JsonWriter& json) {
  json.BeginObject();
  if (highlight.original_filename_size() > 0) {
    json.Key("original_filename").StringArray(highlight.original_filename());
  }
  if (highlight.detected_mime_type_size() > 0) {
    json.Key("detected_mime_type").StringArray(highlight.detected_mime_type());
  }
  if (!highlight.metadata().empty()) {
    json.Key("metadata").StringObject(highlight.metadata());
  }
  json.EndObject();
}

}  // namespace

std::string SearchFilesBody(const v1::SearchFilesRequest& request) {
  std::string body;
  JsonWriter json(&body);
  json.BeginObject();
  if (!request.query().empty()) json.Key("query").String(request.query());
  if (request.has_phrase()) WritePhrase(request.phrase(), json.Key("phrase"));
  if (request.has_exact()) WriteExact(request.exact(), json.Key("exact"));
  if (request.has_datetime_uploaded()) {
    WriteTimeRange(request.datetime_uploaded(), json.Key("datetime_uploaded"));
  }
  if (request.has_size()) WriteSizeRange(request.size(), json.Key("size"));
  if (request.has_is_image()) json.Key("is_image").Bool(request.is_image());
  if (request.has_fuzziness()) {
    json.Key("fuzziness").Bool(request.fuzziness());
  }
  if (request.has_tags()) WriteTagConditions(request.tags(), json.Key("tags"));
  if (!request.sort().empty()) {
    json.Key("sort").BeginArray();
    for (const v1::SearchSort& sort : request.sort()) {
      json.String(absl::StrCat(sort.descending() ? "-" : "",
                               SortFieldName(sort.field())));
    }
    json.EndArray();
  }
  json.EndObject();
  return body;
}

void AppendFileSearchPage(
    const google::protobuf::RepeatedPtrField<v1::File>& files,
    const google::protobuf::RepeatedPtrField<v1::SearchHighlight>& highlights,
    int64_t total, const SearchPageOptions& links, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Key("next")
      .StringOrNull(links.next)
      .Key("previous")
      .StringOrNull(links.previous)
      .Key("total")
      .Int(total)
      .Key("per_page")
      .Int(links.per_page)
      .Key("results")
      .BeginArray();
  for (int i = 0; i < files.size(); ++i) {
    // A result is the file object with "highlight" as its last member.
    std::string result;
    JsonWriter file_json(&result);
    FileJsonOptions file_options;
    file_options.include_appdata = links.include_appdata;
    WriteFileJson(files[i], file_options, file_json);
    result.pop_back();  // the file object's closing brace
    result.append(",\"highlight\":");
    JsonWriter tail(&result);
    WriteHighlight(i < highlights.size()
                       ? highlights[i]
                       : v1::SearchHighlight::default_instance(),
                   tail);
    result.push_back('}');
    json.Raw(result);
  }
  json.EndArray().EndObject();
}

}  // namespace ucgate::restapi
