#include "proto/token_api.h"

#include <nlohmann/json.hpp>

#include "proto/json_fields.h"

namespace bqb::api {

namespace jf = json_fields;
using nlohmann::json;

json to_json(const AccessToken& t) {
  return json{{"access_token", t.access_token.reveal()},
              {"token_type", t.token_type},
              {"expires_in", t.expires_in},
              {"expires_at", t.expires_at},
              {"scopes", t.scopes},
              {"account", t.account}};
}

Result<AccessToken> parse_access_token(const json& j) {
  constexpr std::string_view kWhere = "the token response";
  if (!j.is_object()) return fail(Errc::invalid_json, "the token response must be a JSON object");
  BQB_TRY(token, jf::required_string(j, "access_token", kWhere));
  BQB_TRY(type, jf::required_string(j, "token_type", kWhere));
  BQB_TRY(expires_in, jf::required_int(j, "expires_in", kWhere));
  BQB_TRY(expires_at, jf::required_string(j, "expires_at", kWhere));
  BQB_TRY(scopes, jf::optional_string_list(j, "scopes", kWhere));
  BQB_TRY(account, jf::required_string(j, "account", kWhere));
  if (token.empty()) {
    return fail(Errc::invalid_json, "field 'access_token' in the token response is empty");
  }
  return AccessToken{Secret(std::move(token)), std::move(type),   expires_in,
                     std::move(expires_at),    std::move(scopes), std::move(account)};
}

}  // namespace bqb::api
