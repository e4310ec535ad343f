#pragma once
// The one way the daemon's parts get an access token: the socket API (/v1/token), the
// metadata-server endpoints and the query runner all ask a TokenSource. The token service
// (token_service.h) is the implementation; tests substitute their own.

#include <chrono>
#include <optional>
#include <string>

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>

#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

/// Who asked, for the audit line every hand-out writes. From SO_PEERCRED on the socket, from
/// the kernel's socket table on a metadata endpoint (pid may be unknown there).
struct TokenCaller {
  uid_t uid = 0;
  std::optional<pid_t> pid;
  std::string executable;  // "?" when unknown
  std::string via;         // "socket", "metadata 127.0.0.1:PORT", "query"
};

struct TokenRequest {
  std::optional<std::string> account;     // nullopt: the default account
  std::optional<oauth::ScopeSet> scopes;  // nullopt: every scope the account granted
  /// The token handed out has at least this long left (on the wall clock).
  std::chrono::seconds min_valid{0};
  TokenCaller caller;
  /// A token this caller got earlier that the API refused (HTTP 401, e.g. revoked early): while
  /// it is still the cached one it is not handed out again, and a new one is fetched (one
  /// refresh, shared with concurrent callers as usual).
  std::optional<Secret> refused_token;
};

struct IssuedToken {
  Secret access_token;
  std::string account;
  oauth::ScopeSet scopes;
  std::chrono::system_clock::time_point expires_at;
};

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  /// @returns a token for `request`; not_found (unknown account), needs_login (no account at all,
  /// or Google refused the refresh token; hint `bqbroker login`), scope_not_granted (the hint
  /// names the `bqbroker login --scope …` that grants it), upstream_unavailable (Google not
  /// reachable and no cached token left), store_unavailable. Writes the audit line.
  virtual boost::asio::awaitable<Result<IssuedToken>> token(TokenRequest request) = 0;
};

}  // namespace bqb
