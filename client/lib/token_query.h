#pragma once
// GET /v1/token as a typed call: what `bqbroker token` (and `bqbroker exec`'s token file) asks
// for, and the access token the daemon answers.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/lib/daemon_client.h"
#include "proto/error.h"
#include "proto/token_api.h"

namespace bqb::client {

struct TokenQuery {
  std::optional<std::string> account;     // absent: the daemon's default account
  std::vector<std::string> scopes;        // empty: the account's granted scopes; given as typed
  std::optional<std::int64_t> min_valid;  // seconds the token must still be valid for
};

/// @returns the query string ("" or "?…") of GET /v1/token for `q`: `account`, one `scope` per
/// scope (in the given order) and `min_valid`. Values are percent-encoded down to RFC 3986's
/// unreserved characters, so '+' (common in e-mail addresses) arrives as '+' rather than as a
/// space. Pure.
std::string token_query_string(const TokenQuery& q);

/// Asks the daemon for a token. @returns the token, or the daemon's error (needs_login when the
/// account must log in again) or the connection's.
Result<api::AccessToken> fetch_token(DaemonClient& daemon, const TokenQuery& q);

}  // namespace bqb::client
