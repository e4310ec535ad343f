#pragma once
// The identity the permanent metadata endpoint (`[metadata] listen`) serves: whatever account is
// the default at the time of each request, with all the scopes it granted.

#include <optional>
#include <string>

#include "daemon/accounts/account_service.h"
#include "daemon/metadata/metadata_server.h"

namespace bqb {

/// @returns a provider answering the default account of `accounts` (which must outlive it), its
/// granted scopes, and `default_project` or else the account's project (with
/// `numeric_project_id`, the number of `default_project`, beside that project only);
/// needs_login (hint `bqbroker login`) while no account exists.
MetadataIdentityProvider default_account_identity(const AccountService& accounts,
                                                  std::optional<std::string> default_project,
                                                  std::optional<std::string> numeric_project_id);

}  // namespace bqb
