#pragma once
// The daemon's login flows by login_id: starting one (client credentials, scopes, state, PKCE,
// the loopback listener, the authorization URL), finding one for the API, and forgetting finished
// ones after a while, so that a late GET still sees how a login ended.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "daemon/login/login_flow.h"
#include "daemon/oauth/client_secrets.h"
#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/login_api.h"

namespace bqb {

class BlockingPool;

struct LoginManagerOptions {
  /// `client_secrets`: used when a login request sends none.
  std::optional<std::filesystem::path> client_secrets_file;
  /// `[oauth] scopes`: replaces the built-in default scopes when set.
  std::optional<std::vector<std::string>> default_scopes;
  /// `[oauth] redirect_port`: 0 lets the system pick.
  std::uint16_t redirect_port = 0;
  /// `[oauth] login_timeout_seconds`.
  std::chrono::seconds login_timeout{300};
  /// A finished flow is kept this long for late status requests.
  std::chrono::seconds keep_finished{600};
  /// Logins waiting for a browser at once (each holds a listening port).
  std::size_t max_pending = 16;
  LoopbackOptions listener;
};

/// @returns the scopes a login asks for: `configured` (when set) or the built-in defaults,
/// unless `no_default_scopes`; plus `extra`; plus openid and email always. Pure.
Result<oauth::ScopeSet> resolve_login_scopes(
    const std::optional<std::vector<std::string>>& configured,
    const std::vector<std::string>& extra, bool no_default_scopes);

class LoginManager {
 public:
  /// `http` and `blocking` (which runs the loopback listeners' owner lookups) must outlive the
  /// manager and its flows; `sink` stores finished logins.
  LoginManager(boost::asio::any_io_executor executor, HttpClient& http, BlockingPool& blocking,
               LoginSink sink, LoginManagerOptions options);
  ~LoginManager();
  LoginManager(const LoginManager&) = delete;
  LoginManager& operator=(const LoginManager&) = delete;

  /// Starts a login. @returns its id, URL and redirect_uri. Errors: bad_request (no
  /// client_secrets anywhere, a bad scope), invalid_json (a malformed client_secrets), io_error
  /// (the configured file cannot be read), conflict (too many logins waiting, or the fixed
  /// redirect port is in use).
  Result<api::LoginStarted> start(const api::LoginStartRequest& request);

  /// @returns the flow `id`, or not_found (never started, or finished long enough ago to be
  /// forgotten).
  Result<std::shared_ptr<LoginFlow>> find(std::string_view id);

  /// Fails every pending flow with shutting_down, waking its waiters (the daemon is stopping).
  void shutdown();

  /// @returns how many flows are kept (pending and recently finished).
  std::size_t size() const { return flows_.size(); }

 private:
  Result<oauth::ClientSecrets> client_secrets(const api::LoginStartRequest& request) const;
  void forget_old();

  boost::asio::any_io_executor executor_;
  HttpClient& http_;
  BlockingPool& blocking_;
  LoginSink sink_;
  LoginManagerOptions options_;
  std::map<std::string, std::shared_ptr<LoginFlow>, std::less<>> flows_;
};

}  // namespace bqb
