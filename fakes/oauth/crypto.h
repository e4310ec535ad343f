#pragma once
// The few primitives the fake needs, from OpenSSL: random identifiers, SHA-256, base64url.

#include <cstddef>
#include <string>
#include <string_view>

namespace bqb::fakes {

/// @returns `bytes` in base64url (RFC 4648 §5) without '=' padding.
std::string base64url(std::string_view bytes);
/// @returns the 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);
/// @returns the SHA-256 digest of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);
/// @returns `nbytes` bytes from OpenSSL's CSPRNG in base64url. Throws std::runtime_error when the
/// CSPRNG fails (nothing sensible can go on without it).
std::string random_urlsafe(std::size_t nbytes);

}  // namespace bqb::fakes
