// bqbroker logout [EMAIL]: revoke an account's refresh token at Google and forget the account
// (the default account when EMAIL is not given).

#include <memory>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "client/cli/accounts_text.h"
#include "client/cli/command.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/lib/api_calls.h"
#include "proto/accounts_api.h"

namespace bqb::cli {

Action setup_logout(CLI::App& sub) {
  auto email = std::make_shared<std::string>();
  sub.add_option("EMAIL", *email, "The account to sign out (default: the default account)");
  return [email](Context& ctx) -> Result<int> {
    BQB_TRY(daemon, ctx.connect());
    std::string account = *email;
    if (account.empty()) {
      BQB_TRY(accounts, client::list_accounts(daemon));
      if (!accounts.default_email) {
        return fail(
            Errc::not_found,
            accounts.accounts.empty() ? "no account is signed in" : "there is no default account",
            "name the account: bqbroker logout EMAIL (see `bqbroker accounts`)");
      }
      account = *accounts.default_email;
    }
    BQB_TRY(result, client::remove_account(daemon, account));
    if (!result.revoked) {
      ctx.err << render_warning("deleted locally; revoking at Google failed: " +
                                result.revoke_error.value_or("no reason given"));
    }
    ctx.out << render_signed_out(result);
    return kExitOk;
  };
}

}  // namespace bqb::cli
