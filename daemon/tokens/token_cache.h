#pragma once
// The access-token cache and its hand-out policy, without I/O: what the token service keeps per
// (account, scopes) and whether a cached token may be handed out, handed out while a refresh is
// started in the background, or must be refreshed before anyone gets a token.
//
// Time is the wall clock (system_clock), injected: a laptop that slept through a token's expiry
// must see it expired on waking, which a monotonic clock (stopped in suspend) would not show.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/oauth/scopes.h"
#include "proto/secret.h"

namespace bqb {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

/// What a token is cached under. A narrower scope set is its own key: a caller that asked for
/// bigquery.readonly must never receive a token that can write.
struct TokenKey {
  std::string account;
  oauth::ScopeSet scopes;

  friend auto operator<=>(const TokenKey&, const TokenKey&) = default;
  friend bool operator==(const TokenKey&, const TokenKey&) = default;
};

struct CachedToken {
  Secret access_token;
  oauth::ScopeSet scopes;  // what the token endpoint said the token carries
  std::chrono::system_clock::time_point issued_at;
  std::chrono::system_clock::time_point expires_at;
};

enum class CacheDecision {
  hand_out,              // plenty of time left
  hand_out_and_refresh,  // inside the refresh margin: hand it out, refresh in background
  refresh_now,           // none, expired, or less left than the caller's min_valid
};

/// @returns what to do with `entry` (nullptr: nothing cached) at `now` for a caller that needs
/// `min_valid` left. A token is refreshed ahead when less than `margin` is left, but never before
/// half its lifetime has passed: a token endpoint that issues tokens shorter than the margin must
/// not be asked again on every hand-out.
CacheDecision decide(const CachedToken* entry, std::chrono::system_clock::time_point now,
                     std::chrono::seconds margin, std::chrono::seconds min_valid);

/// The cache: tokens per key, looked up with the policy above. Not thread-safe (the daemon's io
/// thread owns it).
class TokenCache {
 public:
  /// `now` defaults to the system clock; tests pass their own.
  explicit TokenCache(std::chrono::seconds refresh_margin, WallClock now = {});

  struct Lookup {
    CacheDecision decision = CacheDecision::refresh_now;
    /// The cached token when the decision hands one out (and when refresh_now found a token that
    /// is still valid, only too short for min_valid); nullopt otherwise.
    std::optional<CachedToken> token;
  };
  /// @returns the decision for `key` now, and the token to hand out with it.
  Lookup lookup(const TokenKey& key, std::chrono::seconds min_valid) const;

  /// Stores (or replaces) the token of `key`.
  void store(const TokenKey& key, CachedToken token);
  /// Drops every token of `account` (logout, new login, refresh token refused).
  void drop_account(std::string_view account);

  /// @returns the latest expiry among `account`'s cached tokens, expired ones included; nullopt
  /// when none is cached.
  std::optional<std::chrono::system_clock::time_point> latest_expiry(
      std::string_view account) const;

  /// @returns the injected wall clock's time.
  std::chrono::system_clock::time_point now() const { return now_(); }
  std::chrono::seconds refresh_margin() const { return margin_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::chrono::seconds margin_;
  WallClock now_;
  std::map<TokenKey, CachedToken> entries_;
};

}  // namespace bqb
