#include "client/lib/api_calls.h"

#include <string>
#include <utility>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "proto/routes.h"

namespace bqb::client {
namespace {

/// An e-mail address as one path segment: RFC 3986 pchars stay as they are ('@' too); '/', '?',
/// '%' and the rest are encoded.
std::string email_segment(std::string_view email) {
  return boost::urls::encode(email, boost::urls::pchars);
}

/// A daemon-made id (login, session) as one path segment.
std::string id_segment(std::string_view id) {
  return boost::urls::encode(id, boost::urls::unreserved_chars);
}

/// The outcome of a call whose answer has nothing the caller needs.
Status without_body(Result<Response> answer) {
  if (!answer) return tl::unexpected(std::move(answer).error());
  return {};
}

}  // namespace

Result<api::StatusResponse> get_status(DaemonClient& daemon) {
  BQB_TRY(answer, daemon.request(routes::kStatus));
  return api::parse_status_response(answer.body);
}

Result<api::AccountsResponse> list_accounts(DaemonClient& daemon) {
  BQB_TRY(answer, daemon.request(routes::kListAccounts));
  return api::parse_accounts_response(answer.body);
}

Result<api::AccountInfo> set_default_account(DaemonClient& daemon, const std::string& email) {
  BQB_TRY(answer, daemon.request(routes::kSetDefaultAccount, {},
                                 api::to_json(api::SetDefaultRequest{email})));
  return api::parse_account_info(answer.body, "the answer to PUT /v1/accounts/default");
}

Result<api::AccountInfo> import_account(DaemonClient& daemon,
                                        const api::ImportAdcRequest& request) {
  BQB_TRY(answer, daemon.request(routes::kImportAccount, {}, api::to_json(request)));
  return api::parse_account_info(answer.body, "the answer to POST /v1/accounts/import");
}

Result<api::LogoutResponse> remove_account(DaemonClient& daemon, std::string_view email) {
  BQB_TRY(answer, daemon.request(routes::kRemoveAccount, {{email_segment(email)}, {}}));
  return api::parse_logout_response(answer.body);
}

Result<api::LoginStarted> start_login(DaemonClient& daemon, const api::LoginStartRequest& request) {
  BQB_TRY(answer, daemon.request(routes::kStartLogin, {}, api::to_json(request)));
  return api::parse_login_started(answer.body);
}

Result<api::LoginStatus> login_state(DaemonClient& daemon, std::string_view login_id,
                                     std::chrono::seconds wait) {
  BQB_TRY(answer, daemon.request(routes::kLoginState, {{id_segment(login_id)},
                                                       "?wait=" + std::to_string(wait.count())}));
  return api::parse_login_status(answer.body);
}

Result<api::LoginStatus> send_login_redirect(DaemonClient& daemon, std::string_view login_id,
                                             std::string redirect_url) {
  BQB_TRY(answer, daemon.request(routes::kLoginRedirect, {{id_segment(login_id)}, {}},
                                 api::to_json(api::LoginRedirectRequest{std::move(redirect_url)})));
  return api::parse_login_status(answer.body);
}

Status cancel_login(DaemonClient& daemon, std::string_view login_id) {
  return without_body(daemon.request(routes::kCancelLogin, {{id_segment(login_id)}, {}}));
}

Result<api::MetadataSession> open_metadata_session(DaemonClient& daemon,
                                                   const api::MetadataSessionRequest& request) {
  BQB_TRY(answer, daemon.request(routes::kOpenMetadataSession, {}, api::to_json(request)));
  return api::parse_metadata_session(answer.body);
}

Status close_metadata_session(DaemonClient& daemon, std::string_view session_id) {
  return without_body(
      daemon.request(routes::kCloseMetadataSession, {{id_segment(session_id)}, {}}));
}

Status follow_metadata_session_process(DaemonClient& daemon, std::string_view session_id,
                                       pid_t pid) {
  return without_body(daemon.request(routes::kFollowMetadataSessionProcess,
                                     {{id_segment(session_id)}, {}},
                                     api::to_json(api::MetadataSessionProcess{pid})));
}

Result<StreamEnd> run_query(DaemonClient& daemon, const nlohmann::json& body,
                            const LineHandler& handler, nlohmann::json* error_object) {
  return daemon.stream(routes::kQuery, {}, body, handler, error_object);
}

}  // namespace bqb::client
