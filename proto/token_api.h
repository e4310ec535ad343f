#pragma once
// The token endpoints' types and their JSON mapping, shared by the daemon and the CLI
// (proto/openapi.yaml is the written definition):
//   GET /v1/token?account=EMAIL&scope=S&scope=S…&min_valid=SECONDS → 200 AccessToken
//     no account: the default account; no scope: every scope the account granted (short names
//     and Google's aliases allowed); min_valid: the token handed out has at least that many
//     seconds left (default 0, at most kMaxMinValidSeconds).
//     Errors: needs_login (401), scope_not_granted (403, hint names the login that grants it),
//     not_found (404, unknown account), upstream_unavailable (503), bad_request (400).
//   POST   /v1/metadata-sessions  (see proto/metadata_api.h)
// Parsing never throws: it returns invalid_json naming the field.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::api {

/// The query parameter names of GET /v1/token.
inline constexpr std::string_view kTokenAccountParam = "account";
inline constexpr std::string_view kTokenScopeParam = "scope";  // repeatable
inline constexpr std::string_view kTokenMinValidParam = "min_valid";

/// The largest min_valid a caller may ask for: Google's tokens live about an hour, and a fresh
/// one must be able to satisfy it.
inline constexpr std::int64_t kMaxMinValidSeconds = 3000;

/// 200 answer to GET /v1/token.
struct AccessToken {
  Secret access_token;
  std::string token_type = "Bearer";
  std::int64_t expires_in = 0;      // whole seconds left when the answer was made
  std::string expires_at;           // RFC 3339 UTC, e.g. "2026-11-25T22:16:27Z"
  std::vector<std::string> scopes;  // the token's scopes, canonical, sorted
  std::string account;              // the account's email
};
/// {"access_token", "token_type", "expires_in", "expires_at", "scopes", "account"}. Reveals the
/// token: this is the wire.
nlohmann::json to_json(const AccessToken& t);
Result<AccessToken> parse_access_token(const nlohmann::json& j);

}  // namespace bqb::api
