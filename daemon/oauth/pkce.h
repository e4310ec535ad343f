#pragma once
// PKCE (RFC 7636) with the S256 method, as Google's installed-app flow uses it.

#include <string>
#include <string_view>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::oauth {

inline constexpr std::string_view kPkceMethod = "S256";

/// A verifier (kept by the daemon, sent with the code exchange) and its challenge (sent in the
/// authorization URL).
struct Pkce {
  Secret verifier;
  std::string challenge;
};

/// @returns whether `verifier` is 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
bool valid_pkce_verifier(std::string_view verifier);

/// @returns base64url(SHA-256(verifier)) without padding; bad_request for an invalid verifier
/// (the message does not quote it).
Result<std::string> pkce_challenge(std::string_view verifier);

/// @returns a fresh 64-character verifier (48 random bytes) and its challenge.
Result<Pkce> make_pkce();

}  // namespace bqb::oauth
