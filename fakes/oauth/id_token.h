#pragma once
// The id_token of a token response: a JWT whose payload carries the claims Google puts there.
// Its signature is not a real RS256 signature; the broker reads the email from the payload of a
// token it received directly from the token endpoint over TLS, which needs no signature check
// (OpenID Connect Core §3.1.3.7, item 6).

#include <string>
#include <string_view>

#include "fakes/oauth/http_types.h"

namespace bqb::fakes {

inline constexpr std::string_view kIssuer = "https://accounts.google.com";

/// @returns Google's "sub" for an account: a stable decimal string derived from its email.
std::string subject_for(std::string_view email);

/// @returns "header.payload.signature", payload {iss, azp, aud, sub, email, email_verified, iat,
/// exp} with aud and azp = `client_id`, exp one hour after `now`.
std::string make_id_token(std::string_view client_id, std::string_view email,
                          Clock::time_point now);

}  // namespace bqb::fakes
