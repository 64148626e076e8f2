#include "service/restapi/json_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "service/common/idle_pool.h"

namespace ucgate::restapi::internal {
namespace {

bool NumberFromText(std::string_view text, Number* out) {
  if (absl::SimpleAtoi(ToAbsl(text), &out->integer)) {
    out->is_integer = true;
    return true;
  }
  out->is_integer = false;
  return absl::SimpleAtod(ToAbsl(text), &out->real) && std::isfinite(out->real);
}

}  // namespace

bool ReadNonNumberToken(od::value& value, simdjson::error_code error,
                        Number* out, bool* present, ErrorTrail& trail) {
  *present = false;
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

bool RoundToInteger(double real, int64_t min, int64_t max, int64_t* out,
                    ErrorTrail& trail) {
  const double rounded = std::nearbyint(real);
  // 2^63 is exactly representable; anything at or past it overflows.
  if (!(rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0)) {
    return trail.Fail("number out of range");
  }
  *out = static_cast<int64_t>(rounded);
  if (*out < min || *out > max) return trail.Fail("number out of range");
  return true;
}

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

// After a typed getter failed with `error`: a null is consumed and reported
// as absent (true, *is_null set); a value of the wanted type is malformed;
// anything else is the wrong type.
bool AfterGetterFailed(od::value& value, simdjson::error_code error,
                       od::json_type wanted, absl::string_view expected,
                       bool* is_null, ErrorTrail& trail) {
  *is_null = false;
  od::json_type type{};
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) {
    *is_null = true;
    return TakeNull(value, trail);
  }
  if (type == wanted) return trail.Malformed(error);
  return trail.Fail(expected);
}

bool ReadStringMap(od::value& value,
                   google::protobuf::Map<std::string, std::string>* map,
                   ErrorTrail& trail) {
  od::json_type type{};
  if (!TypeOf(value, &type, trail)) return false;
  if (type == od::json_type::null) return TakeNull(value, trail);
  return ForEachUnescapedField(
      value, trail, [&](std::string_view key, od::value& field_value) {
        bool is_null = false;
        if (!TakeIfNull(field_value, &is_null, trail)) return false;
        return is_null || ReadString(field_value, &(*map)[key], trail);
      });
}

namespace {

// Idle parsers, about one per core, none larger than kMaxIdleParserCapacity
// (one huge answer must not pin its buffers).
constexpr std::size_t kMaxIdleParserCapacity = 8 << 20;

IdlePool<std::unique_ptr<od::parser>>& Parsers() {
  static auto* const pool = new IdlePool<std::unique_ptr<od::parser>>(
      std::max<std::size_t>(2, std::thread::hardware_concurrency()));
  return *pool;
}

}  // namespace

ParserLease::ParserLease() {
  std::optional<std::unique_ptr<od::parser>> idle = Parsers().Take();
  parser_ = idle ? *std::move(idle) : std::make_unique<od::parser>();
}

ParserLease::~ParserLease() {
  if (parser_->capacity() > kMaxIdleParserCapacity) return;
  Parsers().Give(std::move(parser_));
}

bool IterateBody(const std::string& body, simdjson::padded_string& copy,
                 ParserLease& lease, od::document& document,
                 od::json_type* type, ErrorTrail& trail) {
  simdjson::padded_string_view view;
  if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
    view =
        simdjson::padded_string_view(body.data(), body.size(), body.capacity());
  } else {
    copy = simdjson::padded_string(body);
    view = copy;
  }
  simdjson::error_code error = lease.parser().iterate(view).get(document);
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

}  // namespace ucgate::restapi::internal
