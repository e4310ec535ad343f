#pragma once
// A short, non-reversible name for an access token, for audit lines: which hand-outs shared a
// token can be told apart without the token ever reaching a log.

#include <string>

#include "proto/secret.h"

namespace bqb {

/// @returns the first 8 hex digits of SHA-256(token): 32 bits, enough to tell tokens apart in a
/// log, far too few to help guess one.
std::string token_fingerprint(const Secret& token);

}  // namespace bqb
