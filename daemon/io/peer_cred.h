#pragma once
// Who is on the other end of a Unix socket, from the kernel (SO_PEERCRED), not from the peer.

#include <optional>
#include <string>

#include <sys/types.h>

namespace bqb {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

/// @returns the credentials of the process that connected `fd`, nullopt if the kernel won't say.
std::optional<PeerCred> peer_cred(int fd);

/// @returns the executable of `pid` (readlink /proc/PID/exe), or "?" when it cannot be read.
std::string process_executable(pid_t pid);

}  // namespace bqb
