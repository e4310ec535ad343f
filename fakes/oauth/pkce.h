#pragma once
// PKCE (RFC 7636) as Google checks it: S256 only in this fake, since the broker must never fall
// back to "plain".

#include <string>
#include <string_view>

namespace bqb::fakes {

/// @returns whether `s` is 43–128 characters of [A-Za-z0-9-._~], the shape RFC 7636 §4.1 requires
/// of a code_verifier (and §4.2 of a code_challenge).
bool is_pkce_string(std::string_view s);
/// @returns base64url(SHA-256(verifier)) without padding.
std::string s256_challenge(std::string_view verifier);
/// @returns whether `verifier` is well formed and its S256 challenge equals `challenge`.
bool verify_s256(std::string_view verifier, std::string_view challenge);

}  // namespace bqb::fakes
