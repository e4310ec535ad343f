// bqbit-socket-recorder SOCKET: what another local user would plant where a client looks for the
// bqbroker daemon. It listens on SOCKET (made 0777, so any victim can connect), prints
// "listening\n" on stdout, and records every byte each connection sends; a connection is closed
// as soon as it sent something, so a client that does send fails at once instead of waiting for
// an answer. When its stdin closes (the test is done) it accepts what is still queued, reads what
// is left, prints "connections N\nbytes M\n" followed by the M bytes received, and exits 0.
// Plain POSIX, one thread, no sleeps: everything waits in poll().

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

int listen_on(const char* path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (std::strlen(path) >= sizeof(addr.sun_path)) return -1;
  std::strcpy(addr.sun_path, path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(path, 0777) != 0 || ::listen(fd, 16) != 0) {
    return -1;
  }
  return fd;
}

/// Reads what `fd` has now into `bytes`. @returns false once the connection is over (EOF,
/// error, or it sent something: the recorder does not answer).
bool read_some(int fd, std::string& bytes) {
  char buf[65536];
  ssize_t n;
  bool got = false;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    bytes.append(buf, static_cast<std::size_t>(n));
    got = true;
  }
  if (n < 0 && errno == EINTR) return true;
  if (n < 0 && errno == EAGAIN) return !got;
  return false;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

struct Recorder {
  explicit Recorder(int fd) : listen_fd(fd) {}

  int listen_fd;
  std::vector<int> open;
  int connections = 0;
  std::string bytes;

  void accept_queued() {
    int fd;
    while ((fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
      ++connections;
      open.push_back(fd);
    }
  }

  void read_open() {
    std::vector<int> still;
    for (int fd : open) {
      if (read_some(fd, bytes)) {
        still.push_back(fd);
      } else {
        ::close(fd);
      }
    }
    open = std::move(still);
  }

  /// Serves until stdin reaches EOF.
  void run() {
    for (;;) {
      std::vector<pollfd> fds{{0, POLLIN, 0}, {listen_fd, POLLIN, 0}};
      for (int fd : open) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
      if (fds[0].revents != 0) {
        char c;
        if (::read(0, &c, 1) <= 0) return;
      }
      accept_queued();
      read_open();
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bqbit-socket-recorder SOCKET\n");
    return 2;
  }
  Recorder r(listen_on(argv[1]));
  if (r.listen_fd < 0) {
    std::fprintf(stderr, "bqbit-socket-recorder: cannot listen on %s: %s\n", argv[1],
                 std::strerror(errno));
    return 1;
  }
  write_all(1, "listening\n");
  r.run();
  // The clients are gone: whatever they sent is queued in the kernel. Take it all.
  r.accept_queued();
  r.read_open();
  write_all(1, "connections " + std::to_string(r.connections) + "\nbytes " +
                   std::to_string(r.bytes.size()) + "\n" + r.bytes);
  return 0;
}
