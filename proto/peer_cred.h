#pragma once
// Who is on the other end of a Unix socket, from the kernel (SO_PEERCRED), not from the peer.
// The daemon serves only its own uid; a client talks only to a daemon of its own uid (or root's).

#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace bqb {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

/// @returns the credentials of the process at the other end of the connected Unix socket `fd`
/// (of an accepted connection: who connected; of a client's: who called listen()), nullopt if the
/// kernel won't say.
std::optional<PeerCred> peer_cred(int fd);

/// @returns whether a client running as `me` may send to a daemon whose listening socket was
/// made by `peer`: only by this same uid, or by root (who could read everything anyway). For a
/// connected socket SO_PEERCRED gives the uid that called listen(), so a process of another user
/// listening where the client expected the daemon is caught even when the path looked right.
/// Pure.
inline bool trusted_daemon_uid(uid_t peer, uid_t me) { return peer == me || peer == 0; }

/// @returns the executable of `pid` (readlink /proc/PID/exe), or "?" when it cannot be read.
std::string process_executable(pid_t pid);

/// @returns the parent pid from the text of /proc/PID/stat ("PID (COMM) STATE PPID …", where
/// COMM may itself hold spaces and parentheses), or nullopt when it does not read so. Pure.
std::optional<pid_t> parent_from_stat(std::string_view stat);

/// @returns the parent pid of `pid` (from /proc/PID/stat), or nullopt when there is no such
/// process or its stat cannot be read.
std::optional<pid_t> process_parent(pid_t pid);

}  // namespace bqb
