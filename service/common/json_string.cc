#include "service/common/json_string.h"

#include <cstdint>

namespace ucgate {
namespace {

// How the UTF-8 at the start of `text` reads: a well-formed sequence of
// `length` bytes, or the maximal ill-formed subpart (Unicode 3.9, U+FFFD
// substitution), also `length` bytes, at least one.
struct Utf8Prefix {
  size_t length;
  bool well_formed;
};

Utf8Prefix ReadUtf8Prefix(absl::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return {1, true};
  // The sequence length and the range of the second byte (Table 3-7): the
  // narrow ranges exclude overlong forms, surrogates and > U+10FFFF.
  size_t length = 0;
  uint8_t second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return {1, false};
  }
  for (size_t i = 1; i < length; ++i) {
    if (i >= text.size()) return {i, false};
    const uint8_t min = i == 1 ? second_min : 0x80;
    const uint8_t max = i == 1 ? second_max : 0xBF;
    if (byte(i) < min || byte(i) > max) return {i, false};
  }
  return {length, true};
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  // Bytes that need no escaping are copied in runs.
  size_t run_start = 0;
  size_t i = 0;
  const auto end_run = [&](size_t skipped) {
    out->append(text.data() + run_start, i - run_start);
    i += skipped;
    run_start = i;
  };
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const Utf8Prefix prefix = ReadUtf8Prefix(text.substr(i));
      if (prefix.well_formed) {
        i += prefix.length;
      } else {
        end_run(prefix.length);
        out->append("\\ufffd");
      }
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    end_run(1);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        const char escape[] = {'\\', 'u',          '0',
                               '0',  kHex[c >> 4], kHex[c & 0xf]};
        out->append(escape, sizeof(escape));
      }
    }
  }
  end_run(0);
  out->push_back('"');
}

}  // namespace ucgate
