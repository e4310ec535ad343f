#include "daemon/login/login_exchange.h"

#include <fmt/format.h>

#include "daemon/base/redact.h"
#include "daemon/net/http_client.h"
#include "daemon/oauth/form.h"
#include "daemon/oauth/id_token.h"
#include "daemon/oauth/token_exchange.h"

namespace bqb {

boost::asio::awaitable<Result<NewLogin>> exchange_code(HttpClient& http, CodeExchange x) {
  auto& redactor = Redactor::global();
  redactor.remember(x.code.reveal());
  redactor.remember(x.code_verifier.reveal());
  redactor.remember(x.client.client_secret.reveal());

  const oauth::OAuthClient client = x.client.client();
  HttpRequest request;
  request.method = "POST";
  request.url = client.token_uri;
  request.headers = {{"Content-Type", std::string(oauth::kFormContentType)},
                     {"Accept", "application/json"}};
  request.body =
      oauth::authorization_code_body(client, x.code, x.redirect_uri, x.code_verifier).reveal();
  request.timeout = x.timeout;
  auto response = co_await http.send(std::move(request));
  if (!response) {
    Error e = std::move(response).error();
    e.message = fmt::format("the authorization code could not be exchanged: {}", e.message);
    co_return tl::unexpected(std::move(e));
  }

  BQB_CO_TRY(token,
             oauth::parse_token_response(response->status, response->body,
                                         oauth::Grant::authorization_code, client.token_uri));
  redactor.remember(token.access_token.reveal());
  if (token.refresh_token) redactor.remember(token.refresh_token->reveal());
  if (token.id_token) redactor.remember(token.id_token->reveal());

  const std::string where = fmt::format("the id_token from {}", client.token_uri);
  if (!token.id_token) {
    co_return fail(Errc::upstream_error,
                   fmt::format("the answer of {} has no id_token, so the account is unknown",
                               client.token_uri),
                   "the login must ask for the openid and email scopes");
  }
  BQB_CO_TRY(claims, oauth::decode_id_token(token.id_token->reveal(), where));

  NewLogin login;
  login.email = std::move(claims.email);
  login.client = client;
  login.auth_uri = x.client.auth_uri;
  login.project_id = x.client.project_id;
  login.granted_scopes = token.scopes ? token.scopes->items() : x.requested.items();
  login.refresh_token = std::move(token.refresh_token);
  co_return login;
}

}  // namespace bqb
