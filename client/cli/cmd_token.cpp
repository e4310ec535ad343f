// bqbroker token [--account A] [--scope S]… [--min-valid SECONDS] [--format raw|json|header]:
// print an access token from the daemon. Scripts call this thousands of times, so it does one
// request on one connection and nothing else (no version check, no status call).

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/cli/command.h"
#include "client/cli/exit_codes.h"
#include "client/cli/token_text.h"
#include "client/lib/token_query.h"
#include "proto/token_api.h"

namespace bqb::cli {

namespace {

struct TokenOptions {
  client::TokenQuery query;
  std::string format = "raw";
};

}  // namespace

Action setup_token(CLI::App& sub) {
  auto o = std::make_shared<TokenOptions>();
  sub.add_option("--account", o->query.account, "The account (default: the default account)")
      ->type_name("EMAIL");
  sub.add_option("--scope", o->query.scopes,
                 "Ask for a token with only these scopes (repeatable; short names like "
                 "bigquery.readonly are allowed; default: every scope the account granted)")
      ->type_name("S")
      ->allow_extra_args(false);
  sub.add_option("--min-valid", o->query.min_valid,
                 "The token must stay valid at least this long (0 to " +
                     std::to_string(api::kMaxMinValidSeconds) + ")")
      ->type_name("SECONDS")
      ->check(CLI::Range(std::int64_t{0}, api::kMaxMinValidSeconds));
  sub.add_option("--format", o->format,
                 "raw: the token alone; header: `Authorization: Bearer TOKEN`, for curl -H "
                 "@<(bqbroker token --format header), which keeps it out of `ps`; json: the "
                 "daemon's answer with expiry, scopes and account")
      ->type_name("raw|json|header")
      ->check(CLI::IsMember({"raw", "json", "header"}))
      ->capture_default_str();
  sub.footer(
      "The token goes to standard output only. Exit code 4 when the account needs `bqbroker "
      "login`.");
  return [o](Context& ctx) -> Result<int> {
    // The check above admits only known names.
    const TokenFormat format = parse_token_format(o->format).value_or(TokenFormat::raw);
    BQB_TRY(daemon, ctx.connect());
    BQB_TRY(token, client::fetch_token(daemon, o->query));
    ctx.out << render_token(token, format);
    ctx.out.flush();
    if (!ctx.out) return fail(Errc::io_error, "cannot write the token to standard output");
    return kExitOk;
  };
}

}  // namespace bqb::cli
