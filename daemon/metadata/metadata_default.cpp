#include "daemon/metadata/metadata_default.h"

#include <fmt/format.h>

namespace bqb {

MetadataIdentityProvider default_account_identity(const AccountService& accounts,
                                                  std::optional<std::string> default_project,
                                                  std::optional<std::string> numeric_project_id) {
  return [&accounts, default_project, numeric_project_id]() -> Result<metadata::MetadataIdentity> {
    const auto email = accounts.default_email();
    if (!email) {
      return fail(Errc::needs_login, "no Google account is logged in to bqbroker",
                  "bqbroker login");
    }
    const auto account = accounts.find(*email);
    if (!account) return fail(Errc::not_found, fmt::format("the account {} is gone", *email));
    BQB_TRY(scopes, oauth::ScopeSet::from_list(account->scopes,
                                               fmt::format("the granted scopes of {}", *email)));
    auto project = default_project ? default_project : account->project_id;
    auto number = metadata::numeric_project_for(project, default_project, numeric_project_id);
    return metadata::MetadataIdentity{*email, std::move(scopes), std::move(project),
                                      std::move(number)};
  };
}

}  // namespace bqb
