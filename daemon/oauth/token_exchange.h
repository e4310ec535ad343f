#pragma once
// Requests to and answers from Google's token endpoint (token_uri), without the HTTP: form
// bodies for the authorization_code and refresh_token grants, and the parsing and
// classification of what comes back.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/oauth/form.h"
#include "daemon/oauth/oauth_client.h"
#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

/// @returns the body of the authorization_code grant (send with kFormContentType). It holds the
/// code, the client secret and the verifier, hence a Secret. `redirect_uri` must be
/// byte-identical to the authorization request's.
Secret authorization_code_body(const OAuthClient& client, const Secret& code,
                               std::string_view redirect_uri, const Secret& code_verifier);

/// @returns the body of the refresh_token grant; with `scopes` (a subset of the granted ones),
/// `scope=` asks for a token limited to them.
Secret refresh_body(const OAuthClient& client, const Secret& refresh_token,
                    const ScopeSet* scopes = nullptr);

/// A successful token response.
struct TokenResponse {
  Secret access_token;
  std::chrono::seconds expires_in{0};   // 1 s .. kMaxExpiresIn
  std::optional<Secret> refresh_token;  // absent on most refreshes: keep the old one
  std::optional<ScopeSet> scopes;       // the `scope` field, when sent
  std::optional<Secret> id_token;       // a JWT, when openid/email were asked for
};

/// The longest expires_in accepted; Google's are about an hour.
inline constexpr std::chrono::seconds kMaxExpiresIn{std::chrono::hours(24 * 366)};

/// How a failed token request should be handled.
enum class TokenErrorKind {
  permanent,  // the grant or client is dead: needs a new login, do not retry
  transient,  // retry with backoff
  request,    // anything else: the request was wrong; report it, do not retry
};

/// A token endpoint error, classified. Holds no secret: `description` has passed through
/// redact_token_shapes.
struct TokenError {
  TokenErrorKind kind = TokenErrorKind::request;
  int http_status = 0;
  std::string error;        // OAuth `error` code, empty when the body had none
  std::string subtype;      // Google's `error_subtype`, e.g. invalid_rapt
  std::string description;  // `error_description`, redacted and shortened
  std::string reason;       // for a person: "revoked or expired", "client deleted or secret wrong"
};

/// @returns the classification of a non-success answer (`http_status` not 2xx, or a 2xx body
/// carrying `error`). Any body is accepted, JSON or not.
TokenError classify_token_error(int http_status, std::string_view body);

/// Which grant a response answers; decides what a permanent error means to the caller.
enum class Grant { authorization_code, refresh_token };

/// @returns `e` as an Error: permanent → needs_login (refresh) or login_failed (code exchange);
/// transient → upstream_unavailable; request → upstream_error. `where` names the endpoint.
Error token_error_to_error(const TokenError& e, Grant grant, std::string_view where);

/// @returns the parsed answer of the token endpoint `where` to a `grant` request: a
/// TokenResponse for a 2xx answer with a valid body, else the classified error as above. A 2xx
/// body that is not a valid success (bad JSON, missing access_token, bad expires_in) is
/// upstream_error naming the field. No message ever contains a token.
Result<TokenResponse> parse_token_response(int http_status, std::string_view body, Grant grant,
                                           std::string_view where);

}  // namespace bqb::oauth
