#pragma once
// The authorization endpoint's checks, as Google makes them for an installed-app client with a
// loopback redirect, and the redirect that carries the outcome back.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fakes/oauth/clients.h"
#include "fakes/oauth/oauth_error.h"
#include "fakes/oauth/params.h"
#include "fakes/oauth/scopes.h"

namespace bqb::fakes {

/// A validated authorization request.
struct AuthorizeRequest {
  std::string client_id;
  std::string redirect_uri;  // byte-exact
  ScopeList scopes;
  std::string state;
  std::string code_challenge;
  bool offline = false;         // access_type=offline
  bool prompt_consent = false;  // prompt contains "consent"
  std::string login_hint;       // "" when absent
};

/// @returns whether `uri` is a loopback redirect Google accepts for a Desktop client: http, host
/// 127.0.0.1, [::1] or localhost, any port, no fragment.
bool is_loopback_redirect(std::string_view uri);

/// @returns the request, or the error Google would show on its error page (those errors are not
/// redirected: the client or the redirect_uri cannot be trusted yet, and the broker's own bugs
/// should surface as a 400 to the test). Checks: response_type=code, a registered client_id, a
/// loopback redirect_uri, a non-empty scope of known scopes, state, code_challenge of PKCE shape
/// with code_challenge_method=S256, access_type online/offline when given.
OAuthResult<AuthorizeRequest> validate_authorize(const Params& params,
                                                 const ClientRegistry& clients);

/// @returns `redirect_uri` with `params` appended to its query, percent-encoded by Boost.URL
/// (a space as %20).
std::string redirect_with(std::string_view redirect_uri,
                          const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace bqb::fakes
