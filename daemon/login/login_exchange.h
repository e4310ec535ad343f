#pragma once
// The last leg of a login: the authorization code exchanged at the client's token_uri
// (authorization_code grant with the PKCE verifier and the identical redirect_uri), the account's
// email read from the id_token, and the result shaped as the NewLogin the AccountService stores.

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "daemon/accounts/account_service.h"
#include "daemon/oauth/client_secrets.h"
#include "daemon/oauth/scopes.h"
#include "proto/error.h"
#include "proto/secret.h"

namespace bqb {

class HttpClient;

struct CodeExchange {
  oauth::ClientSecrets client;
  Secret code;
  std::string redirect_uri;  // byte-identical to the authorization request's
  Secret code_verifier;
  oauth::ScopeSet requested;  // used as the granted scopes when the answer has no `scope`
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

/// Exchanges `x.code` and @returns the login to store. Every token of the answer is registered
/// with Redactor::global() before anything else happens. Errors: the token endpoint's, classified
/// (a refused code is login_failed naming Google's reason; unreachable is upstream_unavailable);
/// upstream_error for an answer without an id_token or email. No message holds a secret.
boost::asio::awaitable<Result<NewLogin>> exchange_code(HttpClient& http, CodeExchange x);

}  // namespace bqb
