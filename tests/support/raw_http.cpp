#include "tests/support/raw_http.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace bqb::itest {

namespace http = boost::beast::http;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Expected<sockaddr_un> unix_address(const std::filesystem::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& p = path.native();
  if (p.size() >= sizeof addr.sun_path) return tl::unexpected("socket path too long: " + p);
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  return addr;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::ostream& operator<<(std::ostream& os, const HttpResponse& r) {
  os << "HTTP " << r.status << "\n";
  for (const auto& [k, v] : r.headers) os << k << ": " << v << "\n";
  return os << "\n" << r.body;
}

Expected<RawHttp> RawHttp::connect(const std::filesystem::path& path) {
  auto addr = unix_address(path);
  if (!addr) return tl::unexpected(addr.error());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    std::string why = "connect " + path.string() + ": " + std::strerror(errno);
    ::close(fd);
    return tl::unexpected(why);
  }
  return RawHttp(fd);
}

Expected<RawHttp> RawHttp::connect_tcp(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::string why = "connect 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(fd);
    return tl::unexpected(why);
  }
  return RawHttp(fd);
}

RawHttp::RawHttp(RawHttp&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

RawHttp& RawHttp::operator=(RawHttp&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

RawHttp::~RawHttp() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<void> RawHttp::send(std::string_view bytes) {
  auto deadline = Clock::now() + 10s;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return tl::unexpected(std::string("send: ") + std::strerror(errno));
    }
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) == 0) {
      return tl::unexpected("send: peer stopped reading (" + std::to_string(bytes.size()) +
                            " bytes unsent after 10 s)");
    }
  }
  return {};
}

std::size_t RawHttp::send_until_answered(std::string_view bytes) {
  constexpr std::size_t kStep = 64 * 1024;
  auto deadline = Clock::now() + 10s;
  std::size_t sent = 0;
  while (sent < bytes.size() && Clock::now() < deadline) {
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) break;  // answered, closed or reset
    const auto chunk = std::min(kStep, bytes.size() - sent);
    ssize_t n = ::send(fd_, bytes.data() + sent, chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      break;
    }
  }
  return sent;
}

void RawHttp::shutdown_send() { ::shutdown(fd_, SHUT_WR); }

RawHttp::ReadResult RawHttp::read_some(Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return ReadResult::timeout;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.append(buf, static_cast<std::size_t>(n));
      return ReadResult::data;
    }
    if (n == 0) return ReadResult::eof;
    if (errno == EINTR || errno == EAGAIN) continue;
    return ReadResult::reset;  // ECONNRESET and friends: the peer is gone
  }
}

Expected<HttpResponse> RawHttp::read_response(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(64 * 1024 * 1024);
  parser.header_limit(1024 * 1024);
  while (!parser.is_done()) {
    if (!buffer_.empty()) {
      boost::system::error_code ec;
      std::size_t used = parser.put(boost::asio::buffer(buffer_), ec);
      buffer_.erase(0, used);
      if (ec && ec != http::error::need_more) {
        return tl::unexpected("parse error: " + ec.message());
      }
      if (parser.is_done()) break;
      if (used > 0 && !ec) continue;
    }
    switch (read_some(deadline)) {
      case ReadResult::data:
        break;
      case ReadResult::timeout:
        return tl::unexpected("timeout after " + std::to_string(timeout.count()) +
                              " ms waiting for a response (" + std::to_string(buffer_.size()) +
                              " bytes buffered)");
      case ReadResult::eof:
      case ReadResult::reset: {
        // Beast's put_eof on a parser that got nothing reports no error and a finished message
        // (status 200, no headers): a daemon killed before answering must not read as one.
        if (!parser.got_some()) {
          return tl::unexpected(std::string("connection closed before any response"));
        }
        boost::system::error_code ec;
        parser.put_eof(ec);
        if (!ec && parser.is_done()) break;
        return tl::unexpected(std::string("connection closed before a complete response") +
                              (parser.got_some() ? " (partial response)" : ""));
      }
    }
  }
  const auto& msg = parser.get();
  HttpResponse r;
  r.status = static_cast<int>(msg.result_int());
  for (const auto& f : msg) r.headers.emplace(lower(f.name_string()), std::string(f.value()));
  r.body = msg.body();
  r.keep_alive = msg.keep_alive();
  return r;
}

Expected<HttpResponse> RawHttp::roundtrip(std::string_view request,
                                          std::chrono::milliseconds timeout) {
  if (auto sent = send(request); !sent) return tl::unexpected(sent.error());
  return read_response(timeout);
}

::testing::AssertionResult RawHttp::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::size_t discarded = 0;
  for (;;) {
    discarded += buffer_.size();
    buffer_.clear();
    switch (read_some(deadline)) {
      case ReadResult::data:
        continue;
      case ReadResult::eof:
      case ReadResult::reset:
        return ::testing::AssertionSuccess();
      case ReadResult::timeout:
        return ::testing::AssertionFailure()
               << "connection still open after " << timeout.count() << " ms (" << discarded
               << " bytes received meanwhile)";
    }
  }
}

std::string http_request(std::string_view method, std::string_view target, std::string_view body,
                         std::initializer_list<std::string_view> extra_headers) {
  std::string r;
  r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
  for (auto h : extra_headers) r.append(h).append("\r\n");
  if (!body.empty()) r.append("Content-Length: " + std::to_string(body.size()) + "\r\n");
  r.append("\r\n").append(body);
  return r;
}

Expected<HttpResponse> http_once(const std::filesystem::path& socket, std::string_view request,
                                 std::chrono::milliseconds timeout) {
  auto conn = RawHttp::connect(socket);
  if (!conn) return tl::unexpected(conn.error());
  return conn->roundtrip(request, timeout);
}

::testing::AssertionResult is_api_error(const HttpResponse& r, int status, std::string_view code) {
  auto fail = [&] { return ::testing::AssertionFailure() << "response:\n" << r << "\n"; };
  if (r.status != status) return fail() << "status is " << r.status << ", want " << status;
  if (r.header("content-type").rfind("application/json", 0) != 0) {
    return fail() << "content-type is not application/json";
  }
  auto j = r.json();
  if (!j.is_object() || j.size() != 1 || !j.contains("error") || !j["error"].is_object()) {
    return fail() << "body is not {\"error\": {...}}";
  }
  const auto& e = j["error"];
  for (const auto& [k, v] : e.items()) {
    if (k != "code" && k != "message" && k != "hint") return fail() << "unexpected key " << k;
    if (!v.is_string()) return fail() << "error." << k << " is not a string";
  }
  if (!e.contains("code") || e["code"] != code) return fail() << "error.code is not " << code;
  if (!e.contains("message") || e["message"].get<std::string>().empty()) {
    return fail() << "error.message is missing or empty";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_api_error(const Expected<HttpResponse>& r, int status,
                                        std::string_view code) {
  if (!r) return ::testing::AssertionFailure() << "no response: " << r.error();
  return is_api_error(*r, status, code);
}

void make_stale_socket(const std::filesystem::path& path) {
  auto addr = unix_address(path);
  if (!addr) throw std::runtime_error(addr.error());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    std::string why = "bind " + path.string() + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(why);
  }
  ::close(fd);  // the file stays; nobody will ever listen on it
}

bool is_listening(const std::filesystem::path& path) { return RawHttp::connect(path).has_value(); }

}  // namespace bqb::itest
