#pragma once
// The human text of `bqbroker accounts` and `bqbroker logout`, and the accounts API's targets.

#include <string>

#include "proto/accounts_api.h"

namespace bqb::cli {

/// @returns one aligned row per account — a `*` marking the default, email, state (with the
/// reason when it needs a login), project, scopes in short form — under a header line; or the
/// "No accounts." advice when there are none.
std::string render_accounts(const api::AccountsResponse& accounts);

/// @returns "Signed out EMAIL (token revoked)\n" or "Signed out EMAIL\n" when revoking failed.
std::string render_signed_out(const api::LogoutResponse& r);

}  // namespace bqb::cli
