#include "proto/peer_cred.h"

#include <array>

#include <sys/socket.h>
#include <unistd.h>

namespace bqb {

std::optional<PeerCred> peer_cred(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  return PeerCred{cred.pid, cred.uid, cred.gid};
}

std::string process_executable(pid_t pid) {
  std::array<char, 4096> buf{};
  auto link = "/proc/" + std::to_string(pid) + "/exe";
  auto n = ::readlink(link.c_str(), buf.data(), buf.size() - 1);
  if (n <= 0) return "?";
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

}  // namespace bqb
