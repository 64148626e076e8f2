// Request bodies as the service's parsers accept them: JSON, or (for
// robustness) application/x-www-form-urlencoded, read as an object of strings.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "rapidjson/document.h"
#include "service/emulator/api_types.h"

namespace ucgate::emulator {

// Parses `request.body` into `doc`. An empty body reads as an empty object.
// Returns the 400 answer ({"detail": "JSON parse error - ..."}) when the body
// is not valid JSON.
std::optional<ApiResponse> ParseRequestBody(const ApiRequest& request,
                                            rapidjson::Document* doc);

// The JSON text of a value (for keys of `problems` that are not strings);
// values nested deeper than 16 levels read "[...]" or "{...}".
std::string JsonText(const rapidjson::Value& value);

}  // namespace ucgate::emulator
