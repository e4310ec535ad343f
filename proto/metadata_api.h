#pragma once
// Metadata sessions: a metadata-server endpoint opened for one `bqbroker exec`, serving one
// account and one scope set to the child process through Google's client libraries.
//   POST   /v1/metadata-sessions {account?, scopes?, project?} → 201 MetadataSession
//     account: default account when absent; scopes: the account's granted scopes when absent
//     (checked like GET /v1/token: scope_not_granted, needs_login, not_found); project: the
//     project the endpoint reports (`project/project-id`), else the config's default_project,
//     else the account's project.
//     The endpoint listens on 127.0.0.1 with a port the OS picks. It is closed by
//     DELETE /v1/metadata-sessions/{id} (→ 204), or when the process that opened it (the
//     caller's SO_PEERCRED pid) exits — a crashed CLI never leaves an endpoint behind.
//   PUT    /v1/metadata-sessions/{id}/process {pid} → 204
//     From then on the session lives as long as process `pid` instead of its opener: what
//     `bqbroker exec` asks for its child right after starting it, so that the endpoint lives
//     exactly as long as the program it serves, even when the CLI itself is killed. Only the
//     opener may ask (403 otherwise), and only for its own child (403: another process; 404: no
//     such process).
// Parsing never throws: it returns invalid_json naming the field.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "proto/error.h"

namespace bqb::api {

/// POST /v1/metadata-sessions
struct MetadataSessionRequest {
  std::optional<std::string> account;
  std::vector<std::string> scopes;  // empty: the account's granted scopes; short names allowed
  std::optional<std::string> project;
};
nlohmann::json to_json(const MetadataSessionRequest& r);
Result<MetadataSessionRequest> parse_metadata_session_request(const nlohmann::json& j);

/// 201 answer to POST /v1/metadata-sessions.
struct MetadataSession {
  std::string session_id;
  std::string host;                    // "127.0.0.1:PORT": GCE_METADATA_HOST
  std::string account;                 // the account served
  std::vector<std::string> scopes;     // the scopes served, canonical
  std::optional<std::string> project;  // what project/project-id answers; absent: 404 there
};
nlohmann::json to_json(const MetadataSession& s);
Result<MetadataSession> parse_metadata_session(const nlohmann::json& j);

/// PUT /v1/metadata-sessions/{id}/process
struct MetadataSessionProcess {
  std::int64_t pid = 0;  // > 0
};
nlohmann::json to_json(const MetadataSessionProcess& p);
Result<MetadataSessionProcess> parse_metadata_session_process(const nlohmann::json& j);

}  // namespace bqb::api
