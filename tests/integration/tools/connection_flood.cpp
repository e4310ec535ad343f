// bqbit-connection-flood PORT COUNT TARGET: what another local user does to fill the slots of a
// loopback TCP listener. It opens COUNT connections to 127.0.0.1:PORT and holds them all, sends
// on each a GET of TARGET as a client library or a browser would (Host 127.0.0.1:PORT,
// Metadata-Flavor: Google, keep-alive), then waits until the listener has closed every one of
// them or 20 seconds have passed, and prints
//   "connected C\nanswered A\nclosed N\nopen O\n"
// where `answered` counts connections that received at least one byte, `closed` those the
// listener closed (EOF or reset) without sending any, and `open` those still open at the end.
// Exits 0 once it has printed the counts, 2 on a usage error. Plain POSIX, one thread, no sleeps:
// everything waits in poll().

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bqbit-connection-flood PORT COUNT TARGET\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int count = std::atoi(argv[2]);
  if (port <= 0 || port > 65535 || count <= 0) {
    std::fprintf(stderr, "bqbit-connection-flood: bad PORT or COUNT\n");
    return 2;
  }
  const std::string request = std::string("GET ") + argv[3] +
                              " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nMetadata-Flavor: Google\r\nConnection: keep-alive\r\n\r\n";

  std::vector<pollfd> fds;
  for (int i = 0; i < count; ++i) {
    const int fd = connect_to(port);
    if (fd >= 0) fds.push_back(pollfd{fd, POLLIN, 0});
  }
  const std::size_t connected = fds.size();
  for (auto& p : fds) {
    // The listener may have closed it already: EPIPE (no SIGPIPE) or a reset is fine.
    (void)::send(p.fd, request.data(), request.size(), MSG_NOSIGNAL);
  }

  std::size_t answered = 0, closed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t open = fds.size();
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    for (auto& p : fds) {
      if (p.fd < 0 || p.revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(p.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        ++answered;  // any byte is an answer; stop watching this one
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        continue;
      } else {
        ++closed;  // EOF or an error (a reset): closed without a byte
      }
      ::close(p.fd);
      p.fd = -1;  // poll() ignores negative descriptors
      --open;
    }
  }
  std::printf("connected %zu\nanswered %zu\nclosed %zu\nopen %zu\n", connected, answered, closed,
              open);
  return 0;
}
