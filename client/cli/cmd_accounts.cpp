// bqbroker accounts [--json]: the signed-in accounts; bqbroker accounts default EMAIL: choose
// the account used when none is named.

#include <memory>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "client/cli/accounts_text.h"
#include "client/cli/command.h"
#include "client/cli/exit_codes.h"
#include "client/lib/api_calls.h"
#include "proto/accounts_api.h"
#include "proto/json_text.h"
#include "proto/routes.h"

namespace bqb::cli {
namespace {

struct AccountsOptions {
  bool json = false;
  std::string default_email;
  const CLI::App* default_command = nullptr;
};

Result<int> set_default(Context& ctx, const std::string& email) {
  BQB_TRY(daemon, ctx.connect());
  BQB_TRY(account, client::set_default_account(daemon, email));
  ctx.out << "Default account: " << account.email << "\n";
  return kExitOk;
}

Result<int> list(Context& ctx, bool json) {
  BQB_TRY(daemon, ctx.connect());
  BQB_TRY(answer, daemon.request(routes::kListAccounts));
  if (json) {
    ctx.out << json_text(answer.body, 2) << '\n';
    return kExitOk;
  }
  BQB_TRY(accounts, api::parse_accounts_response(answer.body));
  ctx.out << render_accounts(accounts);
  return kExitOk;
}

}  // namespace

Action setup_accounts(CLI::App& sub) {
  auto o = std::make_shared<AccountsOptions>();
  sub.add_flag("--json", o->json,
               "Print the daemon's JSON answer (GET /v1/accounts, see proto/openapi.yaml)");
  CLI::App* def = sub.add_subcommand("default", "Make EMAIL the default account");
  def->add_option("EMAIL", o->default_email, "A signed-in account")->required();
  o->default_command = def;
  return [o](Context& ctx) -> Result<int> {
    if (o->default_command->parsed()) return set_default(ctx, o->default_email);
    return list(ctx, o->json);
  };
}

}  // namespace bqb::cli
