#include "client/cli/command.h"

#include <array>

#include "proto/socket_path.h"

namespace bqb::cli {

std::filesystem::path Context::socket_path() const {
  return resolve_socket_path(socket_path_inputs_from_env(global.socket));
}

Result<client::DaemonClient> Context::connect(client::ClientOptions options) const {
  return client::DaemonClient::connect(socket_path(), options);
}

std::span<const Command> commands() {
  static constexpr std::array kCommands{
      Command{"status", "Show the daemon's version, uptime, secret store and accounts",
              &setup_status},
      Command{"login", "Sign in with Google (or import gcloud's application-default credentials)",
              &setup_login},
      Command{"logout", "Sign out an account: revoke its refresh token and forget it",
              &setup_logout},
      Command{"accounts", "List the signed-in accounts, or choose the default one",
              &setup_accounts},
      Command{"token",
              "Print an access token (for scripts: curl -H @<(bqbroker token --format header))",
              &setup_token},
      Command{"exec", "Run a command that gets tokens through Google's client libraries",
              &setup_exec},
      Command{"query", "Run a BigQuery query and print its rows as they arrive", &setup_query},
      Command{"doctor", "Check what token and query need, and say how to fix what is wrong",
              &setup_doctor},
  };
  return kCommands;
}

}  // namespace bqb::cli
