#include "service/upstream/json/json_reader.h"

#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"

namespace ucgate::json::internal {
namespace {

// A number as the upstream sends it: an integer, a float, or either one
// inside a string ("channels": "2").
struct Number {
  bool is_integer = false;
  int64_t integer = 0;
  double real = 0;
};

bool NumberFromText(std::string_view text, Number* out) {
  if (absl::SimpleAtoi(ToAbsl(text), &out->integer)) {
    out->is_integer = true;
    return true;
  }
  out->is_integer = false;
  return absl::SimpleAtod(ToAbsl(text), &out->real) && std::isfinite(out->real);
}

bool ReadNumber(od::value& value, Number* out, bool* present,
                ErrorTrail& trail) {
  od::number number;
  if (auto error = value.get_number().get(number)) {
    *present = false;
    // Not a number token: null, a number in a string, or the wrong type.
    std::string_view text;
    if (!value.get_string().get(text)) {
      if (!NumberFromText(text, out)) return trail.Fail("expected a number");
      *present = true;
      return true;
    }
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::number,
                             "expected a number", &is_null, trail);
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

// Integers within [min, max]; integral floats are exact, other floats round
// to the nearest integer (the field is an integer whatever the sender did).
bool ReadInteger(od::value& value, int64_t min, int64_t max, int64_t* out,
                 bool* present, ErrorTrail& trail) {
  Number number;
  if (!ReadNumber(value, &number, present, trail)) return false;
  if (!*present) return true;
  if (number.is_integer) {
    *out = number.integer;
  } else {
    const double rounded = std::nearbyint(number.real);
    // 2^63 is exactly representable; anything at or past it overflows.
    if (!(rounded >= -9223372036854775808.0 &&
          rounded < 9223372036854775808.0)) {
      return trail.Fail("number out of range");
    }
    *out = static_cast<int64_t>(rounded);
  }
  if (*out < min || *out > max) return trail.Fail("number out of range");
  return true;
}

}  // namespace

// Stage 1 guarantees the closing quote, so the scan stays in bounds.
bool PlainKey(od::field& field, std::string_view* key) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') {
    if (*end == '\\') return false;
    ++end;
  }
  *key = std::string_view(begin, static_cast<size_t>(end - begin));
  return true;
}

bool TypeOf(od::value& value, od::json_type* type, ErrorTrail& trail) {
  if (auto error = value.type().get(*type)) return trail.Malformed(error);
  return true;
}

// Consumes a null, checking it really is the literal (type() only peeks at
// the first character).
bool TakeNull(od::value& value, ErrorTrail& trail) {
  bool is_null = false;
  if (auto error = value.is_null().get(is_null)) return trail.Malformed(error);
  if (!is_null) return trail.Fail("malformed JSON (invalid literal)");
  return true;
}

bool GetObject(od::value& value, od::object* object, ErrorTrail& trail) {
  if (auto error = value.get_object().get(*object)) {
    return trail.Expected("an object", error);
  }
  return true;
}

bool GetArray(od::value& value, od::array* array, ErrorTrail& trail) {
  if (auto error = value.get_array().get(*array)) {
    return trail.Expected("an array", error);
  }
  return true;
}

bool NextField(simdjson::simdjson_result<od::field>& result, od::field* field,
               ErrorTrail& trail) {
  if (auto error = std::move(result).get(*field)) {
    return trail.Malformed(error);
  }
  return true;
}

// Consumes the value when it is null; callers then leave their field unset.
bool TakeIfNull(od::value& value, bool* is_null, ErrorTrail& trail) {
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  *is_null = type == od::json_type::null;
  return *is_null ? TakeNull(value, trail) : true;
}

// After a typed getter failed with `error`: a null is consumed and reported
// as absent (true, *is_null set); a value of the wanted type is malformed;
// anything else is the wrong type.
bool AfterGetterFailed(od::value& value, simdjson::error_code error,
                       od::json_type wanted, absl::string_view expected,
                       bool* is_null, ErrorTrail& trail) {
  *is_null = false;
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) {
    *is_null = true;
    return TakeNull(value, trail);
  }
  if (type == wanted) return trail.Malformed(error);
  return trail.Fail(expected);
}

// Null leaves `out` untouched (fields start cleared).
bool ReadString(od::value& value, std::string* out, ErrorTrail& trail) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) {
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::string,
                             "expected a string", &is_null, trail);
  }
  out->assign(text.data(), text.size());
  return true;
}

bool ReadBool(od::value& value, bool* out, bool* present, ErrorTrail& trail) {
  if (auto error = value.get_bool().get(*out)) {
    *present = false;
    bool is_null;
    return AfterGetterFailed(value, error, od::json_type::boolean,
                             "expected a boolean", &is_null, trail);
  }
  *present = true;
  return true;
}

bool ReadInt64(od::value& value, int64_t* out, bool* present,
               ErrorTrail& trail) {
  return ReadInteger(value, std::numeric_limits<int64_t>::min(),
                     std::numeric_limits<int64_t>::max(), out, present, trail);
}

bool ReadInt32(od::value& value, int32_t* out, bool* present,
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

bool ReadDouble(od::value& value, double* out, bool* present,
                ErrorTrail& trail) {
  Number number;
  if (!ReadNumber(value, &number, present, trail)) return false;
  if (*present) {
    *out =
        number.is_integer ? static_cast<double>(number.integer) : number.real;
  }
  return true;
}

bool ReadStringMap(od::value& value,
                   google::protobuf::Map<std::string, std::string>* map,
                   ErrorTrail& trail) {
  od::json_type type;
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) return TakeNull(value, trail);
  od::object object;
  if (!GetObject(value, &object, trail)) return false;
  for (auto result : object) {
    od::field field;
    if (!NextField(result, &field, trail)) return false;
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      return trail.Malformed(error);
    }
    bool is_null = false;
    if (!TakeIfNull(field.value(), &is_null, trail) ||
        (!is_null && !ReadString(field.value(), &(*map)[key], trail))) {
      return trail.InKey(key);
    }
  }
  return true;
}

od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

// Starts iterating `body` (in place when its spare capacity allows, else in
// `copy`) and sets `type` to its root's type; rejects empty bodies.
bool IterateBody(const std::string& body, simdjson::padded_string& copy,
                 od::document& document, od::json_type* type,
                 ErrorTrail& trail) {
  simdjson::padded_string_view view;
  if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
    view =
        simdjson::padded_string_view(body.data(), body.size(), body.capacity());
  } else {
    copy = simdjson::padded_string(body);
    view = copy;
  }
  simdjson::error_code error = ThreadParser().iterate(view).get(document);
  if (!error) error = document.type().get(*type);
  if (error == simdjson::EMPTY) return trail.Fail("empty body");
  if (error) return trail.Malformed(error);
  return true;
}

// Anything after the root value (a second document, stray characters).
bool AtEndOfDocument(od::document& document, ErrorTrail& trail) {
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return trail.Fail("malformed JSON (trailing content after the root)");
  }
  return true;
}

}  // namespace ucgate::json::internal
