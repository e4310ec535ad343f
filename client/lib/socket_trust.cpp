#include "client/lib/socket_trust.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "proto/peer_cred.h"
#include "proto/private_path.h"

namespace bqb::client {
namespace {

constexpr std::string_view kNothingSent = "nothing was sent to it. ";

constexpr std::string_view kOwnDirectory =
    "Use a socket in a directory of your own: set XDG_RUNTIME_DIR (systemd-logind sets it to "
    "/run/user/$UID at login), or pass --socket PATH or $BQBROKER_SOCKET";

/// @returns what to do about `flaw` of `path`.
std::string hint_for(PathFlaw flaw, const std::filesystem::path& path) {
  std::string hint(kNothingSent);
  switch (flaw) {
    case PathFlaw::foreign_owner:
      hint += "Another user may have created it to read what bqbroker sends. ";
      hint += kOwnDirectory;
      hint += "; and ask an administrator to remove " + path.string() + ".";
      break;
    case PathFlaw::loose_mode:
      hint += "Other users could replace the socket there. Run `chmod go-w " + path.string() +
              "` (bqbrokerd makes it 0700 and the socket 0600).";
      break;
    case PathFlaw::symlink:
      hint +=
          "bqbroker does not follow a symbolic link to its socket: pass the real path, "
          "e.g. --socket \"$(realpath " +
          path.string() + ")\".";
      break;
    case PathFlaw::wrong_type:
      hint += "bqbrokerd did not create it; remove it, then start bqbrokerd.";
      break;
  }
  return hint;
}

/// @returns the refusal of `path` (`socket` itself or its directory) for `flaw`.
Status refuse_path(const std::filesystem::path& socket, const std::filesystem::path& path,
                   PathFlaw flaw, const PathFacts& facts, const PathRule& rule) {
  std::string subject = path == socket ? socket.string()
                                       : path.string() + " (the directory of the daemon socket " +
                                             socket.string() + ")";
  return fail(Errc::daemon_unreachable, "refusing " + subject + ": " + flaw_text(flaw, facts, rule),
              hint_for(flaw, path));
}

}  // namespace

Status check_socket_path(const std::filesystem::path& socket) {
  std::filesystem::path dir = socket.parent_path();
  if (dir.empty()) dir = ".";
  const uid_t me = ::geteuid();
  const PathRule dir_rule{PathType::directory, me, kWritableByOthers};
  const PathRule socket_rule{PathType::socket, me, kWritableByOthers};
  for (const auto& [path, rule] : {std::pair{dir, dir_rule}, std::pair{socket, socket_rule}}) {
    auto facts = inspect_path(path);
    if (!facts || !*facts) return {};  // connect() reports the missing or unreachable socket
    if (auto flaw = path_flaw(**facts, rule)) {
      return refuse_path(socket, path, *flaw, **facts, rule);
    }
  }
  return {};
}

Status check_socket_peer(int fd, const std::filesystem::path& socket) {
  const uid_t me = ::geteuid();
  auto peer = peer_cred(fd);
  if (!peer) {
    return fail(Errc::daemon_unreachable,
                "refusing " + socket.string() +
                    ": the kernel does not say who listens on it (SO_PEERCRED: " +
                    std::strerror(errno) + ")",
                std::string(kNothingSent) + "Check --socket and $BQBROKER_SOCKET.");
  }
  if (trusted_daemon_uid(peer->uid, me)) return {};
  return fail(Errc::daemon_unreachable,
              "refusing " + socket.string() + ": the process listening on it (pid " +
                  std::to_string(peer->pid) + ") runs as " +
                  uid_text(peer->uid, user_name(peer->uid)) + ", not as you (uid " +
                  std::to_string(me) + ")",
              std::string(kNothingSent) +
                  "Another user's program listens where the bqbroker daemon should be. " +
                  std::string(kOwnDirectory) + ".");
}

}  // namespace bqb::client
