#include "fakes/oauth/params.h"

#include <algorithm>
#include <cctype>

#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

namespace bqb::fakes {

OAuthResult<Params> parse_params(std::string_view text, std::string_view where) {
  Params out;
  if (text.empty()) return out;
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) {
    return oauth_fail(400, "invalid_request", std::string(where) + " is not a valid query string");
  }
  const boost::urls::encoding_opts plus_is_space(/*space_as_plus=*/true);
  for (auto p : *parsed) {
    std::string key = p.key.decode(plus_is_space);
    if (key.empty() && !p.has_value) continue;  // "a=1&&b=2"
    std::string value = p.has_value ? p.value.decode(plus_is_space) : std::string();
    if (!out.emplace(key, std::move(value)).second) {
      return oauth_fail(400, "invalid_request",
                        "parameter '" + key + "' appears more than once in " + std::string(where));
    }
  }
  return out;
}

std::string_view param(const Params& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

OAuthResult<Target> split_target(std::string_view target) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return oauth_fail(400, "invalid_request", "the request target is not origin-form");
  return Target{std::string(u->path()), std::string(u->encoded_query())};
}

bool is_form_content_type(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  return media.size() == kForm.size() &&
         std::equal(media.begin(), media.end(), kForm.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace bqb::fakes
