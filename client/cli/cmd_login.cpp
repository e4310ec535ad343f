// bqbroker login: start the daemon's OAuth flow, open the browser (or show the URL), and wait
// for the loopback redirect or a pasted redirect address. With --import-adc: hand gcloud's
// application-default credentials to the daemon instead.

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/cli/browser.h"
#include "client/cli/command.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/cli/import_adc.h"
#include "client/cli/json_file.h"
#include "client/cli/login_text.h"
#include "client/cli/login_wait.h"
#include "client/lib/api_calls.h"
#include "proto/login_api.h"

namespace bqb::cli {
namespace {

/// 128 + SIGINT, as shells report a command ended by Ctrl-C.
constexpr int kExitInterrupted = 130;
/// Waiting goes on this long after the daemon's expires_in, so that the daemon's own
/// login_timeout (with its message) normally arrives first.
constexpr std::int64_t kTimeoutGraceSeconds = 10;

struct LoginOptions {
  std::optional<std::string> client_secrets;
  std::vector<std::string> scopes;
  bool no_default_scopes = false;
  std::optional<std::string> login_hint;
  bool no_browser = false;
  std::optional<std::int64_t> timeout;
  std::string import_adc;  // empty: the default file
  const CLI::Option* import_adc_given = nullptr;
};

Result<int> login(Context& ctx, const LoginOptions& o) {
  api::LoginStartRequest request;
  if (o.client_secrets) {
    BQB_TRY(secrets, read_json_object_file(*o.client_secrets));
    request.client_secrets = std::move(secrets);
  }
  request.scopes = o.scopes;
  request.no_default_scopes = o.no_default_scopes;
  request.login_hint = o.login_hint;

  BQB_TRY(daemon, ctx.connect());
  BQB_TRY(started, client::start_login(daemon, request));

  bool opened = false;
  if (!o.no_browser && display_available()) {
    auto status = open_browser(started.auth_url);
    if (status) {
      ctx.err << "Opened the sign-in page in your browser; waiting for you to finish there.\n";
      opened = true;
    } else {
      ctx.err << render_warning(status.error().message);
    }
  }
  // Pasting is offered whenever the browser may be elsewhere, and on a terminal anyway (a local
  // browser may still fail to reach the loopback, e.g. inside a sandbox).
  bool read_paste = o.no_browser || ::isatty(ctx.in_fd) == 1;
  if (!opened) {
    ctx.err << render_login_instructions(started, read_paste);
  } else if (read_paste) {
    ctx.err << "If the browser cannot reach this machine, paste the address it was sent to and "
               "press Enter.\n";
  }
  ctx.err.flush();

  LoginWaitOptions wait;
  wait.paste_fd = read_paste ? ctx.in_fd : -1;
  wait.timeout =
      std::chrono::seconds(o.timeout.value_or(started.expires_in + kTimeoutGraceSeconds));
  BQB_TRY(result, wait_for_login(daemon, started, wait, ctx.err));
  if (result.interrupted) {
    ctx.err << "\nLogin cancelled.\n";
    return kExitInterrupted;
  }
  if (result.status.state == api::LoginState::failed) {
    return tl::unexpected(result.status.error.value_or(
        Error{Errc::login_failed, "the login failed", "run `bqbroker login` again"}));
  }
  ctx.out << render_signed_in(result.status.account.value_or("(unknown account)"));
  return kExitOk;
}

}  // namespace

Action setup_login(CLI::App& sub) {
  auto o = std::make_shared<LoginOptions>();
  sub.add_option("--client-secrets", o->client_secrets,
                 "client_secrets.json of an OAuth client of type \"Desktop app\" (default: the "
                 "config's client_secrets)")
      ->type_name("FILE");
  sub.add_option("--scope", o->scopes,
                 "An OAuth scope to ask for besides the defaults (repeatable; short names like "
                 "cloud-platform are expanded)")
      ->type_name("S")
      ->allow_extra_args(false);
  sub.add_flag("--no-default-scopes", o->no_default_scopes,
               "Ask only for the --scope scopes (openid and email are always asked for)");
  sub.add_option("--login-hint", o->login_hint, "The Google account to preselect")
      ->type_name("EMAIL");
  sub.add_flag("--no-browser", o->no_browser,
               "Do not open a browser: print the address, and read the redirect address pasted "
               "back");
  sub.add_option("--timeout", o->timeout, "Give up after this many seconds")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);
  auto* secrets_option = sub.get_option("--client-secrets");
  o->import_adc_given =
      sub.add_option("--import-adc", o->import_adc,
                     "Import the authorized_user credentials that `gcloud auth application-default "
                     "login` wrote (default FILE: " +
                         std::string(kDefaultAdcPathText) + ")")
          ->type_name("[FILE]")
          ->expected(0, 1)
          ->excludes(secrets_option);
  return [o](Context& ctx) -> Result<int> {
    if (o->import_adc_given->count() > 0) return import_adc(ctx, o->import_adc);
    return login(ctx, *o);
  };
}

}  // namespace bqb::cli
