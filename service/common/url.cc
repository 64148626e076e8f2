#include "service/common/url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ucgate {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// The one decoding loop: false on a malformed escape when strict.
bool PercentDecodeInto(absl::string_view text, bool plus_as_space, bool strict,
                       std::string* out) {
  out->reserve(out->size() + text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int high = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high >= 0 && low >= 0) {
        out->push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
      if (strict) return false;
    }
    out->push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return true;
}

absl::StatusOr<std::string> UrlDecode(absl::string_view text) {
  std::string out;
  if (!PercentDecodeInto(text, /*plus_as_space=*/true, /*strict=*/true, &out)) {
    return absl::InvalidArgumentError("malformed percent-escape");
  }
  return out;
}

std::string UrlDecodeLenient(absl::string_view text, bool plus_as_space) {
  std::string out;
  PercentDecodeInto(text, plus_as_space, /*strict=*/false, &out);
  return out;
}

absl::StatusOr<QueryParams> ParseQueryOfUrl(absl::string_view url) {
  QueryParams params;
  size_t question = url.find('?');
  if (question == absl::string_view::npos) return params;
  absl::string_view query = url.substr(question + 1);
  if (size_t hash = query.find('#'); hash != absl::string_view::npos) {
    query = query.substr(0, hash);
  }
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> key = UrlDecode(kv.first);
    absl::StatusOr<std::string> value = UrlDecode(kv.second);
    if (!key.ok()) return key.status();
    if (!value.ok()) return value.status();
    params.emplace_back(*std::move(key), *std::move(value));
  }
  return params;
}

std::string WithQuery(std::string path, const QueryParams& params) {
  char separator = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : params) {
    absl::StrAppend(&path, absl::string_view(&separator, 1), UrlEncode(key),
                    "=", UrlEncode(value));
    separator = '&';
  }
  return path;
}

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url) {
  BaseUrl base;
  absl::string_view rest;
  if (absl::StartsWith(url, "https://")) {
    base.https = true;
    rest = url.substr(8);
  } else if (absl::StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("URL must start with http:// or https://: '", url, "'"));
  }
  size_t slash = rest.find('/');
  absl::string_view host = rest.substr(0, slash);
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("URL has no host: '", url, "'"));
  }
  if (rest.find_first_of("?#") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("base URL must have no query: '", url, "'"));
  }
  base.origin = absl::StrCat(base.https ? "https://" : "http://", host);
  if (slash != absl::string_view::npos) {
    absl::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    base.path_prefix = std::string(path);
  }
  return base;
}

}  // namespace ucgate
