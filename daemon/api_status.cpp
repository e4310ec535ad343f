#include "daemon/api_status.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bqbroker_version.h"
#include "daemon/accounts/account.h"
#include "daemon/accounts/api_accounts.h"
#include "daemon/tokens/token_service.h"
#include "proto/api.h"
#include "proto/routes.h"

namespace bqb {

namespace {

/// Adds `token_expires_at` and `last_error` ({"code", "message", "at"}) to `account`'s JSON.
void add_token_state(nlohmann::json& account, const TokenService& tokens) {
  auto state = tokens.account_state(account.value("email", ""));
  auto utc = [](std::chrono::system_clock::time_point t) {
    return format_utc(std::chrono::floor<std::chrono::seconds>(t));
  };
  if (state.token_expires_at) account["token_expires_at"] = utc(*state.token_expires_at);
  if (state.last_error) {
    nlohmann::json e = {{"code", to_string(state.last_error->code)},
                        {"message", state.last_error->message}};
    if (state.last_error_at) e["at"] = utc(*state.last_error_at);
    account["last_error"] = std::move(e);
  }
}

}  // namespace

void add_status_routes(http::Router& router, const StatusInfo& info) {
  router.add(routes::kStatus,
             [&info](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
               api::StatusResponse s;
               s.version = kVersion;
               s.pid = ::getpid();
               s.uptime_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::steady_clock::now() - info.started)
                                      .count();
               s.socket = info.socket.string();
               s.store = info.store;
               if (info.accounts != nullptr) {
                 s.store = std::string(info.accounts->store_kind());
                 for (const auto& a : accounts_response(*info.accounts).accounts) {
                   s.accounts.push_back(api::to_json(a));
                   if (info.tokens != nullptr) add_token_state(s.accounts.back(), *info.tokens);
                 }
               }
               co_return http::json_response(200, api::to_json(s));
             });
}

}  // namespace bqb
