#pragma once
// The interactive consent screen (ConsentMode::Kind::interactive): the HTML pages only, pure.
// Contract (browser tests rely on it): the page is titled "Sign in – bqbroker emulator" and holds
//   <form id="consent" method="post" action="/o/oauth2/consent">
//     <input type="hidden" name="pending" value="ID">        (opaque id of server-side state)
//     <input type="radio" name="account" value="EMAIL">      (one per account, the first checked)
//     <button id="allow" name="decision" value="allow">Allow</button>
//     <button id="deny" name="decision" value="deny">Deny</button>
// with the requested scopes listed in words. Every interpolated text is HTML-escaped.

#include <string>
#include <string_view>
#include <vector>

#include "fakes/oauth/scopes.h"

namespace bqb::fakes {

/// @returns `text` with & < > " ' replaced by character references, safe in text and in quoted
/// attribute values.
std::string html_escape(std::string_view text);

/// @returns the words Google's consent screen shows for `scope` (normalised), or the scope itself
/// for one it has no words for.
std::string scope_words(std::string_view scope);

struct ConsentPage {
  std::string pending_id;             // the hidden field's value
  std::string client_id;              // shown: which application asks
  std::vector<std::string> accounts;  // the picker, first checked; at least one
  ScopeList scopes;
};

/// @returns the consent page's HTML document.
std::string render_consent_page(const ConsentPage& page);

/// @returns a small HTML document titled "Sign in – bqbroker emulator" saying `message`, for the
/// consent form's error answers (unknown or used pending id, bad decision).
std::string render_consent_error(std::string_view message);

}  // namespace bqb::fakes
