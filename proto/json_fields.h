#pragma once
// Typed, non-throwing field access for JSON objects from outside (socket bodies, Google answers,
// files). Every error is invalid_json and names the field and `where` it came from, e.g.
// "field 'token_uri' in client_secrets.json is missing".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::json_fields {

/// @returns the parsed document, or invalid_json naming `where` and the parse position.
Result<nlohmann::json> parse(std::string_view text, std::string_view where);

/// @returns j[name] as a string; missing or not a string is an error.
Result<std::string> required_string(const nlohmann::json& j, std::string_view name,
                                    std::string_view where);
/// @returns j[name] as a string, nullopt when absent or null; another type is an error.
Result<std::optional<std::string>> optional_string(const nlohmann::json& j, std::string_view name,
                                                   std::string_view where);
/// @returns j[name] as an integer; a string of digits is accepted too (Google sends both).
Result<std::int64_t> required_int(const nlohmann::json& j, std::string_view name,
                                  std::string_view where);
Result<std::optional<std::int64_t>> optional_int(const nlohmann::json& j, std::string_view name,
                                                 std::string_view where);
Result<std::optional<bool>> optional_bool(const nlohmann::json& j, std::string_view name,
                                          std::string_view where);
/// @returns j[name] as a list of strings, empty when absent; anything else is an error.
Result<std::vector<std::string>> optional_string_list(const nlohmann::json& j,
                                                      std::string_view name,
                                                      std::string_view where);

}  // namespace bqb::json_fields
