#pragma once
// Base64 (RFC 4648 §4) and base64url (§5) through OpenSSL's EVP block coder. base64url is written
// without '=' padding (as JWTs and PKCE want it) and read with or without it.

#include <string>
#include <string_view>

#include "proto/error.h"

namespace bqb {

/// @returns `bytes` in standard base64 with '=' padding.
std::string base64_encode(std::string_view bytes);
/// @returns `bytes` in base64url ('-' and '_'), without padding.
std::string base64url_encode(std::string_view bytes);

/// @returns the bytes base64url `text` encodes; padding is optional, '+' and '/' are refused,
/// anything else malformed is bad_request (the message never quotes `text`: it may be a secret).
Result<std::string> base64url_decode(std::string_view text);

}  // namespace bqb
