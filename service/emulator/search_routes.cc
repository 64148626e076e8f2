#include "service/emulator/search_routes.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rapidjson/document.h"
#include "service/emulator/api_types.h"
#include "service/emulator/file_extras_routes.h"
#include "service/emulator/project_data.h"
#include "service/emulator/request_body.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kMaxLimit = 100;
constexpr int64_t kMaxResults = 1000;  // offset + limit stays below
constexpr size_t kMinFullText = 4;
constexpr char kFullTextRule[] = "Ensure this field has at least 4 characters.";

std::string StringOf(const rapidjson::Value& value) {
  return std::string(value.GetString(), value.GetStringLength());
}

// Bounds of a range condition, in the compared unit (bytes, microseconds).
struct Bounds {
  std::optional<int64_t> gt, gte, lt, lte;

  bool Contains(int64_t value) const {
    return (!gt || value > *gt) && (!gte || value >= *gte) &&
           (!lt || value < *lt) && (!lte || value <= *lte);
  }
};

struct SortKey {
  std::string field;
  bool descending = false;
};

struct Conditions {
  std::string query;  // lowercased, as every full-text term
  std::string phrase_filename, phrase_mime, phrase_metadata;
  std::vector<std::string> exact_uuids, exact_mimes, exact_filenames;
  std::vector<std::pair<std::string, std::vector<std::string>>> exact_metadata;
  std::optional<Bounds> uploaded;  // microseconds since the epoch
  std::optional<Bounds> size;
  std::optional<bool> is_image;
  std::vector<std::string> tags_any, tags_all, tags_none;
  bool has_tags = false;
  bool fuzziness = false;
  std::vector<SortKey> sort;

  bool Empty() const {
    return query.empty() && phrase_filename.empty() && phrase_mime.empty() &&
           phrase_metadata.empty() && exact_uuids.empty() &&
           exact_mimes.empty() && exact_filenames.empty() &&
           exact_metadata.empty() && !uploaded && !size && !is_image &&
           !has_tags;
  }
};

// Reads the whole body, adding every problem to `errors` as the service
// lists them.
class ConditionReader {
 public:
  explicit ConditionReader(FieldErrors* errors) : errors_(errors) {}

  void Read(const rapidjson::Value& body, Conditions* out) {
    for (const auto& member : body.GetObject()) {
      const std::string name = StringOf(member.name);
      const rapidjson::Value& value = member.value;
      if (value.IsNull()) continue;
      if (name == "query") {
        out->query = FullText(value, "query");
      } else if (name == "phrase") {
        ReadPhrase(value, out);
      } else if (name == "exact") {
        ReadExact(value, out);
      } else if (name == "datetime_uploaded") {
        out->uploaded = ReadBounds(value, name, /*dates=*/true);
      } else if (name == "size") {
        out->size = ReadBounds(value, name, /*dates=*/false);
      } else if (name == "is_image") {
        out->is_image = Flag(value, name);
      } else if (name == "fuzziness") {
        out->fuzziness = Flag(value, name).value_or(false);
      } else if (name == "tags") {
        ReadTagConditions(value, out);
      } else if (name == "sort") {
        ReadSort(value, out);
      }
    }
  }

 private:
  std::string FullText(const rapidjson::Value& value, absl::string_view field) {
    if (!value.IsString()) {
      errors_->Add(field, "Not a valid string.");
      return "";
    }
    std::string text = absl::AsciiStrToLower(StringOf(value));
    if (text.size() < kMinFullText) {
      errors_->Add(field, kFullTextRule);
      return "";
    }
    return text;
  }

  std::optional<bool> Flag(const rapidjson::Value& value,
                           absl::string_view field) {
    if (!value.IsBool()) {
      errors_->Add(field, "Must be a valid boolean.");
      return std::nullopt;
    }
    return value.GetBool();
  }

  bool Object(const rapidjson::Value& value, absl::string_view field) {
    if (value.IsObject()) return true;
    errors_->Add(field, "Expected a dictionary of items.");
    return false;
  }

  std::vector<std::string> Strings(const rapidjson::Value& value,
                                   absl::string_view field) {
    std::vector<std::string> items;
    if (!value.IsArray() || value.Empty()) {
      errors_->Add(field, "Expected a non-empty list of items.");
      return items;
    }
    for (const rapidjson::Value& item : value.GetArray()) {
      if (!item.IsString()) {
        errors_->Add(field, "Not a valid string.");
        return {};
      }
      items.push_back(StringOf(item));
    }
    return items;
  }

  void ReadPhrase(const rapidjson::Value& value, Conditions* out) {
    if (!Object(value, "phrase")) return;
    for (const auto& member : value.GetObject()) {
      const std::string name = StringOf(member.name);
      const std::string field = absl::StrCat("phrase.", name);
      if (name == "original_filename") {
        out->phrase_filename = FullText(member.value, field);
      } else if (name == "detected_mime_type") {
        out->phrase_mime = FullText(member.value, field);
      } else if (name == "metadata") {
        out->phrase_metadata = FullText(member.value, field);
      } else {
        errors_->Add(field, "Unknown field.");
      }
    }
  }

  void ReadExact(const rapidjson::Value& value, Conditions* out) {
    if (!Object(value, "exact")) return;
    for (const auto& member : value.GetObject()) {
      const std::string name = StringOf(member.name);
      const std::string field = absl::StrCat("exact.", name);
      if (name == "uuid") {
        out->exact_uuids = Strings(member.value, field);
      } else if (name == "detected_mime_type") {
        out->exact_mimes = Strings(member.value, field);
      } else if (name == "original_filename") {
        out->exact_filenames = Strings(member.value, field);
      } else if (absl::StartsWith(name, "metadata[") &&
                 absl::EndsWith(name, "]") && name.size() > 10) {
        out->exact_metadata.emplace_back(name.substr(9, name.size() - 10),
                                         Strings(member.value, field));
      } else {
        errors_->Add(field, "Unknown field.");
      }
    }
    // A field may not be in both phrase and exact.
    if ((!out->phrase_filename.empty() && !out->exact_filenames.empty()) ||
        (!out->phrase_mime.empty() && !out->exact_mimes.empty()) ||
        (!out->phrase_metadata.empty() && !out->exact_metadata.empty())) {
      errors_->Add("exact",
                   "A field cannot be used in both `phrase` and `exact`.");
    }
  }

  std::optional<Bounds> ReadBounds(const rapidjson::Value& value,
                                   const std::string& field, bool dates) {
    if (!Object(value, field)) return std::nullopt;
    Bounds bounds;
    bool any = false;
    for (const auto& member : value.GetObject()) {
      const std::string name = StringOf(member.name);
      std::optional<int64_t>* bound = name == "gt"    ? &bounds.gt
                                      : name == "gte" ? &bounds.gte
                                      : name == "lt"  ? &bounds.lt
                                      : name == "lte" ? &bounds.lte
                                                      : nullptr;
      const std::string where = absl::StrCat(field, ".", name);
      if (bound == nullptr) {
        errors_->Add(where, "Unknown operator.");
        continue;
      }
      absl::Time time;
      std::string error;
      if (dates && member.value.IsString() &&
          absl::ParseTime(absl::RFC3339_full, StringOf(member.value), &time,
                          &error)) {
        *bound = absl::ToUnixMicros(time);
      } else if (!dates && member.value.IsInt64()) {
        *bound = member.value.GetInt64();
      } else {
        errors_->Add(where, dates ? "Expected an ISO 8601 date-time."
                                  : "A valid integer is required.");
        continue;
      }
      any = true;
    }
    if (!any) {
      errors_->Add(field, "Give at least one of gt, gte, lt, lte.");
      return std::nullopt;
    }
    return bounds;
  }

  void ReadTagConditions(const rapidjson::Value& value, Conditions* out) {
    if (!Object(value, "tags")) return;
    for (const auto& member : value.GetObject()) {
      const std::string name = StringOf(member.name);
      std::vector<std::string>* list = name == "any"    ? &out->tags_any
                                       : name == "all"  ? &out->tags_all
                                       : name == "none" ? &out->tags_none
                                                        : nullptr;
      const std::string field = absl::StrCat("tags.", name);
      if (list == nullptr) {
        errors_->Add(field, "Unknown field.");
        continue;
      }
      if (auto tags = ReadNormalizedTags(member.value, field, errors_)) {
        *list = std::move(*tags);
        out->has_tags = true;
      }
    }
  }

  void ReadSort(const rapidjson::Value& value, Conditions* out) {
    static constexpr absl::string_view kFields[] = {
        "score", "datetime_uploaded", "size", "original_filename"};
    if (!value.IsArray() || value.Empty() || value.Size() > 4) {
      errors_->Add("sort", "Expected a list of 1 to 4 sort keys.");
      return;
    }
    std::set<std::string> seen;
    for (const rapidjson::Value& item : value.GetArray()) {
      const std::string token = item.IsString() ? StringOf(item) : "";
      SortKey key;
      key.descending = absl::StartsWith(token, "-");
      key.field = key.descending ? token.substr(1) : token;
      if (std::find(std::begin(kFields), std::end(kFields), key.field) ==
              std::end(kFields) ||
          !seen.insert(key.field).second) {
        errors_->Add("sort", absl::StrCat("\"", key.field,
                                          "\" is not a valid sort key."));
        return;
      }
      out->sort.push_back(std::move(key));
    }
  }

  FieldErrors* errors_;
};

// Whether `term` (lowercased) occurs in `text`; with `fuzzy`, also with one
// substituted character.
bool Occurs(absl::string_view text, absl::string_view term, bool fuzzy) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (absl::StrContains(lower, term)) return true;
  if (!fuzzy || lower.size() < term.size()) return false;
  for (size_t start = 0; start + term.size() <= lower.size(); ++start) {
    int differences = 0;
    for (size_t i = 0; i < term.size() && differences <= 1; ++i) {
      if (lower[start + i] != term[i]) ++differences;
    }
    if (differences <= 1) return true;
  }
  return false;
}

// `text` with each (case-insensitive) occurrence of `term` wrapped in <em>;
// empty when there is none.
std::string Highlighted(absl::string_view text, absl::string_view term) {
  const std::string lowered = absl::AsciiStrToLower(text);
  const absl::string_view lower = lowered;
  std::string out;
  size_t done = 0;
  for (size_t at = lower.find(term); at != absl::string_view::npos;
       at = lower.find(term, at + term.size())) {
    absl::StrAppend(&out, text.substr(done, at - done), "<em>",
                    text.substr(at, term.size()), "</em>");
    done = at + term.size();
  }
  if (done == 0) return "";
  absl::StrAppend(&out, text.substr(done));
  return out;
}

struct Match {
  const v1::File* file;
  int score = 0;
  v1::SearchHighlight highlight;
};

template <typename List>
bool Has(const List& list, absl::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Full-text matching of one field: scores and highlights it.
class FullTextMatcher {
 public:
  FullTextMatcher(const v1::File& file, bool fuzzy, Match* match)
      : file_(file), fuzzy_(fuzzy), match_(match) {}

  bool Filename(absl::string_view term) {
    if (!Occurs(file_.original_filename(), term, fuzzy_)) return false;
    Note(Highlighted(file_.original_filename(), term),
         match_->highlight.mutable_original_filename());
    return true;
  }
  bool Mime(absl::string_view term) {
    if (!Occurs(file_.mime_type(), term, fuzzy_)) return false;
    Note(Highlighted(file_.mime_type(), term),
         match_->highlight.mutable_detected_mime_type());
    return true;
  }
  bool Metadata(absl::string_view term) {
    bool found = false;
    for (const auto& [key, value] : file_.metadata()) {
      if (!Occurs(value, term, fuzzy_)) continue;
      found = true;
      std::string marked = Highlighted(value, term);
      if (!marked.empty())
        (*match_->highlight.mutable_metadata())[key] = marked;
    }
    if (found) ++match_->score;
    return found;
  }

 private:
  void Note(std::string marked,
            google::protobuf::RepeatedPtrField<std::string>* fragments) {
    ++match_->score;
    if (!marked.empty() && !Has(*fragments, marked)) {
      *fragments->Add() = std::move(marked);
    }
  }

  const v1::File& file_;
  const bool fuzzy_;
  Match* match_;
};

int64_t UploadedMicros(const v1::File& file) {
  return file.datetime_uploaded().seconds() * 1000000 +
         file.datetime_uploaded().nanos() / 1000;
}

std::optional<Match> Matches(const v1::File& file, const Conditions& c) {
  if (file.has_datetime_removed()) return std::nullopt;
  Match match{&file, 0, {}};
  FullTextMatcher text(file, c.fuzziness, &match);
  if (!c.query.empty()) {
    // Every field is tried, for the score and the highlights.
    const bool filename = text.Filename(c.query);
    const bool mime = text.Mime(c.query);
    const bool metadata = text.Metadata(c.query);
    const bool uuid = absl::AsciiStrToLower(file.uuid()) == c.query;
    if (uuid) match.score += 10;  // a pasted UUID comes first
    if (!filename && !mime && !metadata && !uuid) return std::nullopt;
  }
  if (!c.phrase_filename.empty() && !text.Filename(c.phrase_filename)) {
    return std::nullopt;
  }
  if (!c.phrase_mime.empty() && !text.Mime(c.phrase_mime)) return std::nullopt;
  if (!c.phrase_metadata.empty() && !text.Metadata(c.phrase_metadata)) {
    return std::nullopt;
  }
  if ((!c.exact_uuids.empty() && !Has(c.exact_uuids, file.uuid())) ||
      (!c.exact_mimes.empty() && !Has(c.exact_mimes, file.mime_type())) ||
      (!c.exact_filenames.empty() &&
       !Has(c.exact_filenames, file.original_filename()))) {
    return std::nullopt;
  }
  for (const auto& [key, values] : c.exact_metadata) {
    auto found = file.metadata().find(key);
    if (found == file.metadata().end() || !Has(values, found->second)) {
      return std::nullopt;
    }
  }
  if (c.uploaded && !c.uploaded->Contains(UploadedMicros(file))) {
    return std::nullopt;
  }
  if (c.size && !c.size->Contains(file.size())) return std::nullopt;
  if (c.is_image && (file.has_is_image() && file.is_image()) != *c.is_image) {
    return std::nullopt;
  }
  if (!c.tags_any.empty() && std::none_of(c.tags_any.begin(), c.tags_any.end(),
                                          [&](const std::string& tag) {
                                            return Has(file.tags(), tag);
                                          })) {
    return std::nullopt;
  }
  for (const std::string& tag : c.tags_all) {
    if (!Has(file.tags(), tag)) return std::nullopt;
  }
  for (const std::string& tag : c.tags_none) {
    if (Has(file.tags(), tag)) return std::nullopt;
  }
  return match;
}

// Negative when `a` comes before `b` under `key` (ascending).
int Compare(const Match& a, const Match& b, absl::string_view field) {
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (field == "score") return three_way(a.score, b.score);
  if (field == "size") return three_way(a.file->size(), b.file->size());
  if (field == "original_filename") {
    return three_way(a.file->original_filename(), b.file->original_filename());
  }
  return three_way(UploadedMicros(*a.file), UploadedMicros(*b.file));
}

void Sort(std::vector<Match>& matches, std::vector<SortKey> keys) {
  // No sort: relevance; ties (and every filter-only search) newest first.
  if (keys.empty()) keys.push_back({"score", true});
  keys.push_back({"datetime_uploaded", true});
  std::stable_sort(matches.begin(), matches.end(),
                   [&](const Match& a, const Match& b) {
                     for (const SortKey& key : keys) {
                       int order = Compare(a, b, key.field);
                       if (key.descending) order = -order;
                       if (order != 0) return order < 0;
                     }
                     return false;
                   });
}

// limit and offset from the query; nullopt when refused (in `errors`).
std::optional<std::pair<int64_t, int64_t>> ReadPage(const ApiRequest& request,
                                                    FieldErrors* errors) {
  int64_t limit = kDefaultLimit;
  int64_t offset = 0;
  if (const std::string* text = request.Query("limit")) {
    if (!absl::SimpleAtoi(*text, &limit) || limit < 1 || limit > kMaxLimit) {
      errors->Add("limit", "Ensure this value is between 1 and 100.");
      return std::nullopt;
    }
  }
  if (const std::string* text = request.Query("offset")) {
    if (!absl::SimpleAtoi(*text, &offset) || offset < 0) {
      errors->Add("offset", "A valid non-negative integer is required.");
      return std::nullopt;
    }
  }
  if (offset + limit >= kMaxResults) {
    errors->Add("offset",
                "The sum of offset and limit must be less than 1000.");
    return std::nullopt;
  }
  return std::make_pair(limit, offset);
}

std::string PageUrl(const ApiRequest& request, int64_t limit, int64_t offset,
                    bool include_appdata) {
  return absl::StrCat(request.public_base_url, "/files/search/?limit=", limit,
                      "&offset=", offset,
                      include_appdata ? "&include=appdata" : "");
}

ApiResponse Search(const ApiRequest& request) {
  if (request.version == ApiVersion::kV06) {
    return DetailError(404, "Not found.");
  }
  FieldErrors errors;
  std::optional<std::pair<int64_t, int64_t>> page = ReadPage(request, &errors);
  const std::string* include = request.Query("include");
  const bool include_appdata = include != nullptr && *include == "appdata";
  rapidjson::Document body;
  if (auto error = ParseRequestBody(request, &body)) return *error;
  if (!body.IsObject()) {
    return FieldErrors("non_field_errors", "Expected an object.").ToResponse();
  }
  Conditions conditions;
  ConditionReader(&errors).Read(body, &conditions);
  if (errors.empty() && conditions.Empty()) {
    errors.Add("non_field_errors",
               "At least one search condition is required.");
  }
  if (!errors.empty() || !page) return errors.ToResponse();
  const auto [limit, offset] = *page;

  std::vector<v1::File> files = request.project->files.All();
  std::vector<Match> matches;
  for (const v1::File& file : files) {
    if (std::optional<Match> match = Matches(file, conditions)) {
      matches.push_back(std::move(*match));
    }
  }
  Sort(matches, conditions.sort);
  const int64_t total = static_cast<int64_t>(matches.size());
  google::protobuf::RepeatedPtrField<v1::File> results;
  google::protobuf::RepeatedPtrField<v1::SearchHighlight> highlights;
  for (int64_t i = offset; i < std::min(total, offset + limit); ++i) {
    *results.Add() = *matches[i].file;
    *highlights.Add() = std::move(matches[i].highlight);
  }
  restapi::SearchPageOptions options;
  options.per_page = limit;
  options.include_appdata = include_appdata;
  const int64_t next_offset = offset + limit;
  if (next_offset < total && next_offset + 1 < kMaxResults) {
    options.next =
        PageUrl(request, std::min(limit, kMaxResults - 1 - next_offset),
                next_offset, include_appdata);
  }
  if (offset > 0) {
    options.previous = PageUrl(
        request, limit, std::max<int64_t>(0, offset - limit), include_appdata);
  }
  std::string answer;
  restapi::AppendFileSearchPage(results, highlights, total, options, &answer);
  return JsonResponse(200, std::move(answer));
}

}  // namespace

void RegisterSearchRoutes(Router& router) {
  router.Add("POST", "/files/search/", Search);
}

}  // namespace ucgate::emulator
