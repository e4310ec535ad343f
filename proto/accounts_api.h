#pragma once
// The account endpoints' request and response types and their JSON, shared by the daemon and the
// CLI (proto/openapi.yaml is the written definition):
//   GET    /v1/accounts            → AccountsResponse (GET /v1/status's `accounts` holds the same
//                                    AccountInfo objects)
//   PUT    /v1/accounts/default    SetDefaultRequest → AccountInfo
//   DELETE /v1/accounts/{email}    → LogoutResponse
//   POST   /v1/accounts/import     ImportAdcRequest → 201 AccountInfo
// No type here can carry a refresh token or client secret, except ImportAdcRequest's
// `authorized_user`, which is the caller's own ADC file going to the daemon.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::api {

/// One account as the API shows it. Times are RFC 3339 UTC strings.
struct AccountInfo {
  std::string email;
  std::string client_id;
  std::optional<std::string> project_id;
  std::vector<std::string> scopes;    // as granted, canonical spelling
  bool is_default = false;            // JSON "default"
  std::string state;                  // "ok" | "needs_login"
  std::optional<std::string> reason;  // why needs_login
  std::optional<std::string> since;   // when it became needs_login
  std::string added_at;
};
nlohmann::json to_json(const AccountInfo& a);
/// @returns the account in `j`; invalid_json naming the field and `where`.
Result<AccountInfo> parse_account_info(const nlohmann::json& j, std::string_view where);

struct AccountsResponse {
  std::vector<AccountInfo> accounts;
  std::optional<std::string> default_email;  // JSON "default": email or null
};
nlohmann::json to_json(const AccountsResponse& r);
Result<AccountsResponse> parse_accounts_response(const nlohmann::json& j);

struct SetDefaultRequest {
  std::string email;
};
nlohmann::json to_json(const SetDefaultRequest& r);
Result<SetDefaultRequest> parse_set_default_request(const nlohmann::json& j);

struct LogoutResponse {
  std::string email;
  bool revoked = false;
  std::optional<std::string> revoke_error;
};
nlohmann::json to_json(const LogoutResponse& r);
Result<LogoutResponse> parse_logout_response(const nlohmann::json& j);

struct ImportAdcRequest {
  /// The ADC file's JSON object, as `gcloud auth application-default login` wrote it.
  nlohmann::json authorized_user;
  /// Must be absent or equal `[oauth] token_uri` of the daemon's config.toml (forbidden
  /// otherwise): the token endpoint is the daemon owner's choice, never a caller's.
  std::optional<std::string> token_uri;
};
nlohmann::json to_json(const ImportAdcRequest& r);
Result<ImportAdcRequest> parse_import_adc_request(const nlohmann::json& j);

}  // namespace bqb::api
