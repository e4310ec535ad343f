#pragma once
// The socket API (proto/openapi.yaml) as typed calls, one per operation of proto/routes.h that a
// program wants parsed: a C++ program links bqbroker_client_lib and calls these on a connected
// DaemonClient. GET /v1/token is client/lib/token_query.h; a program that wants the daemon's JSON
// as it is (`--json`) calls DaemonClient::request(routes::…) itself.
//
// Every call @returns the parsed answer, or the daemon's error (the API's error envelope, e.g.
// not_found for an unknown account or login), or the connection's (daemon_unreachable,
// io_error), or invalid_json when the answer does not parse.

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "client/lib/daemon_client.h"
#include "proto/accounts_api.h"
#include "proto/api.h"
#include "proto/error.h"
#include "proto/login_api.h"
#include "proto/metadata_api.h"

namespace bqb::client {

/// GET /v1/status.
Result<api::StatusResponse> get_status(DaemonClient& daemon);

/// GET /v1/accounts.
Result<api::AccountsResponse> list_accounts(DaemonClient& daemon);
/// PUT /v1/accounts/default. @returns the new default account.
Result<api::AccountInfo> set_default_account(DaemonClient& daemon, const std::string& email);
/// POST /v1/accounts/import. @returns the imported account.
Result<api::AccountInfo> import_account(DaemonClient& daemon, const api::ImportAdcRequest& request);
/// DELETE /v1/accounts/{email}: signs the account out (and revokes its token at Google).
Result<api::LogoutResponse> remove_account(DaemonClient& daemon, std::string_view email);

/// POST /v1/login. @returns the flow's id and the address the browser opens.
Result<api::LoginStarted> start_login(DaemonClient& daemon, const api::LoginStartRequest& request);
/// GET /v1/login/{id}: the daemon answers when the flow leaves pending or after `wait`, whichever
/// comes first (0: at once).
Result<api::LoginStatus> login_state(DaemonClient& daemon, std::string_view login_id,
                                     std::chrono::seconds wait);
/// POST /v1/login/{id}/redirect: the address the browser ended on, pasted by the user.
Result<api::LoginStatus> send_login_redirect(DaemonClient& daemon, std::string_view login_id,
                                             std::string redirect_url);
/// DELETE /v1/login/{id}.
Status cancel_login(DaemonClient& daemon, std::string_view login_id);

/// POST /v1/metadata-sessions.
Result<api::MetadataSession> open_metadata_session(DaemonClient& daemon,
                                                   const api::MetadataSessionRequest& request);
/// DELETE /v1/metadata-sessions/{id}.
Status close_metadata_session(DaemonClient& daemon, std::string_view session_id);
/// PUT /v1/metadata-sessions/{id}/process: the session lives as long as `pid` (our child).
Status follow_metadata_session_process(DaemonClient& daemon, std::string_view session_id,
                                       pid_t pid);

/// POST /v1/query with `body` (api::to_json of an api::QueryRequest): hands each NDJSON line to
/// `handler` (client/lib/query_events.h parses them), as DaemonClient::stream() says.
Result<StreamEnd> run_query(DaemonClient& daemon, const nlohmann::json& body,
                            const LineHandler& handler, nlohmann::json* error_object = nullptr);

}  // namespace bqb::client
