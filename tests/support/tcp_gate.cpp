#include "tests/support/tcp_gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace bqb::itest {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/// Copies bytes both ways between `a` and `b` until both directions ended or one broke.
void pump(int a, int b) {
  bool open[2] = {true, true};  // a→b, b→a
  const int from[2] = {a, b};
  const int to[2] = {b, a};
  char buf[16384];
  while (open[0] || open[1]) {
    pollfd p[2] = {{a, static_cast<short>(open[0] ? POLLIN : 0), 0},
                   {b, static_cast<short>(open[1] ? POLLIN : 0), 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || p[i].revents == 0) continue;
      const ssize_t n = ::read(from[i], buf, sizeof buf);
      if (n <= 0) {
        if (n < 0) return;  // reset, or cut by TcpGate::shut
        ::shutdown(to[i], SHUT_WR);
        open[i] = false;
        continue;
      }
      for (ssize_t done = 0; done < n;) {
        const ssize_t w =
            ::send(to[i], buf + done, static_cast<std::size_t>(n - done), MSG_NOSIGNAL);
        if (w <= 0) return;
        done += w;
      }
    }
  }
}

}  // namespace

TcpGate::TcpGate(std::uint16_t target_port) : target_port_(target_port) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) throw_errno("pipe2");
  listener_ = bound_socket();
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    throw_errno("getsockname");
  }
  port_ = ntohs(bound.sin_port);
  open();
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpGate::~TcpGate() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cut_all_locked();
  }
  (void)::write(wake_[1], "x", 1);
  acceptor_.join();
  for (auto& t : pumps_) t.join();
  for (int fd : forwarded_) ::close(fd);
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

int TcpGate::bound_socket() const {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in a = loopback(port_);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    throw_errno("bind 127.0.0.1");
  }
  return fd;
}

void TcpGate::shut() {
  {
    std::lock_guard lock(mutex_);
    if (!open_) return;
    open_ = false;
    // A socket that listened cannot stop listening: a fresh one, bound to the same port.
    // shutdown first: accept_loop's poll holds the socket open past close(), still listening.
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    listener_ = bound_socket();
    cut_all_locked();
  }
  (void)::write(wake_[1], "x", 1);
}

void TcpGate::open() {
  {
    std::lock_guard lock(mutex_);
    if (open_) return;
    if (::listen(listener_, 64) != 0) throw_errno("listen");
    open_ = true;
  }
  (void)::write(wake_[1], "x", 1);
}

void TcpGate::cut_all_locked() {
  for (int fd : forwarded_) ::shutdown(fd, SHUT_RDWR);
}

void TcpGate::accept_loop() {
  for (;;) {
    int listener = -1;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (open_) listener = listener_;
    }
    pollfd p[2] = {{wake_[0], POLLIN, 0}, {listener, POLLIN, 0}};
    if (::poll(p, listener < 0 ? 1 : 2, -1) < 0) continue;
    if (p[0].revents != 0) {
      char drain[64];
      (void)::read(wake_[0], drain, sizeof drain);
      continue;
    }
    if (listener < 0 || p[1].revents == 0) continue;
    std::lock_guard lock(mutex_);
    if (!open_ || listener != listener_) continue;  // shut meanwhile
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in target = loopback(target_port_);
    if (upstream < 0 ||
        ::connect(upstream, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
      ::close(client);
      if (upstream >= 0) ::close(upstream);
      continue;
    }
    forwarded_.push_back(client);
    forwarded_.push_back(upstream);
    pumps_.emplace_back(pump, client, upstream);
  }
}

}  // namespace bqb::itest
