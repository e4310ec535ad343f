#pragma once
// Where the daemon listens and the clients connect. Daemon and CLI resolve it the same way:
// --socket PATH, then $BQBROKER_SOCKET, then $XDG_RUNTIME_DIR/bqbroker/bqbroker.sock, then
// /tmp/bqbroker-$UID/bqbroker.sock. Anyone can create a directory in /tmp first: clients check
// what they find at the path before they talk to it (client/lib/socket_trust.h).

#include <filesystem>
#include <optional>
#include <string>

#include <sys/types.h>

namespace bqb {

struct SocketPathInputs {
  std::optional<std::string> flag;             // --socket
  std::optional<std::string> env_socket;       // $BQBROKER_SOCKET
  std::optional<std::string> xdg_runtime_dir;  // $XDG_RUNTIME_DIR
  uid_t uid = 0;
};

/// @returns the socket path for `in`. Empty strings count as unset. Pure.
std::filesystem::path resolve_socket_path(const SocketPathInputs& in);

/// @returns the inputs read from this process's environment and uid, with `flag` as given.
SocketPathInputs socket_path_inputs_from_env(std::optional<std::string> flag);

}  // namespace bqb
