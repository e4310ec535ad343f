#pragma once
// What `bqbroker token` (and `bqbroker exec`'s token file) asks GET /v1/token for, as a request
// target. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bqb::cli {

struct TokenQuery {
  std::optional<std::string> account;     // absent: the daemon's default account
  std::vector<std::string> scopes;        // empty: the account's granted scopes; given as typed
  std::optional<std::int64_t> min_valid;  // seconds the token must still be valid for
};

/// @returns "/v1/token" with `account`, one `scope` per scope (in the given order) and
/// `min_valid` as query parameters. Values are percent-encoded down to RFC 3986's unreserved
/// characters, so '+' (common in e-mail addresses) arrives as '+' rather than as a space.
std::string token_target(const TokenQuery& q);

}  // namespace bqb::cli
