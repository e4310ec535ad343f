#pragma once
// The small HTML page the loopback listener answers the browser's redirect with. Self-contained
// (inline style, no external resources, nothing that runs), UTF-8, and everything that is not a
// constant is HTML-escaped: nothing from the redirect's query string reaches the page raw.

#include <string>
#include <string_view>

namespace bqb::oauth {

/// @returns `text` with & < > " ' escaped and invalid UTF-8 or control characters (other than
/// tab and newline) replaced by U+FFFD, safe in element content and quoted attributes.
std::string html_escape(std::string_view text);

/// @returns the page for a completed login: "Signed in as EMAIL — you can close this window".
std::string login_success_page(std::string_view email);

/// @returns the page for a failed login, showing `message` (and `hint` when not empty).
std::string login_failure_page(std::string_view message, std::string_view hint = {});

}  // namespace bqb::oauth
