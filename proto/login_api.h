#pragma once
// The login endpoints' request and response types and their JSON mapping, shared by the daemon
// and the CLI (proto/openapi.yaml is the written definition):
//   POST   /v1/login                {client_secrets?, scopes?, no_default_scopes?, login_hint?}
//                                   → 201 LoginStarted
//   GET    /v1/login/{id}?wait=S    → 200 LoginStatus (long-poll up to S seconds for a change)
//   POST   /v1/login/{id}/redirect  {url} → 200 LoginStatus once the flow is done or failed
//   DELETE /v1/login/{id}           → 200 LoginStatus (failed: cancelled)
// Parsing never throws: it returns invalid_json naming the field.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::api {

/// The longest long-poll a GET /v1/login/{id}?wait= may ask for, in seconds.
inline constexpr std::int64_t kMaxLoginWaitSeconds = 120;

/// POST /v1/login
struct LoginStartRequest {
  /// The content of a client_secrets.json as Google's console downloads it ({"installed":{…}});
  /// nullopt: the daemon uses the config's `client_secrets`.
  std::optional<nlohmann::json> client_secrets;
  std::vector<std::string> scopes;  // added to the defaults; short names allowed
  bool no_default_scopes = false;
  std::optional<std::string> login_hint;
};
nlohmann::json to_json(const LoginStartRequest& r);
/// @returns the request in `j`; `client_secrets` must be an object when present.
Result<LoginStartRequest> parse_login_start_request(const nlohmann::json& j);

/// 201 answer to POST /v1/login.
struct LoginStarted {
  std::string login_id;
  std::string auth_url;         // open this in a browser
  std::string redirect_uri;     // http://127.0.0.1:PORT/ — the loopback listener
  std::int64_t expires_in = 0;  // seconds until the flow fails with login_timeout
};
nlohmann::json to_json(const LoginStarted& r);
Result<LoginStarted> parse_login_started(const nlohmann::json& j);

enum class LoginState { pending, done, failed };
/// @returns "pending", "done" or "failed".
std::string_view to_string(LoginState state);
std::optional<LoginState> login_state_from_string(std::string_view name);

/// The state of one login flow.
struct LoginStatus {
  std::string login_id;
  LoginState state = LoginState::pending;
  std::optional<std::string> account;  // the signed-in email, when done
  std::optional<Error> error;          // why, when failed

  friend bool operator==(const LoginStatus&, const LoginStatus&) = default;
};
/// {"login_id", "state", "account"?, "error"?: {"code","message","hint"?}}
nlohmann::json to_json(const LoginStatus& s);
Result<LoginStatus> parse_login_status(const nlohmann::json& j);

/// POST /v1/login/{id}/redirect
struct LoginRedirectRequest {
  std::string url;  // the address the browser was sent to, as pasted by the user
};
nlohmann::json to_json(const LoginRedirectRequest& r);
Result<LoginRedirectRequest> parse_login_redirect_request(const nlohmann::json& j);

}  // namespace bqb::api
