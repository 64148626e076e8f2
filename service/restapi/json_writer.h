// The toolkit every writer of the wire format uses: restapi's answer writers
// (the emulator's bodies), the REST stubs' request bodies and the emulator's
// own answers. JsonWriter writes compact JSON (no spaces), value by value, and
// places the commas and colons itself; the caller says what comes in which
// order. The reading side is json_reader.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "service/common/json_string.h"

namespace ucgate::restapi {

// One escaper for every JSON string the gateway writes (see json_string.h).
using ::ucgate::AppendJsonString;

class JsonWriter {
 public:
  // Appends to `out`, which outlives the writer.
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  // An object member's name; its value comes next.
  JsonWriter& Key(absl::string_view name) {
    Separate();
    AppendJsonString(name, out_);
    out_->push_back(':');
    need_comma_ = false;
    return *this;
  }

  JsonWriter& String(absl::string_view text) {
    Separate();
    AppendJsonString(text, out_);
    return Wrote();
  }
  // null for an empty `text` (how the service writes unset strings).
  JsonWriter& StringOrNull(absl::string_view text) {
    return text.empty() ? Null() : String(text);
  }
  JsonWriter& Null() { return Raw("null"); }
  JsonWriter& Bool(bool value) { return Raw(value ? "true" : "false"); }
  JsonWriter& Int(int64_t value) {
    Separate();
    absl::StrAppend(out_, value);
    return Wrote();
  }
  // The shortest text that reads back as the same double (as Python's repr
  // writes it: 30.0 is "30"); JSON has no NaN or infinity, those are null.
  JsonWriter& Double(double value);
  // "2022-09-19T12:29:59.461061Z", as the service writes it.
  JsonWriter& Timestamp(const google::protobuf::Timestamp& timestamp);
  JsonWriter& TimestampOrNull(bool present,
                              const google::protobuf::Timestamp& timestamp) {
    return present ? Timestamp(timestamp) : Null();
  }
  // ["a","b"] in the given order.
  JsonWriter& StringArray(
      const google::protobuf::RepeatedPtrField<std::string>& items);
  // {"key":"value",...} with the keys sorted: protobuf maps iterate in no
  // stable order, and answers must not change from one call to the next.
  JsonWriter& StringObject(
      const google::protobuf::Map<std::string, std::string>& map);
  // A value already written as JSON.
  JsonWriter& Raw(absl::string_view json) {
    Separate();
    out_->append(json.data(), json.size());
    return Wrote();
  }

 private:
  void Separate() {
    if (need_comma_) out_->push_back(',');
  }
  JsonWriter& Wrote() {
    need_comma_ = true;
    return *this;
  }
  JsonWriter& Open(char bracket) {
    Separate();
    out_->push_back(bracket);
    need_comma_ = false;
    return *this;
  }
  JsonWriter& Close(char bracket) {
    out_->push_back(bracket);
    return Wrote();
  }

  std::string* const out_;
  // A value was written in the current object or array: the next member
  // needs a comma first.
  bool need_comma_ = false;
};

// The entries of a protobuf map sorted by key, for writers of maps of other
// values (maps iterate in no stable order).
template <typename Map>
std::vector<typename Map::const_pointer> SortedEntries(const Map& map) {
  std::vector<typename Map::const_pointer> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](auto a, auto b) { return a->first < b->first; });
  return entries;
}

}  // namespace ucgate::restapi
