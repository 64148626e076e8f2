// The building blocks of every upstream JSON parser (files, groups, project,
// webhooks, ...): simdjson On-Demand readers that record the JSON path of the
// first failure in an ErrorTrail, and ParseDocument, which turns that trail
// into an INTERNAL status. Internal to ucgate_restapi.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/common/status.h"
#include "service/restapi/json_time.h"
#include "uploadcare/gateway/v1/file.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"

namespace ucgate::restapi::internal {

namespace od = simdjson::ondemand;
namespace v1 = ::uploadcare::gateway::v1;

inline absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// ErrorInfo reason of an upstream answer the parsers cannot read.
inline constexpr char kMalformedAnswerReason[] = "UPSTREAM_MALFORMED_ANSWER";

// The first failure and its JSON path. Path segments are pushed innermost
// first by each level as it returns false.
// Its methods are the failure path: cold and never inlined into the readers.
class ErrorTrail {
 public:
  ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE bool Fail(
      absl::string_view message) {
    message_.assign(message.data(), message.size());
    return false;
  }
  ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE bool Malformed(
      simdjson::error_code error) {
    return Fail(
        absl::StrCat("malformed JSON (", simdjson::error_message(error), ")"));
  }
  // Types the common "expected X" failure: a simdjson INCORRECT_TYPE means the
  // JSON is well formed but holds something else.
  ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE bool Expected(
      absl::string_view what, simdjson::error_code error) {
    if (error == simdjson::INCORRECT_TYPE) {
      return Fail(absl::StrCat("expected ", what));
    }
    return Malformed(error);
  }
  ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE bool InKey(std::string_view key) {
    segments_.push_back(std::string(key));
    return false;
  }
  ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE bool AtIndex(size_t index) {
    segments_.push_back(absl::StrCat("[", index, "]"));
    return false;
  }

  absl::Status ToStatus() const {
    std::string path;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
      if (!path.empty() && (*it)[0] != '[') path.push_back('.');
      path.append(*it);
    }
    // ErrorInfo names the path too, for callers that match on details.
    if (path.empty()) {
      return WithErrorInfo(
          absl::InternalError(absl::StrCat("upstream JSON: ", message_)),
          kMalformedAnswerReason, {{"json_path", "$"}});
    }
    return WithErrorInfo(absl::InternalError(absl::StrCat(
                             "upstream JSON: ", path, ": ", message_)),
                         kMalformedAnswerReason,
                         {{"json_path", absl::StrCat("$.", path)}});
  }

 private:
  std::string message_;
  std::vector<std::string> segments_;
};

// Field names of one object type, listed in the order the service writes
// them: lookups start after the previous match, so a body in the usual
// order costs one comparison per field; any other order still works.
// Every name must be shorter than SIMDJSON_PADDING (see Find).
template <typename Id, size_t N>
class KeyTable {
 public:
  using IdType = Id;
  using Entry = std::pair<std::string_view, Id>;
  explicit constexpr KeyTable(std::array<Entry, N> entries)
      : entries_(entries) {}

  // The id of `key`, compared as written in the input: a key equals a name
  // when its raw bytes are the name followed by the closing quote, so keys
  // with escapes never match (no name has any) and are skipped as unknown.
  // `cursor` carries the position from one lookup to the next; `name` is set
  // to the matching name (for error paths).
  Id Find(const od::raw_json_string& key, size_t* cursor,
          std::string_view* name) const {
    size_t index = *cursor;
    for (size_t tried = 0; tried < N; ++tried) {
      if (index >= N) index = 0;
      // Names are far shorter than the padding, so reading name.size() + 1
      // bytes stays within the buffer even for a shorter key.
      if (key.unsafe_is_equal(entries_[index].first)) {
        *cursor = index + 1;
        *name = entries_[index].first;
        return entries_[index].second;
      }
      ++index;
    }
    return Id::kUnknown;
  }

 private:
  std::array<Entry, N> entries_;
};

// The key as written, without unescaping: every key the API defines is plain
// ASCII, so a key with escapes matches nothing and is skipped as unknown.
bool PlainKey(od::field& field, std::string_view* key);
// After a typed getter failed with `error`: a null is consumed and reported
// as absent (true, *is_null set); a value of the wanted type is malformed;
// anything else is the wrong type.
bool AfterGetterFailed(od::value& value, simdjson::error_code error,
                       od::json_type wanted, absl::string_view expected,
                       bool* is_null, ErrorTrail& trail);

// The readers below run once or more per field of every file: they are
// inline, with their failure paths (ErrorTrail, AfterGetterFailed) out of
// line, so the common path is a few instructions in the caller.

inline bool TypeOf(od::value& value, od::json_type* type, ErrorTrail& trail) {
  if (auto error = value.type().get(*type)) {
    return trail.Malformed(error);
  }
  return true;
}

// Consumes a null, checking it really is the literal (type() only peeks at
// the first character).
inline bool TakeNull(od::value& value, ErrorTrail& trail) {
  bool is_null = false;
  if (auto error = value.is_null().get(is_null)) {
    return trail.Malformed(error);
  }
  if (ABSL_PREDICT_FALSE(!is_null)) {
    return trail.Fail("malformed JSON (invalid literal)");
  }
  return true;
}

inline bool GetObject(od::value& value, od::object* object, ErrorTrail& trail) {
  if (auto error = value.get_object().get(*object)) {
    return trail.Expected("an object", error);
  }
  return true;
}

inline bool GetArray(od::value& value, od::array* array, ErrorTrail& trail) {
  if (auto error = value.get_array().get(*array)) {
    return trail.Expected("an array", error);
  }
  return true;
}

inline bool NextField(simdjson::simdjson_result<od::field>& result,
                      od::field* field, ErrorTrail& trail) {
  if (auto error = std::move(result).get(*field)) {
    return trail.Malformed(error);
  }
  return true;
}

// Consumes the value when it is null; callers then leave their field unset.
inline bool TakeIfNull(od::value& value, bool* is_null, ErrorTrail& trail) {
  od::json_type
      type{};  // set by TypeOf (initialised for -Wmaybe-uninitialized)
  if (!TypeOf(value, &type, trail)) return false;
  *is_null = type == od::json_type::null;
  return *is_null ? TakeNull(value, trail) : true;
}

// Null leaves `out` untouched (fields start cleared).
inline bool ReadString(od::value& value, std::string* out, ErrorTrail& trail) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::string,
                             "expected a string", &is_null, trail);
  }
  out->assign(text.data(), text.size());
  return true;
}

// A listing's `next` (empty when null), passed on to `on_next_url` (may be
// empty) at once: see restapi::NextUrlListener.
inline bool ReadNextUrl(
    od::value& value, std::string* next_url,
    const std::function<void(const std::string&)>& on_next_url,
    ErrorTrail& trail) {
  if (!ReadString(value, next_url, trail)) return false;
  if (on_next_url) on_next_url(*next_url);
  return true;
}

// `present` is false for null.
inline bool ReadBool(od::value& value, bool* out, bool* present,
                     ErrorTrail& trail) {
  if (auto error = value.get_bool().get(*out)) {
    *present = false;
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::boolean,
                             "expected a boolean", &is_null, trail);
  }
  *present = true;
  return true;
}

// A number as the upstream sends it: an integer, a float, or either one
// inside a string ("channels": "2").
struct Number {
  bool is_integer = false;
  int64_t integer = 0;
  double real = 0;
};

// Anything but a number token: null, a number in a string, the wrong type.
bool ReadNonNumberToken(od::value& value, simdjson::error_code error,
                        Number* out, bool* present, ErrorTrail& trail);

inline bool ReadNumber(od::value& value, Number* out, bool* present,
                       ErrorTrail& trail) {
  od::number number;
  if (auto error = value.get_number().get(number)) {
    return ReadNonNumberToken(value, error, out, present, trail);
  }
  switch (number.get_number_type()) {
    case od::number_type::signed_integer:
      out->is_integer = true;
      out->integer = number.get_int64();
      break;
    case od::number_type::unsigned_integer:
      out->is_integer = false;
      out->real = static_cast<double>(number.get_uint64());
      break;
    case od::number_type::floating_point_number:
      out->is_integer = false;
      out->real = number.get_double();
      break;
  }
  *present = true;
  return true;
}

// A float read for an integer field: rounded, within [min, max].
bool RoundToInteger(double real, int64_t min, int64_t max, int64_t* out,
                    ErrorTrail& trail);

// Integers within [min, max]; integral floats are exact, other floats round
// to the nearest integer (the field is an integer whatever the sender did).
inline bool ReadInteger(od::value& value, int64_t min, int64_t max,
                        int64_t* out, bool* present, ErrorTrail& trail) {
  Number number;
  if (!ReadNumber(value, &number, present, trail)) return false;
  if (!*present) return true;
  if (!number.is_integer) {
    return RoundToInteger(number.real, min, max, out, trail);
  }
  *out = number.integer;
  if (ABSL_PREDICT_FALSE(*out < min || *out > max)) {
    return trail.Fail("number out of range");
  }
  return true;
}

// Numbers as the upstream sends them: integers, floats, or either one inside
// a string ("channels": "2"); integral results round floats.
inline bool ReadInt64(od::value& value, int64_t* out, bool* present,
                      ErrorTrail& trail) {
  return ReadInteger(value, std::numeric_limits<int64_t>::min(),
                     std::numeric_limits<int64_t>::max(), out, present, trail);
}

inline bool ReadInt32(od::value& value, int32_t* out, bool* present,
                      ErrorTrail& trail) {
  int64_t wide = 0;
  if (!ReadInteger(value, std::numeric_limits<int32_t>::min(),
                   std::numeric_limits<int32_t>::max(), &wide, present,
                   trail)) {
    return false;
  }
  *out = static_cast<int32_t>(wide);
  return true;
}

inline bool ReadDouble(od::value& value, double* out, bool* present,
                       ErrorTrail& trail) {
  Number number;
  if (!ReadNumber(value, &number, present, trail)) return false;
  if (*present) {
    *out =
        number.is_integer ? static_cast<double>(number.integer) : number.real;
  }
  return true;
}

// {"key": "value", ...}; null is an empty map, and a null value no entry.
bool ReadStringMap(od::value& value,
                   google::protobuf::Map<std::string, std::string>* map,
                   ErrorTrail& trail);

// `mutable_timestamp` is called only when the value is not null, so unset
// timestamps stay unset.
template <typename MutableTimestamp>
bool ReadTimestamp(od::value& value, MutableTimestamp mutable_timestamp,
                   ErrorTrail& trail) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::string,
                             "expected an ISO-8601 timestamp", &is_null, trail);
  }
  int64_t seconds;
  int32_t nanos;
  if (!ParseTimestamp(text, &seconds, &nanos)) {
    return trail.Fail("expected an ISO-8601 timestamp");
  }
  google::protobuf::Timestamp* timestamp = mutable_timestamp();
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(nanos);
  return true;
}

// Walks an object once, calling `parse_field(id, value)` for each key of
// `table` (others are skipped); a failing field adds its key to the path.
template <typename Table, typename ParseField>
bool ForEachField(od::value& value, const Table& table, ErrorTrail& trail,
                  ParseField parse_field) {
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  size_t cursor = 0;
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view name;
    const auto id = table.Find(field.key(), &cursor, &name);
    if (id == Table::IdType::kUnknown) continue;
    if (!parse_field(id, field.value())) return trail.InKey(name);
  }
  return true;
}

// Sub-messages are parsed in place: `mutable_message()` is called only for a
// non-null value, and a repeated key replaces the earlier one.
template <typename MutableMessage, typename ParseInto>
bool ReadMessage(od::value& value, MutableMessage mutable_message,
                 ErrorTrail& trail, ParseInto parse_into) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  auto* message = mutable_message();
  message->Clear();
  return parse_into(value, message);
}

// A simdjson parser borrowed for one document. Parsers keep buffers sized
// for the largest body they have parsed (about 2.5x a 0.9 MB page), so they
// are pooled rather than kept per thread: with dozens of worker threads,
// per-thread parsers made the gateway's memory grow with the length of a
// listing. At most about one parser per core is kept; steady-state parses
// still allocate nothing inside simdjson.
class ParserLease {
 public:
  ParserLease();
  ~ParserLease();
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;

  od::parser& parser() { return *parser_; }

 private:
  std::unique_ptr<od::parser> parser_;
};

// Starts iterating `body` (in place when its spare capacity allows, else in
// `copy`) with the leased parser and sets `type` to its root's type; rejects
// empty bodies. The document is valid while `lease` and `copy` live.
bool IterateBody(const std::string& body, simdjson::padded_string& copy,
                 ParserLease& lease, od::document& document,
                 od::json_type* type, ErrorTrail& trail);

// Anything after the root value (a second document, stray characters).
bool AtEndOfDocument(od::document& document, ErrorTrail& trail);

// Iterates `body` and hands the root value, which must be of `root_type`
// (an object or an array), to `read_root`; rejects empty bodies, other roots
// and trailing content.
template <typename ReadRoot>
absl::Status ParseDocument(const std::string& body, ReadRoot read_root,
                           od::json_type root_type = od::json_type::object) {
  ErrorTrail trail;
  simdjson::padded_string copy;
  ParserLease lease;
  od::document document;
  od::json_type type{};
  if (!IterateBody(body, copy, lease, document, &type, trail)) {
    return trail.ToStatus();
  }
  if (type != root_type) {
    trail.Fail(root_type == od::json_type::object
                   ? "expected an object at the root"
                   : "expected an array at the root");
    return trail.ToStatus();
  }
  od::value root;
  if (auto error = document.get_value().get(root)) {
    trail.Malformed(error);
    return trail.ToStatus();
  }
  if (!read_root(root, trail) || !AtEndOfDocument(document, trail)) {
    return trail.ToStatus();
  }
  return absl::OkStatus();
}

// How ForEachNamedField reads keys: the API's own objects compare keys
// as written and skip escaped ones (no key of theirs needs escaping); user
// data (metadata, appdata) keeps every key, unescaped.
enum class KeyReading { kPlainOnly, kUnescaped };

// {"key": ...}: calls `read_field(key, value)` for every field read.
template <KeyReading kKeys, typename ReadField>
bool ForEachNamedField(od::value& value, ErrorTrail& trail,
                       ReadField read_field) {
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view key;
    if constexpr (kKeys == KeyReading::kUnescaped) {
      if (auto error = field.unescaped_key().get(key)) {
        return trail.Malformed(error);
      }
    } else if (!PlainKey(field, &key)) {
      continue;
    }
    if (!read_field(key, field.value())) return trail.InKey(key);
  }
  return true;
}

// The fields of an object of the API (unknown keys are for `read_field` to
// ignore).
template <typename ReadField>
bool ForEachRootField(od::value& root, ErrorTrail& trail,
                      ReadField read_field) {
  return ForEachNamedField<KeyReading::kPlainOnly>(root, trail,
                                                   std::move(read_field));
}

// The same for an object the API may send as null (which reads as empty).
template <typename ReadField>
bool ForEachRootFieldUnlessNull(od::value& value, ErrorTrail& trail,
                                ReadField read_field) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  return ForEachRootField(value, trail, std::move(read_field));
}

// The fields of an object of user data.
template <typename ReadField>
bool ForEachUnescapedField(od::value& value, ErrorTrail& trail,
                           ReadField read_field) {
  return ForEachNamedField<KeyReading::kUnescaped>(value, trail,
                                                   std::move(read_field));
}

// Calls `read_item(item, index)` for each element of the array `value`; a
// failure inside is reported at the element's index.
template <typename ReadItem>
bool ForEachArrayItem(od::value& value, ErrorTrail& trail,
                      ReadItem&& read_item) {
  od::array array;
  if (!GetArray(value, &array, trail)) return false;
  size_t index = 0;
  for (auto element : array) {
    od::value item;
    if (auto error = element.get(item)) return trail.Malformed(error);
    if (!read_item(item, index)) return trail.AtIndex(index);
    ++index;
  }
  return true;
}

// The same, where a null in place of the array means no items.
template <typename ReadItem>
bool ForEachArrayItemOrNull(od::value& value, ErrorTrail& trail,
                            ReadItem&& read_item) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  return ForEachArrayItem(value, trail, read_item);
}

// Fails with "<key>: missing" when a required root key was not seen.
inline bool RequireKey(bool seen, std::string_view key, ErrorTrail& trail) {
  if (seen) return true;
  trail.Fail("missing");
  return trail.InKey(key);
}

// {"result": [...], "problems": {key: reason}} answers (batch store and
// delete, conversions): `read_items(value, items, trail)` reads "result".
// Both outputs are cleared on error.
template <typename Items, typename ReadItems>
absl::Status ParseResultAndProblems(
    const std::string& body, Items* items,
    google::protobuf::Map<std::string, std::string>* problems,
    ReadItems read_items) {
  items->Clear();
  problems->clear();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ForEachRootField(
            root, trail, [&](std::string_view key, od::value& value) {
              if (key == "result") return read_items(value, items, trail);
              if (key == "problems")
                return ReadStringMap(value, problems, trail);
              return true;
            });
      });
  if (!status.ok()) {
    items->Clear();
    problems->clear();
  }
  return status;
}

// ["a", "b"]; a null list or null item is skipped, like other nulls.
inline bool ReadStringListOrNull(
    od::value& value, google::protobuf::RepeatedPtrField<std::string>* items,
    ErrorTrail& trail) {
  return ForEachArrayItemOrNull(value, trail, [&](od::value& item, size_t) {
    bool item_is_null = false;
    return TakeIfNull(item, &item_is_null, trail) &&
           (item_is_null || ReadString(item, items->Add(), trail));
  });
}

// The file object, and an array of them (null: none). Defined with the file
// parsers (file_json_parser.cc). A search result's `highlight` is read into
// `highlight` when given, else skipped.
bool ReadFile(od::value& value, v1::File* file, ErrorTrail& trail,
              v1::SearchHighlight* highlight = nullptr);
bool ReadFileArray(od::value& value,
                   google::protobuf::RepeatedPtrField<v1::File>* files,
                   ErrorTrail& trail);

}  // namespace ucgate::restapi::internal
