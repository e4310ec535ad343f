#pragma once
// Google's tokeninfo endpoint, without the HTTP: it names the account (email) and the scopes of an
// access token. `bqbroker login --import-adc` needs it because a refresh grant answers without an
// id_token unless `openid` was granted, and gcloud's ADC files don't say whose token they hold.
// Google's is https://oauth2.googleapis.com/tokeninfo, on the token endpoint's origin; a fake's
// token_uri gets the same treatment.

#include <string>
#include <string_view>
#include <vector>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

/// @returns the tokeninfo endpoint beside `token_uri`: its scheme and authority with path
/// "/tokeninfo"; bad_request naming `token_uri` when it is not an absolute http(s) URL.
Result<std::string> tokeninfo_uri(std::string_view token_uri);

/// @returns `tokeninfo_uri` with `?access_token=…` appended (GET, as Google documents it). The
/// result holds the token: never log it (the HTTP client logs URLs without their query).
std::string tokeninfo_request_url(std::string_view tokeninfo_uri, const Secret& access_token);

struct TokenInfo {
  std::string email;
  std::vector<std::string> scopes;  // as listed in `scope`, not normalised
};

/// @returns the account and scopes in tokeninfo's answer from `where`: upstream_error for a
/// non-2xx status or a malformed body, login_failed when the token carries no email (it was
/// granted without the email scope).
Result<TokenInfo> parse_tokeninfo(int http_status, std::string_view body, std::string_view where);

}  // namespace bqb::oauth
