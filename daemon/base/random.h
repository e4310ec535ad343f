#pragma once
// Unguessable tokens from OpenSSL's CSPRNG, for OAuth `state` and PKCE verifiers.

#include <cstddef>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

/// @returns `bytes` random bytes from RAND_bytes as base64url without padding
/// (4*ceil(bytes/3) - padding characters of [A-Za-z0-9_-]); internal when the CSPRNG fails.
Result<Secret> random_token(std::size_t bytes);

}  // namespace bqb
