#pragma once
// The token service's bookkeeping, without I/O: which cache key a request maps to and whether it
// may have a token at all, when a background refresh may start, whether a finished refresh still
// belongs to the account's current credentials, and what `bqbroker status` shows of failures.
// The token service (daemon/tokens/token_service.h) does the I/O around these decisions.
//
// Time is never read here: every decision that depends on it takes `now` (the wall clock, as the
// token cache uses it).
//
// Per account it remembers:
// - a generation, bumped by forget_account (logout, new login): a refresh that started under an
//   older generation belongs to credentials that are gone and must not be cached or noted;
// - the needs_login error of a refused refresh token, until forget_account: the token endpoint
//   is not asked again for that account, even when recording the state in the registry failed;
// - the last refresh failure and when it happened.
// Per cache key it remembers until when a failed background refresh paused the next one.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/accounts/account.h"
#include "daemon/oauth/scopes.h"
#include "daemon/tokens/token_cache.h"
#include "proto/error.h"

namespace bqb {

/// Where a request's token comes from: the cache key and whether it is narrower than the grant
/// (then the refresh grant carries `scope=`).
struct TokenPlan {
  TokenKey key;
  bool narrower = false;
};

/// The last refresh failure of an account, for `bqbroker status`.
struct TokenErrorNote {
  /// Cleared by the next successful refresh or forget_account.
  std::optional<Error> last_error;
  /// When last_error happened (left as it was when a success clears last_error).
  std::optional<std::chrono::system_clock::time_point> last_error_at;
};

/// @returns the needs_login error a caller of `email` gets, with `reason` (may be empty) and the
/// `bqbroker login` hint.
Error needs_login_error(const std::string& email, std::string_view reason);

class TokenPolicy {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// `background_retry_pause`: after a failed background refresh, the next one of that key starts
  /// no earlier than this later.
  explicit TokenPolicy(std::chrono::seconds background_retry_pause);

  /// @returns the key a request gets its token under. `email` is the account the request named,
  /// else the default one (nullopt: no account at all); `account` is what the directory holds for
  /// it; `wanted` the scopes asked for (nullopt or empty: all granted). Errors: needs_login (no
  /// account, a refused refresh token remembered, or the account's state), not_found (unknown
  /// account), scope_not_granted, and the errors of a malformed granted scope list.
  Result<TokenPlan> plan(const std::optional<std::string>& email,
                         const std::optional<Account>& account,
                         const std::optional<oauth::ScopeSet>& wanted) const;

  /// @returns whether a background refresh of `key` may start at `now`: false until the pause
  /// that a failed one asked for has passed (a refresh may start exactly at its end).
  bool may_refresh_in_background(const TokenKey& key, TimePoint now) const;

  /// @returns `email`'s generation: what a refresh records when it starts.
  std::uint64_t generation(std::string_view email) const;
  /// @returns whether a refresh of `email` that started at `started` still belongs to the
  /// account's current credentials (no logout or new login since).
  bool is_current(std::string_view email, std::uint64_t started) const;

  /// A current refresh of `key` succeeded: lifts its background pause and clears the account's
  /// last_error.
  void refresh_succeeded(const TokenKey& key);
  /// A current refresh of `key` failed with `error` at `now`: notes it as the account's
  /// last_error and pauses background refreshes of `key` until `now` + the pause.
  void refresh_failed(const TokenKey& key, const Error& error, TimePoint now);

  /// The token endpoint refused `email`'s refresh token (with `reason`, may be empty).
  /// @returns the needs_login error, which plan() answers for the account until forget_account.
  Error refuse(const std::string& email, std::string_view reason);

  /// `email` was logged out or logged in again: forgets its refusal, its errors and its pauses,
  /// and bumps its generation so that refreshes already running cannot write their results.
  void forget_account(const std::string& email);

  /// @returns the account's last failure (empty when none is remembered).
  TokenErrorNote error_note(std::string_view email) const;

 private:
  struct AccountNote {
    TokenErrorNote errors;
    std::optional<Error> refused;
  };

  std::chrono::seconds background_retry_pause_;
  std::map<TokenKey, TimePoint> background_paused_until_;
  std::map<std::string, AccountNote, std::less<>> notes_;
  std::map<std::string, std::uint64_t, std::less<>> generations_;
};

}  // namespace bqb
