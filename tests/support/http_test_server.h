#pragma once
// Loopback HTTP(S) server and CONNECT proxy for the HttpClient tests. Both run as coroutines on
// the test's io_context (one thread, like the daemon), record what they see, and are driven by
// run(), which returns when the task under test completes.

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace bqb::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// Runs `task` on `io` until it completes (20 s at most) and returns its value.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    out.emplace(std::move(value));
    io.stop();
  });
  io.restart();
  io.run_for(std::chrono::seconds(20));
  if (error) std::rethrow_exception(error);
  if (!out) throw std::runtime_error("the task under test did not complete within 20 s");
  return std::move(*out);
}

struct SeenRequest {
  int connection = 0;  // 1 for the first accepted connection, 2 for the next, …
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct Reply {
  enum class Action { respond, hang, drop };
  Action action = Action::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // answer with Connection: close, then close
};

/// @returns a Reply that does `action` instead of answering.
inline Reply reply_by(Reply::Action action) {
  Reply r;
  r.action = action;
  return r;
}

/// An HTTP/1.1 server on 127.0.0.1 (an OS-chosen port), HTTPS when given a TLS context.
class TestServer {
 public:
  using Handler = std::function<Reply(const SeenRequest&)>;

  TestServer(asio::io_context& io, Handler handler,
             std::shared_ptr<asio::ssl::context> tls = nullptr)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        handler_(std::move(handler)),
        tls_(std::move(tls)) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::vector<SeenRequest> seen;
  int connections = 0;
  std::vector<std::string> server_names;  // SNI of each TLS handshake ("" when none was sent)
  int failed_handshakes = 0;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(acceptor_.get_executor(), session(std::move(socket), ++connections),
                     asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket, int id) {
    if (!tls_) {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream, id);
      co_return;
    }
    asio::ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) {
      ++failed_handshakes;
      co_return;
    }
    const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    server_names.emplace_back(sni != nullptr ? sni : "");
    co_await serve(stream, id);
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, int id) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buffer, req, kTuple);
      if (ec) co_return;
      SeenRequest s{
          id, std::string(req.method_string()), std::string(req.target()), {}, req.body()};
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        s.headers[name] = std::string(f.value());
      }
      seen.push_back(s);
      Reply r = handler_(seen.back());
      if (r.action == Reply::Action::drop) co_return;  // the stream closes with the frame
      if (r.action == Reply::Action::hang) {
        asio::steady_timer never(stream.get_executor(), std::chrono::hours(1));
        co_await never.async_wait(kTuple);
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
      for (auto& [name, value] : r.headers) res.set(name, value);
      res.body() = r.body;
      res.keep_alive(!r.close && req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
      if (wec || r.close) co_return;
    }
  }

  tcp::acceptor acceptor_;
  Handler handler_;
  std::shared_ptr<asio::ssl::context> tls_;
};

/// An HTTP proxy that answers CONNECT by tunnelling to 127.0.0.1:`upstream_port`, whatever host
/// was asked for: the proxy, not the client, resolves names (as in a corporate network).
class TestConnectProxy {
 public:
  TestConnectProxy(asio::io_context& io, std::uint16_t upstream_port)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        upstream_port_(upstream_port) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  int connections = 0;
  std::vector<std::string> request_lines;   // "CONNECT host:port"
  std::vector<std::string> authorizations;  // Proxy-Authorization of each CONNECT ("" if none)

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      ++connections;
      asio::co_spawn(acceptor_.get_executor(), session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket client_socket) {
    auto client = std::make_shared<tcp::socket>(std::move(client_socket));
    beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    auto [ec, n] = co_await http::async_read(*client, buffer, parser, kTuple);
    if (ec) co_return;
    const auto& req = parser.get();
    request_lines.push_back(std::string(req.method_string()) + " " + std::string(req.target()));
    authorizations.emplace_back(req[http::field::proxy_authorization]);
    if (req.method() != http::verb::connect) co_return;

    auto upstream = std::make_shared<tcp::socket>(client->get_executor());
    auto [cec] = co_await upstream->async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port_), kTuple);
    if (cec) co_return;
    static constexpr std::string_view kOk = "HTTP/1.1 200 Connection established\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(*client, asio::buffer(kOk), kTuple);
    if (wec) co_return;
    asio::co_spawn(client->get_executor(), pump(upstream, client), asio::detached);
    co_await pump(client, upstream);
  }

  static asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from,
                                    std::shared_ptr<tcp::socket> to) {
    std::array<char, 16 * 1024> data;
    for (;;) {
      auto [ec, n] = co_await from->async_read_some(asio::buffer(data), kTuple);
      if (ec) {
        boost::system::error_code ignored;
        to->shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
      auto [wec, wn] = co_await asio::async_write(*to, asio::buffer(data.data(), n), kTuple);
      if (wec) co_return;
    }
  }

  tcp::acceptor acceptor_;
  std::uint16_t upstream_port_;
};

}  // namespace bqb::test
