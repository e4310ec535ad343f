#pragma once
// Before a client sends the daemon a byte: is what waits at the socket path this user's own?
// Without $XDG_RUNTIME_DIR the socket is /tmp/bqbroker-$UID/bqbroker.sock, and any local user
// can create that directory first and listen there; a client that connected and sent its request
// would hand them a refresh token, a client secret or SQL, and take whatever token came back.
//
// Two checks, both needed:
// - the paths, before connecting: the socket's directory must be a real directory (not a
//   symbolic link) of this effective uid that no one else can write to (so no one else can
//   replace the socket in it), and the socket a real socket of this uid, not writable by others.
//   These give a clear refusal that names the path and its owner.
// - the peer, right after connecting: SO_PEERCRED's uid (who called listen()) must be this uid
//   or root. This one holds even if a path is swapped between the check and connect().

#include <filesystem>

#include <sys/types.h>

#include "proto/error.h"

namespace bqb::client {

/// Checks `socket`'s directory and then `socket` against the rule above, for the effective uid.
/// A path that does not exist, or that cannot be inspected, passes: connecting then reports that
/// no daemon listens there.
/// @returns daemon_unreachable naming the refused path, its owner and what is wrong, with a hint.
Status check_socket_path(const std::filesystem::path& socket);

/// Checks that the listener at the other end of `fd`, connected to `socket`, runs as the
/// effective uid or as root. @returns daemon_unreachable naming the socket, the listener's uid
/// and pid; also when the kernel does not say who listens.
Status check_socket_peer(int fd, const std::filesystem::path& socket);

}  // namespace bqb::client
