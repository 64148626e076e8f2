// Parsers of metadata_json.h, on the shared readers of json_reader.h.
#include <simdjson.h>

#include <string>
#include <string_view>

#include "service/restapi/json_reader.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::restapi {

using internal::AtEndOfDocument;
using internal::ErrorTrail;
using internal::ForEachRootField;
using internal::GetArray;
using internal::IterateBody;
using internal::ParseDocument;
using internal::ReadFileArray;
using internal::ReadInt64;
using internal::ReadString;
using internal::ReadStringMap;
using internal::TakeIfNull;
namespace od = simdjson::ondemand;

absl::Status ParseBareString(const std::string& body, std::string* value) {
  value->clear();
  ErrorTrail trail;
  simdjson::padded_string copy;
  internal::ParserLease lease;
  od::document document;
  od::json_type type{};
  std::string_view text;
  bool ok = IterateBody(body, copy, lease, document, &type, trail);
  if (ok && type != od::json_type::string) {
    ok = trail.Fail("expected a JSON string at the root");
  }
  if (ok) {
    if (auto error = document.get_string().get(text)) {
      ok = trail.Malformed(error);
    }
  }
  ok = ok && AtEndOfDocument(document, trail);
  if (!ok) return trail.ToStatus();
  value->assign(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status ParseStringObject(
    const std::string& body,
    google::protobuf::Map<std::string, std::string>* map) {
  map->clear();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ReadStringMap(root, map, trail);
      });
  if (!status.ok()) map->clear();
  return status;
}

namespace {

bool ReadStringArray(od::value& value,
                     google::protobuf::RepeatedPtrField<std::string>* items,
                     ErrorTrail& trail) {
  return ForEachArrayItem(value, trail, [&](od::value& item, size_t) {
    bool is_null = false;
    if (!TakeIfNull(item, &is_null, trail)) return false;
    if (is_null) return trail.Fail("expected a string");
    return ReadString(item, items->Add(), trail);
  });
}

}  // namespace

absl::Status ParseStringArray(
    const std::string& body,
    google::protobuf::RepeatedPtrField<std::string>* items) {
  items->Clear();
  absl::Status status = ParseDocument(
      body,
      [&](od::value& root, ErrorTrail& trail) {
        return ReadStringArray(root, items, trail);
      },
      od::json_type::array);
  if (!status.ok()) items->Clear();
  return status;
}

absl::Status ParseTagsAnswer(const std::string& body,
                             const TagsAnswer& answer) {
  auto clear = [&] {
    answer.tags->Clear();
    if (answer.added != nullptr) answer.added->Clear();
    if (answer.deleted != nullptr) answer.deleted->Clear();
  };
  clear();
  bool saw_tags = false;
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        if (!ForEachRootField(
                root, trail, [&](std::string_view key, od::value& value) {
                  if (key == "tags") {
                    saw_tags = true;
                    return ReadStringArray(value, answer.tags, trail);
                  }
                  if (key == "added" && answer.added != nullptr) {
                    return internal::ReadStringListOrNull(value, answer.added,
                                                          trail);
                  }
                  if (key == "deleted" && answer.deleted != nullptr) {
                    return internal::ReadStringListOrNull(value, answer.deleted,
                                                          trail);
                  }
                  return true;
                })) {
          return false;
        }
        return internal::RequireKey(saw_tags, "tags", trail);
      });
  if (!status.ok()) clear();
  return status;
}

absl::Status ParseFileSearchPage(const std::string& body,
                                 v1::SearchFilesResponse* page,
                                 bool* has_next) {
  page->clear_files();
  page->clear_highlights();
  page->clear_total_size();
  *has_next = false;
  bool saw_results = false;
  absl::Status status = ParseDocument(body, [&](od::value& root,
                                                ErrorTrail& trail) {
    if (!ForEachRootField(
            root, trail, [&](std::string_view key, od::value& value) {
              if (key == "results") {
                saw_results = true;
                return internal::ForEachArrayItemOrNull(
                    value, trail, [&](od::value& item, size_t) {
                      return internal::ReadFile(item, page->add_files(), trail,
                                                page->add_highlights());
                    });
              }
              if (key == "next") {
                std::string next;
                if (!ReadString(value, &next, trail)) return false;
                *has_next = !next.empty();
                return true;
              }
              if (key == "total") {
                int64_t total = 0;
                bool set = false;
                if (!ReadInt64(value, &total, &set, trail)) return false;
                page->set_total_size(total);
              }
              // `previous` (the gateway pages forward by token) and
              // `per_page` (the caller's page_size) carry nothing new.
              return true;
            })) {
      return false;
    }
    return internal::RequireKey(saw_results, "results", trail);
  });
  if (!status.ok()) {
    page->clear_files();
    page->clear_highlights();
    page->clear_total_size();
    *has_next = false;
  }
  return status;
}

}  // namespace ucgate::restapi
