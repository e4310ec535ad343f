#include "proto/metadata_api.h"

#include <sys/types.h>

#include <limits>

#include <nlohmann/json.hpp>

#include "proto/json_fields.h"

namespace bqb::api {

namespace jf = json_fields;
using nlohmann::json;

json to_json(const MetadataSessionRequest& r) {
  json j = json::object();
  if (r.account) j["account"] = *r.account;
  if (!r.scopes.empty()) j["scopes"] = r.scopes;
  if (r.project) j["project"] = *r.project;
  return j;
}

Result<MetadataSessionRequest> parse_metadata_session_request(const json& j) {
  constexpr std::string_view kWhere = "the metadata session request";
  if (!j.is_object()) {
    return fail(Errc::invalid_json, "the metadata session request must be a JSON object");
  }
  BQB_TRY(account, jf::optional_string(j, "account", kWhere));
  BQB_TRY(scopes, jf::optional_string_list(j, "scopes", kWhere));
  BQB_TRY(project, jf::optional_string(j, "project", kWhere));
  return MetadataSessionRequest{std::move(account), std::move(scopes), std::move(project)};
}

json to_json(const MetadataSession& s) {
  json j{
      {"session_id", s.session_id}, {"host", s.host}, {"account", s.account}, {"scopes", s.scopes}};
  if (s.project) j["project"] = *s.project;
  return j;
}

Result<MetadataSession> parse_metadata_session(const json& j) {
  constexpr std::string_view kWhere = "the metadata session";
  if (!j.is_object()) return fail(Errc::invalid_json, "the metadata session must be a JSON object");
  BQB_TRY(id, jf::required_string(j, "session_id", kWhere));
  BQB_TRY(host, jf::required_string(j, "host", kWhere));
  BQB_TRY(account, jf::required_string(j, "account", kWhere));
  BQB_TRY(scopes, jf::optional_string_list(j, "scopes", kWhere));
  BQB_TRY(project, jf::optional_string(j, "project", kWhere));
  return MetadataSession{std::move(id), std::move(host), std::move(account), std::move(scopes),
                         std::move(project)};
}

json to_json(const MetadataSessionProcess& p) { return json{{"pid", p.pid}}; }

Result<MetadataSessionProcess> parse_metadata_session_process(const json& j) {
  constexpr std::string_view kWhere = "the metadata session's process";
  if (!j.is_object()) {
    return fail(Errc::invalid_json, "the metadata session's process must be a JSON object");
  }
  BQB_TRY(pid, jf::required_int(j, "pid", kWhere));
  if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) {
    return fail(Errc::invalid_json, "'pid' in the metadata session's process must be a process id");
  }
  return MetadataSessionProcess{pid};
}

}  // namespace bqb::api
