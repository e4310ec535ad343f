#pragma once
// The redirect that ends the browser leg of the login: Google sends the browser to
// redirect_uri?state=…&code=…&scope=… (or ?error=access_denied&state=…). It reaches the daemon
// as the request target of a loopback HTTP request, or as a full URL the user pasted (when the
// browser runs on another machine and could not reach 127.0.0.1).

#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

struct RedirectError {
  std::string error;        // e.g. access_denied; only [A-Za-z0-9_.-], else "invalid_error"
  std::string description;  // error_description, sanitised (sanitize_foreign_text)
};

/// A parsed redirect: exactly one of `code` and `error` is set.
struct Redirect {
  std::string state;  // as received: compare with state_matches
  std::optional<Secret> code;
  std::optional<RedirectError> error;
  std::optional<std::string> scope;  // the granted scopes, space separated, when sent
};

/// @returns the redirect in `target`, the request-target of a request to the loopback listener
/// ("/?state=…&code=…"). not_found when its path is not `redirect_uri`'s (a browser's
/// /favicon.ico); bad_request for a malformed target, a repeated parameter, or neither/both of
/// code and error. No message quotes the target (it holds the code).
Result<Redirect> parse_redirect_target(std::string_view target, std::string_view redirect_uri);

/// @returns the redirect in `pasted`, a full URL copied from a browser's address bar
/// (surrounding whitespace ignored). bad_request when it is not an absolute URL, or its scheme,
/// host, port or path differ from `redirect_uri`'s; otherwise as parse_redirect_target.
Result<Redirect> parse_pasted_redirect(std::string_view pasted, std::string_view redirect_uri);

/// @returns whether `received` equals `expected`, in time independent of where they differ.
bool state_matches(const Secret& expected, std::string_view received);

/// @returns the authorization code of `redirect` for the flow whose state is `expected_state`.
/// Errors: forbidden when the state does not match (the flow goes on waiting: it is not this
/// flow's redirect); login_denied for error=access_denied; login_failed for any other error.
Result<Secret> authorization_code_from(const Redirect& redirect, const Secret& expected_state);

}  // namespace bqb::oauth
