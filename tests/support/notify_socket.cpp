#include "tests/support/notify_socket.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace bqb::itest {

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.native().size() >= sizeof addr.sun_path) {
    throw std::runtime_error("notify socket path too long: " + path_.string());
  }
  std::strcpy(addr.sun_path, path_.c_str());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::string why = "bind " + path_.string() + ": " + std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error(why);
  }
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

void NotifySocket::drain() {
  for (;;) {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN: nothing more waiting
    std::string_view rest(buf, static_cast<std::size_t>(n));
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      if (nl != 0) lines_.emplace_back(rest.substr(0, nl));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
}

bool NotifySocket::received(std::string_view line) const {
  return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
}

}  // namespace bqb::itest
