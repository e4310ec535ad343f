#pragma once
// Query strings and application/x-www-form-urlencoded bodies, decoded with Boost.URL.

#include <map>
#include <string>
#include <string_view>

#include "fakes/oauth/oauth_error.h"

namespace bqb::fakes {

/// Decoded parameters by name. Google refuses a repeated parameter, so a name maps to one value.
using Params = std::map<std::string, std::string, std::less<>>;

/// @returns the decoded parameters of `text` (a query without '?', or a form body), with '+' read
/// as a space. Text that is not a valid query, or a parameter given twice, is invalid_request
/// naming the parameter and `where` (e.g. "the token request body").
OAuthResult<Params> parse_params(std::string_view text, std::string_view where);

/// @returns the value of `name`, or "" when absent (Google treats an empty value as missing).
std::string_view param(const Params& params, std::string_view name);

/// The parts of an origin-form request target.
struct Target {
  std::string path;   // decoded path
  std::string query;  // encoded query without '?', empty when none
};
/// @returns the path and query of `target`, or invalid_request when it is not origin-form.
OAuthResult<Target> split_target(std::string_view target);

/// @returns whether `content_type` names application/x-www-form-urlencoded (parameters such as
/// "; charset=UTF-8" allowed, case-insensitive).
bool is_form_content_type(std::string_view content_type);

}  // namespace bqb::fakes
