#include "client/cli/cli_app.h"

#include <exception>
#include <ostream>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/cli/command.h"
#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/cli/version_check.h"

namespace bqb::cli {
namespace {

constexpr const char* kDescription =
    "bqbroker: the command line of bqbrokerd, the per-user broker of Google BigQuery credentials "
    "and queries.";

/// CLI11's failure message, in the CLI's error format.
std::string failure_message(const CLI::App* app, const CLI::Error& e) {
  std::string name = app->get_name();
  return render_error(Error{Errc::bad_request, e.what(), "run `" + name + " --help` for usage"});
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{kDescription, "bqbroker"};
  app.footer(std::string(exit_code_help()));
  app.failure_message(failure_message);
  app.require_subcommand(0, 1);
  app.get_formatter()->label("Subcommands", "Commands");
  app.get_formatter()->label("SUBCOMMAND", "COMMAND");

  GlobalOptions global;
  app.add_option("--socket", global.socket,
                 "The daemon's socket (default: $BQBROKER_SOCKET, else "
                 "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock, else /tmp/bqbroker-$UID/bqbroker.sock). "
                 "It and its directory must be yours, not symbolic links, and not writable by "
                 "others; the daemon must run as you")
      ->type_name("PATH");
  bool version = false;
  app.add_flag("--version", version, "Print the version of bqbroker and of the running daemon");

  std::vector<std::pair<const CLI::App*, Action>> actions;
  for (const Command& c : commands()) {
    CLI::App* sub = app.add_subcommand(std::string(c.name), std::string(c.summary));
    actions.emplace_back(sub, c.setup(*sub));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help arrives here too, as an "error" whose exit code is 0.
    return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
  }

  Context ctx{global, out, err};
  if (version) return print_versions(ctx);
  for (auto& [sub, action] : actions) {
    if (!sub->parsed()) continue;
    Result<int> result = action(ctx);
    if (result) return *result;
    err << render_error(result.error());
    return exit_code_for(result.error().code);
  }
  err << render_error(Error{Errc::bad_request, "a command is required", ""}) << '\n' << app.help();
  return kExitUsage;
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    return run(argc, argv, out, err);
  } catch (const std::exception& e) {
    err << render_error(Error{Errc::internal, std::string("internal error: ") + e.what(),
                              "this is a bug in bqbroker; please report it"});
    return kExitFailed;
  }
}

}  // namespace bqb::cli
