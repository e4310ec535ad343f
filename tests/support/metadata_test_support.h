#pragma once
// Helpers for the metadata endpoint tests: a TokenSource fake that records what it was asked,
// a raw HTTP/1.1 client coroutine for 127.0.0.1, and a forked child that connects as another uid.

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "daemon/tokens/token_source.h"

namespace bqb::test {

namespace asio = boost::asio;

class FakeTokenSource : public TokenSource {
 public:
  std::string account = "ada@example.com";
  oauth::ScopeSet granted =
      oauth::ScopeSet::from_list({"bigquery", "bigquery.readonly", "email", "openid"}, "t").value();
  std::optional<Error> error;
  std::vector<TokenRequest> requests;

  asio::awaitable<Result<IssuedToken>> token(TokenRequest request) override {
    requests.push_back(request);
    if (error) co_return tl::unexpected(*error);
    if (request.account && *request.account != account) {
      co_return fail(Errc::not_found, "no account " + *request.account);
    }
    auto scopes = request.scopes.value_or(granted);
    if (!scopes.subset_of(granted)) co_return fail(Errc::scope_not_granted, "not granted");
    co_return IssuedToken{Secret("ya29.fake-" + std::to_string(requests.size())), account, scopes,
                          std::chrono::system_clock::now() + std::chrono::seconds(3000)};
  }
};

/// One raw answer: status, headers (names lower-cased) and body.
struct RawAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string raw;
};

/// @returns the HTTP answer in `raw` (a whole response read to EOF).
inline RawAnswer parse_raw_answer(std::string raw) {
  RawAnswer a;
  a.raw = raw;
  const auto end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return a;
  a.status = std::stoi(raw.substr(9, 3));
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    const auto eol = raw.find("\r\n", pos);
    const auto line = raw.substr(pos, eol - pos);
    const auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    a.headers[name] = value;
    pos = eol + 2;
  }
  a.body = raw.substr(end + 4);
  return a;
}

/// Sends `request` (raw bytes, should say Connection: close) to 127.0.0.1:`port` and reads the
/// answer to EOF.
inline asio::awaitable<RawAnswer> raw_exchange(std::uint16_t port, std::string request) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket s(ex);
  const asio::ip::tcp::endpoint ep(asio::ip::address_v4::loopback(), port);
  co_await s.async_connect(ep, asio::use_awaitable);
  co_await asio::async_write(s, asio::buffer(request), asio::use_awaitable);
  std::string raw;
  auto [ec, n] =
      co_await asio::async_read(s, asio::dynamic_buffer(raw), asio::as_tuple(asio::use_awaitable));
  (void)ec;  // EOF ends the answer
  (void)n;
  co_return parse_raw_answer(std::move(raw));
}

/// A GET as client libraries send it.
inline std::string metadata_get(std::string_view target, std::uint16_t port,
                                std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nMetadata-Flavor: Google\r\n" + std::string(extra_headers) +
         "Connection: close\r\n\r\n";
}

/// Forks a child that drops to `uid`/`gid`, sends `request` to 127.0.0.1:`port` and writes the
/// answer into a pipe; the returned coroutine reads it to EOF (or the connection's reset) and
/// reaps the child.
inline asio::awaitable<RawAnswer> exchange_as_uid(std::uint16_t port, std::string request,
                                                  uid_t uid, gid_t gid) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(3);
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) ::_exit(4);
    // A listener that refuses this uid may close before the request is sent (EPIPE, no
    // SIGPIPE): then nothing comes back, which is what the caller checks.
    const ssize_t sent = ::send(s, request.data(), request.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno != EPIPE && errno != ECONNRESET) ::_exit(5);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(s, buf, sizeof(buf))) > 0) {
      if (::write(fds[1], buf, static_cast<std::size_t>(n)) != n) ::_exit(6);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  auto ex = co_await asio::this_coro::executor;
  asio::posix::stream_descriptor pipe(ex, fds[0]);
  std::string raw;
  auto [ec, n] = co_await asio::async_read(pipe, asio::dynamic_buffer(raw),
                                           asio::as_tuple(asio::use_awaitable));
  (void)ec;
  (void)n;
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the child connecting as uid " + std::to_string(uid) +
                             " failed with status " + std::to_string(status));
  }
  co_return parse_raw_answer(std::move(raw));
}

}  // namespace bqb::test
