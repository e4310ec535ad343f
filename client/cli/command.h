#pragma once
// The CLI's commands: each lives in its own file (cmd_<name>.cpp) and is listed once in the table
// in command.cpp. A command registers its options on its CLI11 subcommand and returns the Action
// that runs after parsing; errors are returned, and printed and mapped to an exit code in one
// place (cli_app.cpp).

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "client/lib/daemon_client.h"
#include "proto/error.h"

namespace CLI {
class App;
}

namespace bqb::cli {

/// Options given before the command; they apply to every command.
struct GlobalOptions {
  std::optional<std::string> socket;  // --socket PATH
};

/// What a command runs with.
struct Context {
  const GlobalOptions& global;
  std::ostream& out;
  std::ostream& err;
  /// Where interactive input comes from (a pasted redirect URL, a y/N answer): stdin, or a pipe
  /// in tests.
  int in_fd = 0;

  /// @returns the daemon's socket: --socket, $BQBROKER_SOCKET, $XDG_RUNTIME_DIR/…, /tmp/….
  std::filesystem::path socket_path() const;
  /// @returns a client connected to the daemon at socket_path().
  Result<client::DaemonClient> connect(client::ClientOptions options = {}) const;
};

/// A command's body. @returns the exit code, or the Error to report (exit_code_for decides the
/// code).
using Action = std::function<Result<int>(Context&)>;

struct Command {
  std::string_view name;
  std::string_view summary;
  /// Adds the command's options to `sub`, bound to state that the returned Action owns.
  Action (*setup)(CLI::App& sub);
};

/// @returns every command, in the order `--help` lists them.
std::span<const Command> commands();

// One setup function per command file.
Action setup_status(CLI::App& sub);    // cmd_status.cpp
Action setup_login(CLI::App& sub);     // cmd_login.cpp
Action setup_logout(CLI::App& sub);    // cmd_logout.cpp
Action setup_accounts(CLI::App& sub);  // cmd_accounts.cpp
Action setup_token(CLI::App& sub);     // cmd_token.cpp
Action setup_exec(CLI::App& sub);      // cmd_exec.cpp
Action setup_query(CLI::App& sub);     // cmd_query.cpp
Action setup_doctor(CLI::App& sub);    // cmd_doctor.cpp

}  // namespace bqb::cli
