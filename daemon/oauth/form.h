#pragma once
// Percent-encoding of OAuth parameters with Boost.URL, strictly: every character outside RFC 3986
// "unreserved" is escaped. Boost.URL 1.81's params().append() leaves '+' unescaped, which a
// form or query decoder reads back as a space; encoding with the unreserved charset avoids that.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/url/url.hpp>

namespace bqb::oauth {

using FormFields = std::vector<std::pair<std::string_view, std::string_view>>;

/// @returns `fields` as an application/x-www-form-urlencoded body ("a=1&b=x+y", space as '+').
std::string form_urlencode(const FormFields& fields);

/// Appends `fields` to `url`'s query (space as "%20").
void append_query(boost::urls::url& url, const FormFields& fields);

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

}  // namespace bqb::oauth
