#include "proto/peer_cred.h"

#include <array>
#include <charconv>

#include <fcntl.h>
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

std::optional<pid_t> parent_from_stat(std::string_view stat) {
  // The command name ends at the last ')': it may contain ") " itself.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || stat.size() < close + 4) return std::nullopt;
  std::string_view rest = stat.substr(close + 2);  // "STATE PPID …"
  const auto space = rest.find(' ');
  if (space != 1) return std::nullopt;
  rest.remove_prefix(2);
  pid_t ppid = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
  if (ec != std::errc{} || end == rest.data() ||
      (end != rest.data() + rest.size() && *end != ' ' && *end != '\n'))
    return std::nullopt;
  return ppid;
}

std::optional<pid_t> process_parent(pid_t pid) {
  const auto path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::array<char, 1024> buf{};
  const auto n = ::read(fd, buf.data(), buf.size());
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return parent_from_stat(std::string_view(buf.data(), static_cast<std::size_t>(n)));
}

}  // namespace bqb
