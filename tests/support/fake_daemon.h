#pragma once
// A scripted stand-in for bqbrokerd in client tests: a Unix socket in a fresh temporary
// directory, served by one thread with plain POSIX calls. Each accepted connection is handed to
// the test's handler, which reads requests and writes whatever bytes the case needs (valid
// answers, error envelopes, truncated or no answers).

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace bqb::testing {

/// One accepted connection, with a read buffer that survives between requests (keep-alive).
class FakeConn {
 public:
  explicit FakeConn(int fd) : fd_(fd) {}

  /// @returns the next request (head and body), or nullopt at EOF or on error.
  std::optional<std::string> read_request() {
    std::size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    std::size_t total = head_end + 4 + content_length(buf_.substr(0, head_end));
    while (buf_.size() < total) {
      if (!fill()) return std::nullopt;
    }
    std::string req = buf_.substr(0, total);
    buf_.erase(0, total);
    return req;
  }

  /// Writes all of `bytes`. @returns false when the peer is gone.
  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Blocks until the client closes its end (or the connection fails).
  void wait_for_eof() {
    while (fill()) {
    }
  }

 private:
  bool fill() {
    char chunk[4096];
    ssize_t n;
    do {
      n = ::recv(fd_, chunk, sizeof chunk, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  static std::size_t content_length(const std::string& head) {
    // Case-insensitive search for the header; the client under test is Beast, which writes
    // "Content-Length".
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto pos = lower.find("\r\ncontent-length:");
    if (pos == std::string::npos) return 0;
    return std::stoul(head.substr(pos + 17));
  }

  int fd_;
  std::string buf_;
};

/// @returns a complete HTTP/1.1 response with a JSON body.
inline std::string http_response(int status, std::string_view reason, std::string_view body,
                                 std::string_view extra_headers = "") {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  r += "Content-Type: application/json\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r.append(extra_headers);
  r += "\r\n";
  r.append(body);
  return r;
}

/// Listens on <tempdir>/bqbroker.sock; one server thread accepts connections one at a time and
/// runs `handler` on each. Stops (and joins) on destruction.
class FakeDaemon {
 public:
  using Handler = std::function<void(FakeConn&)>;

  explicit FakeDaemon(Handler handler) : handler_(std::move(handler)) {
    socket_ = dir_.path() / "bqbroker.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_.c_str(), sizeof(addr.sun_path) - 1);
    if (listen_fd_ < 0 ||
        ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        // 0600 as bqbrokerd makes it, whatever the umask: the client refuses a socket that
        // others can write to.
        ::chmod(socket_.c_str(), 0600) != 0 || ::listen(listen_fd_, 16) != 0) {
      throw std::runtime_error(std::string("fake daemon: cannot listen: ") + std::strerror(errno));
    }
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeDaemon() {
    // shutdown() wakes the blocked accept() (it fails with EINVAL), ending serve().
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }

  const std::filesystem::path& socket() const { return socket_; }
  /// @returns how many connections the server accepted so far.
  int connections() const { return connections_.load(); }

 private:
  void serve() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR) continue;
        return;
      }
      ++connections_;
      FakeConn conn(fd);
      handler_(conn);
      ::close(fd);
    }
  }

  TempDir dir_;
  std::filesystem::path socket_;
  Handler handler_;
  int listen_fd_ = -1;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

/// The raw requests a FakeDaemon's handler saw, readable from the test thread.
class RequestLog {
 public:
  void add(std::string request) {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> requests_;
};

}  // namespace bqb::testing
