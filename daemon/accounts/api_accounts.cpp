#include "daemon/accounts/api_accounts.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/accounts/adc_file.h"
#include "proto/routes.h"

namespace bqb {

namespace asio = boost::asio;
using asio::awaitable;

api::AccountInfo account_info(const Account& account, bool is_default) {
  api::AccountInfo a;
  a.email = account.email;
  a.client_id = account.client_id;
  a.project_id = account.project_id;
  a.scopes = account.scopes;
  a.is_default = is_default;
  a.state = std::string(to_string(account.state));
  if (account.state == AccountState::needs_login) {
    if (!account.state_reason.empty()) a.reason = account.state_reason;
    if (account.state_since) a.since = format_utc(*account.state_since);
  }
  a.added_at = format_utc(account.added_at);
  return a;
}

api::AccountsResponse accounts_response(const AccountService& service) {
  api::AccountsResponse r;
  r.default_email = service.default_email();
  for (const Account& account : service.list()) {
    r.accounts.push_back(account_info(account, r.default_email == account.email));
  }
  return r;
}

namespace {

http::Response account_response(int status, const AccountService& service, const Account& account) {
  return http::json_response(
      status, api::to_json(account_info(account, service.default_email() == account.email)));
}

awaitable<http::Response> list_accounts(AccountService& service, http::RequestContext&) {
  co_return http::json_response(200, api::to_json(accounts_response(service)));
}

awaitable<http::Response> put_default(AccountService& service, http::RequestContext& ctx) {
  auto body = http::json_body(ctx);
  if (!body) co_return http::error_response(body.error());
  auto req = api::parse_set_default_request(*body);
  if (!req) co_return http::error_response(req.error());
  auto account = co_await service.set_default(req->email);
  if (!account) co_return http::error_response(account.error());
  co_return account_response(200, service, *account);
}

awaitable<http::Response> delete_account(AccountService& service, http::RequestContext& ctx) {
  auto result = co_await service.logout(ctx.params.at(0));
  if (!result) co_return http::error_response(result.error());
  co_return http::json_response(
      200, api::to_json(api::LogoutResponse{result->email, result->revoked, result->revoke_error}));
}

struct ImportRequest {
  oauth::AuthorizedUser adc;
  std::optional<std::string> token_uri;
};

/// @returns the ADC credentials a POST /v1/accounts/import carries and the token_uri it names.
/// A plain function, so that the coroutine below keeps a small frame.
Result<ImportRequest> import_request(const http::RequestContext& ctx) {
  BQB_TRY(body, http::json_body(ctx));
  BQB_TRY(req, api::parse_import_adc_request(body));
  BQB_TRY(adc, oauth::parse_adc_file(req.authorized_user.dump(),
                                     "the request's authorized_user (an ADC file)"));
  return ImportRequest{std::move(adc), std::move(req.token_uri)};
}

awaitable<http::Response> import_adc(AccountService& service, http::RequestContext& ctx) {
  auto req = import_request(ctx);
  if (!req) co_return http::error_response(req.error());
  auto account = co_await service.import_adc(std::move(req->adc), std::move(req->token_uri));
  if (!account) co_return http::error_response(account.error());
  co_return account_response(201, service, *account);
}

}  // namespace

void add_account_routes(http::Router& router, AccountService& service) {
  auto bind = [&service](auto fn) {
    return [&service, fn](http::RequestContext& ctx) -> awaitable<http::Response> {
      return fn(service, ctx);
    };
  };
  router.add(routes::kListAccounts, bind(list_accounts));
  router.add(routes::kSetDefaultAccount, bind(put_default));
  router.add(routes::kImportAccount, bind(import_adc));
  router.add(routes::kRemoveAccount, bind(delete_account));
}

}  // namespace bqb
