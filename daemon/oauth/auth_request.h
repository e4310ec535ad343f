#pragma once
// The authorization URL of Google's installed-app flow: where the user's browser is sent to
// consent. Carries PKCE S256, access_type=offline and prompt=consent so that Google always
// returns a refresh token.

#include <optional>
#include <string>
#include <string_view>

#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

struct AuthRequest {
  std::string auth_uri;  // from client_secrets.json; may already carry a query
  std::string client_id;
  std::string redirect_uri;  // byte-identical to the one the code exchange will send
  ScopeSet scopes;
  Secret state;  // random, checked on the redirect
  std::string code_challenge;
  std::optional<std::string> login_hint;
};

/// @returns the URL to open in the browser: auth_uri plus response_type=code, client_id,
/// redirect_uri, scope (space separated), state, code_challenge, code_challenge_method=S256,
/// access_type=offline, prompt=consent, include_granted_scopes=true and login_hint when given.
/// bad_request when auth_uri is not an absolute http(s) URL or a required field is empty.
Result<std::string> build_auth_url(const AuthRequest& request);

}  // namespace bqb::oauth
