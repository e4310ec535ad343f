#pragma once
// The account endpoints (proto/accounts_api.h has the types, proto/openapi.yaml the contract):
//   GET    /v1/accounts            all accounts and the default
//   PUT    /v1/accounts/default    {"email"} → the account; unknown → 404
//   DELETE /v1/accounts/{email}    logout: revoke, delete from the store, forget
//   POST   /v1/accounts/import     {"authorized_user": ADC object, "token_uri"?} → 201 the account
// No response ever carries a refresh token or client secret.

#include "daemon/accounts/account.h"
#include "daemon/accounts/account_service.h"
#include "daemon/server/router.h"
#include "proto/accounts_api.h"

namespace bqb {

/// @returns the API view of `account`.
api::AccountInfo account_info(const Account& account, bool is_default);
/// @returns every account of `service` as the API shows it (GET /v1/accounts and GET /v1/status).
api::AccountsResponse accounts_response(const AccountService& service);

/// Adds the routes above to `router`. `service` must outlive the router.
void add_account_routes(http::Router& router, AccountService& service);

}  // namespace bqb
