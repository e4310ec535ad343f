#include "proto/accounts_api.h"

#include "proto/json_fields.h"

namespace bqb::api {

using nlohmann::json;

json to_json(const AccountInfo& a) {
  json j = {{"email", a.email},        {"client_id", a.client_id}, {"scopes", a.scopes},
            {"default", a.is_default}, {"state", a.state},         {"added_at", a.added_at}};
  if (a.project_id) j["project_id"] = *a.project_id;
  if (a.reason) j["reason"] = *a.reason;
  if (a.since) j["since"] = *a.since;
  return j;
}

Result<AccountInfo> parse_account_info(const json& j, std::string_view where) {
  if (!j.is_object()) {
    return fail(Errc::invalid_json, std::string(where) + " is not a JSON object");
  }
  AccountInfo a;
  BQB_TRY(email, json_fields::required_string(j, "email", where));
  BQB_TRY(client_id, json_fields::required_string(j, "client_id", where));
  BQB_TRY(project_id, json_fields::optional_string(j, "project_id", where));
  BQB_TRY(scopes, json_fields::optional_string_list(j, "scopes", where));
  BQB_TRY(is_default, json_fields::optional_bool(j, "default", where));
  BQB_TRY(state, json_fields::required_string(j, "state", where));
  BQB_TRY(reason, json_fields::optional_string(j, "reason", where));
  BQB_TRY(since, json_fields::optional_string(j, "since", where));
  BQB_TRY(added_at, json_fields::optional_string(j, "added_at", where));
  a.email = std::move(email);
  a.client_id = std::move(client_id);
  a.project_id = std::move(project_id);
  a.scopes = std::move(scopes);
  a.is_default = is_default.value_or(false);
  a.state = std::move(state);
  a.reason = std::move(reason);
  a.since = std::move(since);
  a.added_at = added_at.value_or("");
  return a;
}

json to_json(const AccountsResponse& r) {
  json accounts = json::array();
  for (const auto& a : r.accounts) accounts.push_back(to_json(a));
  return json{{"accounts", std::move(accounts)},
              {"default", r.default_email ? json(*r.default_email) : json(nullptr)}};
}

Result<AccountsResponse> parse_accounts_response(const json& j) {
  constexpr std::string_view kWhere = "accounts response";
  if (!j.is_object() || !j.contains("accounts") || !j["accounts"].is_array()) {
    return fail(Errc::invalid_json, "field 'accounts' in the accounts response is missing");
  }
  AccountsResponse r;
  for (const json& a : j["accounts"]) {
    BQB_TRY(info, parse_account_info(a, "an account of the accounts response"));
    r.accounts.push_back(std::move(info));
  }
  BQB_TRY(default_email, json_fields::optional_string(j, "default", kWhere));
  r.default_email = std::move(default_email);
  return r;
}

json to_json(const SetDefaultRequest& r) { return json{{"email", r.email}}; }

Result<SetDefaultRequest> parse_set_default_request(const json& j) {
  BQB_TRY(email, json_fields::required_string(j, "email", "the request body"));
  if (email.empty()) {
    return fail(Errc::bad_request, "field 'email' in the request body is empty");
  }
  return SetDefaultRequest{std::move(email)};
}

json to_json(const LogoutResponse& r) {
  json j = {{"email", r.email}, {"revoked", r.revoked}};
  if (r.revoke_error) j["revoke_error"] = *r.revoke_error;
  return j;
}

Result<LogoutResponse> parse_logout_response(const json& j) {
  constexpr std::string_view kWhere = "logout response";
  BQB_TRY(email, json_fields::required_string(j, "email", kWhere));
  BQB_TRY(revoked, json_fields::optional_bool(j, "revoked", kWhere));
  BQB_TRY(revoke_error, json_fields::optional_string(j, "revoke_error", kWhere));
  return LogoutResponse{std::move(email), revoked.value_or(false), std::move(revoke_error)};
}

json to_json(const ImportAdcRequest& r) {
  json j = {{"authorized_user", r.authorized_user}};
  if (r.token_uri) j["token_uri"] = *r.token_uri;
  return j;
}

Result<ImportAdcRequest> parse_import_adc_request(const json& j) {
  constexpr std::string_view kWhere = "the request body";
  auto it = j.find("authorized_user");
  if (it == j.end()) {
    return fail(Errc::invalid_json, "field 'authorized_user' in the request body is missing");
  }
  if (!it->is_object()) {
    return fail(Errc::invalid_json,
                "field 'authorized_user' in the request body is not a JSON object");
  }
  BQB_TRY(token_uri, json_fields::optional_string(j, "token_uri", kWhere));
  return ImportAdcRequest{*it, std::move(token_uri)};
}

}  // namespace bqb::api
