#pragma once
// JSON serialised for the wire, a file or a terminal without ever throwing: a string that is not
// valid UTF-8 (a percent-decoded %FF in a request path, a byte from a terminal argument) has each
// invalid byte replaced by U+FFFD instead of making nlohmann::json::dump() throw type_error 316.
// Every dump of data that came from outside goes through here.

#include <string>

#include <nlohmann/json.hpp>

namespace bqb {

/// @returns `j` as compact JSON (`indent` < 0) or pretty-printed with `indent` spaces.
std::string json_text(const nlohmann::json& j, int indent = -1);
std::string json_text(const nlohmann::ordered_json& j, int indent = -1);

}  // namespace bqb
