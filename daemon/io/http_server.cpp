#include "daemon/io/http_server.h"

#include "daemon/io/connection_stream.h"

#include <unistd.h>

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace bqb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Protocol = asio::local::stream_protocol;
using Stream = UnixStream;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

// All state lives on the one io_context thread: no locks. Connections are tracked so that
// shutdown can close the idle ones and wait for the busy ones.
struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  struct Connection {
    Stream* stream = nullptr;
    bool busy = false;  // between a complete request and the end of its response
  };

  Impl(Acceptor a, const Router& r, ServerOptions o)
      : acceptor(std::move(a)), router(r), options(o) {}

  Acceptor acceptor;
  const Router& router;
  ServerOptions options;
  std::list<Connection> connections;
  bool stopping = false;
  std::function<void()> on_drained;

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) break;
        // EMFILE and friends: log and keep serving; the connections we have will close.
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      if (connections.size() >= options.max_connections) {
        asio::co_spawn(acceptor.get_executor(), refuse_busy(std::move(socket)), asio::detached);
        continue;
      }
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }

  // Over the cap: say so in one response, then close. Not counted, and bounded in time.
  asio::awaitable<void> refuse_busy(Protocol::socket socket) {
    auto self = shared_from_this();
    Stream stream(std::move(socket));
    spdlog::warn("connection refused: {} connections open (max_connections)", connections.size());
    auto res = error_response(
        Error{Errc::too_many_connections,
              fmt::format("the daemon has {} connections open, its limit", options.max_connections),
              "retry shortly, or raise [server] max_connections in config.toml"});
    res.keep_alive(false);
    stream.expires_after(std::chrono::seconds(2));
    co_await beast_http::async_write(stream, res, kTuple);
    co_await lingering_close(stream);
  }

  asio::awaitable<void> serve(Protocol::socket socket) {
    auto self = shared_from_this();
    Stream stream(std::move(socket));
    auto conn = connections.insert(connections.end(), Connection{&stream, false});
    co_await session(stream, *conn);
    co_await lingering_close(stream);
    connections.erase(conn);
    if (stopping && connections.empty() && on_drained) std::exchange(on_drained, nullptr)();
  }

  // Closing a socket with unread input makes the kernel send RST, and the peer may then lose the
  // response it has not read yet (a 403 sent before reading the request, a 413 sent before the
  // body). So: send FIN, read and drop what the peer still sends, briefly, then close.
  asio::awaitable<void> lingering_close(Stream& stream) {
    stream.socket().shutdown(Protocol::socket::shutdown_send, ignored_);
    stream.expires_after(std::chrono::seconds(1));
    std::array<char, 4096> sink;
    std::size_t drained = 0;
    while (drained < options.body_limit) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
      if (ec) break;
      drained += n;
    }
    stream.close();
  }

  asio::awaitable<void> session(Stream& stream, Connection& conn) {
    auto peer = peer_cred(stream.socket().native_handle());
    if (!peer || peer->uid != ::getuid()) {
      co_await refuse_peer(stream, peer);
      co_return;
    }
    beast::flat_buffer buffer;
    while (!stopping) {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      stream.expires_after(options.request_timeout);
      auto [ec, n] = co_await beast_http::async_read(stream, buffer, parser, kTuple);
      if (ec) {
        if (auto res = response_for_read_error(ec, buffer.size() + n > 0)) {
          res->keep_alive(false);
          co_await write(stream, *res);
        } else if (ec == beast::error::timeout) {
          spdlog::debug("closing a connection (pid {}) that sent no complete request in {} s",
                        peer->pid, options.request_timeout.count());
        }
        co_return;
      }
      stream.expires_never();
      conn.busy = true;
      const auto& request = parser.get();
      ConnectionStream out(stream, stopping, options.write_timeout, request.keep_alive());
      co_await router.dispatch(request, *peer, out);
      bool keep = co_await out.finish();
      conn.busy = false;
      spdlog::debug("{} {} → {} (pid {})", std::string(request.method_string()),
                    std::string(request.target()), out.status(), peer->pid);
      if (!keep) co_return;
    }
  }

  // Another user (or an unknown one) reached the socket: refuse in words, log it, close.
  asio::awaitable<void> refuse_peer(Stream& stream, const std::optional<PeerCred>& peer) {
    if (peer) {
      spdlog::warn("refused connection from uid={} pid={} ({}): only uid {} is served", peer->uid,
                   peer->pid, process_executable(peer->pid), ::getuid());
    } else {
      spdlog::warn("refused connection: the kernel did not report the peer's credentials");
    }
    auto res = error_response(
        Error{Errc::forbidden, fmt::format("this bqbroker daemon serves only uid {}", ::getuid()),
              "each user runs their own daemon: systemctl --user start bqbroker.socket"});
    res.keep_alive(false);
    co_await write(stream, res);
  }

  // Maps a failed request read to the error response the client should get, if any: a client
  // that simply went away or stayed silent gets none.
  static std::optional<Response> response_for_read_error(beast::error_code ec, bool got_bytes) {
    if (ec == beast_http::error::header_limit) {
      return error_response(
          Error{Errc::header_too_large, "the request's header block is larger than 8 KiB", ""});
    }
    if (ec == beast_http::error::body_limit) {
      return error_response(
          Error{Errc::payload_too_large, "the request body is larger than 1 MiB", ""});
    }
    if (ec == beast_http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || !got_bytes) {
      return std::nullopt;
    }
    return error_response(
        Error{Errc::bad_request, fmt::format("malformed HTTP request: {}", ec.message()), ""});
  }

  asio::awaitable<bool> write(Stream& stream, Response& res) {
    stream.expires_after(options.write_timeout);
    auto [ec, n] = co_await beast_http::async_write(stream, res, kTuple);
    stream.expires_never();
    if (ec) spdlog::debug("writing a response failed: {}", ec.message());
    co_return !ec;
  }

  void shutdown(std::function<void()> drained) {
    stopping = true;
    on_drained = std::move(drained);
    acceptor.close(ignored_);
    for (auto& c : connections) {
      if (!c.busy) c.stream->socket().cancel(ignored_);
    }
    if (connections.empty() && on_drained) std::exchange(on_drained, nullptr)();
  }

  boost::system::error_code ignored_;
};

HttpServer::HttpServer(Acceptor acceptor, const Router& router, ServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(acceptor), router, options)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
}

void HttpServer::shutdown(std::function<void()> on_drained) {
  impl_->shutdown(std::move(on_drained));
}

std::size_t HttpServer::connection_count() const { return impl_->connections.size(); }

}  // namespace bqb::http
