#pragma once
// The claims bqbroker reads from the id_token of a token response: which account signed in.

#include <optional>
#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb::oauth {

struct IdTokenClaims {
  std::string email;
  std::optional<bool> email_verified;
};

/// @returns the `email` (and `email_verified`, when present) claims of the JWT `id_token`.
/// upstream_error when it is not three base64url parts with a JSON object payload, or `email` is
/// missing or empty. `where` names the source. No message quotes the token.
Result<IdTokenClaims> decode_id_token(std::string_view id_token, std::string_view where);

}  // namespace bqb::oauth
