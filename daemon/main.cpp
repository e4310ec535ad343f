// bqbrokerd: reads the command line, then builds the Daemon and runs it until SIGTERM/SIGINT.

#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "bqbroker_version.h"
#include "daemon/base/config_file.h"
#include "daemon/base/paths.h"
#include "daemon/base/process_hardening.h"
#include "daemon/daemon.h"

namespace {

/// Prints why the daemon cannot start. @returns the exit code for that (1).
int startup_failed(const bqb::Error& e) {
  std::fprintf(stderr, "bqbrokerd: %s\n", e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "hint: %s\n", e.hint.c_str());
  return 1;
}

/// --check-config: loads the configuration file as a start would, and nothing else. `bqbroker
/// doctor` runs it when no daemon answers, to tell a file that stops every start from other
/// causes. @returns 0 after printing the file's path on stdout, else startup_failed's 1.
int check_config(const bqb::DaemonFlags& flags) {
  auto location = bqb::resolve_config_path(bqb::path_env_from_environment(), flags.config);
  if (!location) return startup_failed(location.error());
  auto loaded = bqb::load_config_file(*location);
  if (!loaded) return startup_failed(loaded.error());
  std::printf("%s\n", loaded->path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bqbrokerd: the bqbroker daemon. Keeps your Google OAuth login in the desktop keyring and\n"
      "serves access tokens and BigQuery queries to local programs over a Unix socket.\n"
      "Usually started by systemd: systemctl --user enable --now bqbroker.socket",
      "bqbrokerd"};
  bqb::DaemonFlags flags;
  app.add_option("--socket", flags.socket,
                 "Unix socket to listen on (default: $BQBROKER_SOCKET, else "
                 "$XDG_RUNTIME_DIR/bqbroker/bqbroker.sock, else /tmp/bqbroker-$UID/bqbroker.sock)");
  app.add_option("--config", flags.config,
                 "configuration file (default: $BQBROKER_CONFIG, else "
                 "$XDG_CONFIG_HOME/bqbroker/config.toml)");
  app.add_option(
      "--log-level", flags.log_level,
      "trace, debug, info, warn, error, critical or off (default: config's log_level, info)");
  bool check_config_only = false;
  app.add_flag("--check-config", check_config_only,
               "load the configuration file, print its path when it is valid (else why not), and "
               "exit without starting");
  app.set_version_flag("--version", std::string("bqbrokerd ") + bqb::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (check_config_only) return check_config(flags);
  // Before any secret is in memory; in main rather than in Daemon, so that the unit tests that
  // build a Daemon in their own process stay debuggable.
  if (auto hardened = bqb::harden_process(); !hardened) return startup_failed(hardened.error());
  try {
    auto daemon = bqb::Daemon::create(flags);
    if (!daemon) return startup_failed(daemon.error());
    return (*daemon)->run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bqbrokerd: fatal: %s\n", e.what());
    return 1;
  }
}
