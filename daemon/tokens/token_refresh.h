#pragma once
// One refresh_token grant at an account's token endpoint, and what its outcome means for the
// caller: a token, or an error classified as retryable (with the server's Retry-After), permanent
// (the account needs a new login, with the reason) or neither.

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "daemon/net/retry_action.h"
#include "daemon/oauth/scopes.h"
#include "daemon/tokens/token_cache.h"
#include "proto/error.h"

namespace bqb {

class HttpClient;
struct AccountCredentials;

struct RefreshOutcome {
  Result<CachedToken> token;
  /// For a failure: retry (network error, timeout, 408/429/5xx, temporarily_unavailable),
  /// relogin (the refresh token or client was refused: the account needs a new login), or fail.
  RetryAction action = RetryAction::fail;
  /// With relogin, why ("revoked or expired", "client deleted or secret wrong", …), for the
  /// account's state.
  std::string reason;
  /// What a 429/503 answer's Retry-After asked for.
  std::optional<std::chrono::milliseconds> retry_after;
};

/// Sends the refresh grant for `credentials` to its token_uri. With `narrower` (a proper subset of
/// the granted scopes) the grant carries `scope=` and the answer must not name any other scope.
/// `now` is the wall-clock time the request is sent: the token's expiry counts from it, so a slow
/// answer errs on the short side. Remembers the access token with the Redactor.
boost::asio::awaitable<RefreshOutcome> refresh_access_token(
    HttpClient& http, const AccountCredentials& credentials, const oauth::ScopeSet& scopes,
    bool narrower, std::chrono::milliseconds timeout, std::chrono::system_clock::time_point now);

}  // namespace bqb
