#include "proto/api.h"

#include "proto/json_fields.h"

namespace bqb::api {

using nlohmann::json;

json error_body(const Error& e) {
  json inner = {{"code", std::string(to_string(e.code))}, {"message", e.message}};
  if (!e.hint.empty()) inner["hint"] = e.hint;
  return json{{"error", std::move(inner)}};
}

Result<Error> parse_error_body(const json& body) {
  constexpr std::string_view kWhere = "error response";
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) {
    return fail(Errc::invalid_json, "the daemon's error response has no 'error' object");
  }
  const json& e = body["error"];
  BQB_TRY(code, json_fields::required_string(e, "code", kWhere));
  BQB_TRY(message, json_fields::required_string(e, "message", kWhere));
  BQB_TRY(hint, json_fields::optional_string(e, "hint", kWhere));
  // A code this client does not know (a newer daemon) still carries its message.
  return Error{errc_from_string(code).value_or(Errc::internal), std::move(message),
               hint.value_or("")};
}

json to_json(const StatusResponse& s) {
  return json{{"version", s.version},       {"pid", s.pid},     {"uptime_seconds", s.uptime_seconds},
              {"socket", s.socket},         {"store", s.store}, {"accounts", s.accounts}};
}

Result<StatusResponse> parse_status_response(const json& j) {
  constexpr std::string_view kWhere = "status response";
  StatusResponse s;
  BQB_TRY(version, json_fields::required_string(j, "version", kWhere));
  BQB_TRY(pid, json_fields::required_int(j, "pid", kWhere));
  BQB_TRY(uptime, json_fields::required_int(j, "uptime_seconds", kWhere));
  BQB_TRY(socket, json_fields::required_string(j, "socket", kWhere));
  BQB_TRY(store, json_fields::optional_string(j, "store", kWhere));
  s.version = std::move(version);
  s.pid = pid;
  s.uptime_seconds = uptime;
  s.socket = std::move(socket);
  s.store = store.value_or("");
  if (auto it = j.find("accounts"); it != j.end() && it->is_array()) {
    s.accounts.assign(it->begin(), it->end());
  }
  return s;
}

}  // namespace bqb::api
