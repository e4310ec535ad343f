#include "client/command.h"

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
  };
  return kCommands;
}

}  // namespace bqb::cli
