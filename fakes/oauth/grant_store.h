#pragma once
// What the authorization server remembers: authorization codes, refresh tokens (one per consent)
// and the access tokens minted from them. Pure state; every time comes in as an argument.
//
// Issued values are shaped like Google's so the daemon's redactor knows them: codes "4/0fake-…",
// refresh tokens "1//fake-…", access tokens "ya29.fake-…".

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/oauth/http_types.h"
#include "fakes/oauth/scopes.h"

namespace bqb::fakes {

struct AuthorizationCode {
  std::string client_id;
  std::string redirect_uri;    // byte-exact, as sent to the authorization endpoint
  std::string code_challenge;  // S256
  std::string email;
  ScopeList scopes;
  bool issue_refresh_token = false;  // offline access, and consent was (re)given
  Clock::time_point expires_at;
  bool used = false;
};

struct RefreshGrant {
  std::string client_id;
  std::string email;
  ScopeList scopes;  // what the user consented to
  Clock::time_point issued_at;
  bool revoked = false;
  bool expired = false;  // Google's "expired" (unused for 6 months, Testing-mode app, …)
};

struct AccessGrant {
  std::string client_id;
  std::string email;
  ScopeList scopes;  // exactly what this token carries (a refresh may narrow it)
  std::string grant_type;
  std::string refresh_token;  // the grant it came from; empty when none was issued
  Clock::time_point expires_at;
  bool revoked = false;
};

/// Which grants a control request addresses; an empty selector means all of them.
struct GrantSelector {
  std::optional<std::string> token;  // a refresh token
  std::optional<std::string> email;
  std::optional<std::string> client_id;
};

class GrantStore {
 public:
  /// @returns the new, random code for `c`.
  std::string add_code(AuthorizationCode c);
  /// @returns the code's record (used or not), or nullptr when it was never issued.
  AuthorizationCode* find_code(std::string_view code);

  /// @returns a new refresh token for (client, email, scopes).
  std::string issue_refresh(std::string client_id, std::string email, ScopeList scopes,
                            Clock::time_point now);
  /// @returns the grant, or nullptr when the token was never issued.
  RefreshGrant* find_refresh(std::string_view token);
  /// @returns whether `email` has a live refresh grant for `client_id` (Google then issues no new
  /// refresh token unless consent is prompted again).
  bool has_live_grant(std::string_view client_id, std::string_view email) const;

  /// @returns a new access token; `refresh_token` names the grant it belongs to ("" for none).
  std::string issue_access(AccessGrant grant);
  /// @returns the access token's record, or nullptr when it was never issued.
  const AccessGrant* find_access(std::string_view token) const;

  /// Revokes `token` as Google's revoke endpoint does: a refresh token with all the access tokens
  /// minted from it; an access token together with its refresh grant and that grant's tokens.
  /// @returns false when the token is unknown or already revoked.
  bool revoke(std::string_view token);
  /// Revokes the refresh grants `s` selects, and their access tokens. @returns how many.
  int revoke_where(const GrantSelector& s);
  /// Marks the refresh grants `s` selects as expired. @returns how many.
  int expire_refresh_where(const GrantSelector& s);
  /// Moves the expiry of the access tokens whose grant `s` selects to `now`. @returns how many.
  int expire_access_where(const GrantSelector& s, Clock::time_point now);

  /// @returns {"refresh_tokens": [...], "access_tokens": [...]}, tokens included: for the
  /// control API only, so tests can check that the daemon never logs them.
  nlohmann::json to_json(Clock::time_point now) const;

 private:
  bool selects(const GrantSelector& s, const std::string& token, const RefreshGrant& g) const;
  void revoke_access_of(std::string_view refresh_token);

  std::map<std::string, AuthorizationCode, std::less<>> codes_;
  std::map<std::string, RefreshGrant, std::less<>> refresh_;
  std::map<std::string, AccessGrant, std::less<>> access_;
  std::vector<std::string> refresh_order_;  // issue order, for listing
  std::vector<std::string> access_order_;
};

}  // namespace bqb::fakes
