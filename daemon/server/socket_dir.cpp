#include "daemon/server/socket_dir.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto/private_path.h"

namespace bqb {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

Status prepare_private_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return {};
  if (errno != EEXIST) {
    return fail(Errc::io_error, fmt::format("cannot create the socket directory {}: {}",
                                            dir.string(), errno_text(errno)));
  }
  BQB_TRY(facts, inspect_path(dir));
  if (!facts) {
    return fail(Errc::io_error,
                fmt::format("cannot use {}: it vanished while it was being created", dir.string()));
  }
  const PathRule rule{PathType::directory, ::getuid(), kAnyAccessByOthers};
  const auto flaw = path_flaw(*facts, rule);
  if (!flaw) return {};
  std::string hint = fmt::format(
      "another user may have created it to intercept bqbroker's socket; remove it (rm -r {}) and "
      "start again",
      dir.string());
  if (*flaw == PathFlaw::loose_mode) hint = fmt::format("chmod 700 {}", dir.string());
  return fail(Errc::io_error,
              fmt::format("refusing to use {}: {}", dir.string(), flaw_text(*flaw, *facts, rule)),
              std::move(hint));
}

bool socket_is_live(const std::filesystem::path& path) {
  sockaddr_un addr{};
  if (path.native().size() >= sizeof(addr.sun_path)) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return live;
}

Status clear_stale_socket(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return fail(Errc::io_error,
                fmt::format("cannot inspect {}: {}", path.string(), errno_text(errno)));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return fail(Errc::io_error, fmt::format("refusing to replace {}: it exists and is not a socket",
                                            path.string()));
  }
  if (socket_is_live(path)) {
    return fail(Errc::conflict,
                fmt::format("another bqbrokerd is already serving on {}", path.string()),
                "stop it first (systemctl --user stop bqbroker.service bqbroker.socket), or use "
                "--socket PATH for a second daemon");
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail(Errc::io_error, fmt::format("cannot remove the stale socket {}: {}", path.string(),
                                            errno_text(errno)));
  }
  return {};
}

}  // namespace bqb
