#include "proto/login_api.h"

#include "proto/api.h"
#include "proto/json_fields.h"

namespace bqb::api {

namespace jf = json_fields;
using nlohmann::json;

json to_json(const LoginStartRequest& r) {
  json j = json::object();
  if (r.client_secrets) j["client_secrets"] = *r.client_secrets;
  if (!r.scopes.empty()) j["scopes"] = r.scopes;
  if (r.no_default_scopes) j["no_default_scopes"] = true;
  if (r.login_hint) j["login_hint"] = *r.login_hint;
  return j;
}

Result<LoginStartRequest> parse_login_start_request(const json& j) {
  constexpr std::string_view kWhere = "the login request";
  if (!j.is_object()) return fail(Errc::invalid_json, "the login request must be a JSON object");
  LoginStartRequest r;
  if (auto it = j.find("client_secrets"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return fail(Errc::invalid_json,
                  "field 'client_secrets' in the login request must be the JSON object of a "
                  "client_secrets.json file",
                  "send the file's content, e.g. {\"installed\": {…}}");
    }
    r.client_secrets = *it;
  }
  BQB_TRY(scopes, jf::optional_string_list(j, "scopes", kWhere));
  BQB_TRY(no_defaults, jf::optional_bool(j, "no_default_scopes", kWhere));
  BQB_TRY(hint, jf::optional_string(j, "login_hint", kWhere));
  r.scopes = std::move(scopes);
  r.no_default_scopes = no_defaults.value_or(false);
  r.login_hint = std::move(hint);
  return r;
}

json to_json(const LoginStarted& r) {
  return json{{"login_id", r.login_id},
              {"auth_url", r.auth_url},
              {"redirect_uri", r.redirect_uri},
              {"expires_in", r.expires_in}};
}

Result<LoginStarted> parse_login_started(const json& j) {
  constexpr std::string_view kWhere = "the login response";
  BQB_TRY(id, jf::required_string(j, "login_id", kWhere));
  BQB_TRY(url, jf::required_string(j, "auth_url", kWhere));
  BQB_TRY(redirect, jf::required_string(j, "redirect_uri", kWhere));
  BQB_TRY(expires, jf::required_int(j, "expires_in", kWhere));
  return LoginStarted{std::move(id), std::move(url), std::move(redirect), expires};
}

std::string_view to_string(LoginState state) {
  switch (state) {
    case LoginState::pending:
      return "pending";
    case LoginState::done:
      return "done";
    case LoginState::failed:
      return "failed";
  }
  return "failed";
}

std::optional<LoginState> login_state_from_string(std::string_view name) {
  for (auto s : {LoginState::pending, LoginState::done, LoginState::failed}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

json to_json(const LoginStatus& s) {
  json j{{"login_id", s.login_id}, {"state", std::string(to_string(s.state))}};
  if (s.account) j["account"] = *s.account;
  if (s.error) j["error"] = error_body(*s.error)["error"];
  return j;
}

Result<LoginStatus> parse_login_status(const json& j) {
  constexpr std::string_view kWhere = "the login status";
  LoginStatus s;
  BQB_TRY(id, jf::required_string(j, "login_id", kWhere));
  BQB_TRY(state, jf::required_string(j, "state", kWhere));
  BQB_TRY(account, jf::optional_string(j, "account", kWhere));
  auto parsed_state = login_state_from_string(state);
  if (!parsed_state) {
    return fail(Errc::invalid_json,
                "field 'state' in the login status must be pending, done or "
                "failed, not '" +
                    state + "'");
  }
  s.login_id = std::move(id);
  s.state = *parsed_state;
  s.account = std::move(account);
  if (auto it = j.find("error"); it != j.end() && !it->is_null()) {
    BQB_TRY(error, parse_error_body(json{{"error", *it}}));
    s.error = std::move(error);
  }
  if (s.state == LoginState::done && !s.account) {
    return fail(Errc::invalid_json, "field 'account' in the login status is missing (state done)");
  }
  if (s.state == LoginState::failed && !s.error) {
    return fail(Errc::invalid_json, "field 'error' in the login status is missing (state failed)");
  }
  return s;
}

json to_json(const LoginRedirectRequest& r) { return json{{"url", r.url}}; }

Result<LoginRedirectRequest> parse_login_redirect_request(const json& j) {
  BQB_TRY(url, jf::required_string(j, "url", "the redirect request"));
  return LoginRedirectRequest{std::move(url)};
}

}  // namespace bqb::api
