#pragma once
// The token service: the daemon's TokenSource. It hands out access tokens from an in-memory cache
// (daemon/tokens/token_cache.h) and refreshes them at the account's token endpoint with the stored
// refresh token:
// - one refresh at a time per (account, scopes): however many callers arrive while it runs, one
//   request goes to the token endpoint and all of them get its result;
// - a token inside the refresh margin is still handed out at once while a refresh runs in the
//   background; a caller only waits when no token with its min_valid left exists;
// - a narrower scope set than the account granted gets its own token (the refresh grant with
//   `scope=`), never the wider one;
// - transient failures are retried with bounded backoff (daemon/net/backoff.h); permanent ones
//   (the refresh token or client refused) put the account into needs_login, after which the token
//   endpoint is not asked again for it until a new login.
// Every hand-out writes one audit line at info (caller, account, scopes, token fingerprint —
// never the token). The bookkeeping behind these decisions is pure: daemon/tokens/token_policy.h.

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "daemon/net/backoff.h"
#include "daemon/tokens/token_cache.h"
#include "daemon/tokens/token_source.h"
#include "proto/error.h"

namespace bqb {

class AccountDirectory;
class HttpClient;

struct TokenServiceOptions {
  /// `[tokens] refresh_margin`: a token with less left is refreshed ahead, in the background.
  std::chrono::seconds refresh_margin{300};
  /// Retries of transient token-endpoint failures within one refresh.
  BackoffPolicy backoff;
  /// Bound on each token-endpoint request.
  std::chrono::milliseconds http_timeout{std::chrono::seconds(15)};
  /// After a background refresh failed (all retries spent), the next background refresh of that
  /// key starts no earlier than this: hand-outs of the still-valid token must not turn into a
  /// stream of refresh attempts.
  std::chrono::seconds background_retry_pause{std::chrono::seconds(30)};
  /// The wall clock tokens expire on; default the system clock. Tests inject their own.
  WallClock clock;
  /// Jitter source in [0, 1); default a PRNG seeded from std::random_device.
  Backoff::Random random;
};

/// What `bqbroker status` shows of an account's tokens.
struct AccountTokenState {
  /// The latest expiry among the account's cached tokens.
  std::optional<std::chrono::system_clock::time_point> token_expires_at;
  /// The last refresh failure; cleared by the next successful refresh or a new login.
  std::optional<Error> last_error;
  std::optional<std::chrono::system_clock::time_point> last_error_at;
};

class TokenService final : public TokenSource {
 public:
  /// Registers with `accounts` for logouts and new logins (construct before serving requests).
  /// Everything must outlive the service; all coroutines run on `io` (the daemon's io thread).
  TokenService(boost::asio::any_io_executor io, AccountDirectory& accounts, HttpClient& http,
               TokenServiceOptions options);
  ~TokenService() override;
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  /// See TokenSource::token.
  boost::asio::awaitable<Result<IssuedToken>> token(TokenRequest request) override;

  /// @returns the token state of `email` (empty for an account without tokens or errors).
  AccountTokenState account_state(std::string_view email) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bqb
