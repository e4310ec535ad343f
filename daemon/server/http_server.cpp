#include "daemon/server/http_server.h"

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "daemon/base/foreign_text.h"
#include "daemon/server/connection_server.h"
#include "daemon/server/connection_stream.h"
#include "proto/byte_size.h"

namespace bqb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::int64_t as_count(std::size_t n) { return static_cast<std::int64_t>(n); }

}  // namespace

// What is said on one connection of the socket API; accepting, the cap, the registry and the
// drain are the ConnectionServer's.
struct HttpServer::Impl {
  using Connection = UnixConnectionServer::Connection;

  Impl(const Router& r, ServerOptions o) : router(r), options(o) {}

  const Router& router;
  ServerOptions options;
  std::shared_ptr<UnixConnectionServer> server;

  Response over_capacity() const {
    return error_response(
        Error{Errc::too_many_connections,
              fmt::format("the daemon has {} connections open, its limit", options.max_connections),
              "retry shortly, or raise [server] max_connections in config.toml"});
  }

  asio::awaitable<void> session(Connection& conn) {
    auto& stream = conn.stream;
    auto peer = peer_cred(stream.socket().native_handle());
    if (!peer || peer->uid != ::getuid()) {
      co_await refuse_peer(stream, peer);
      co_return;
    }
    beast::flat_buffer buffer;
    while (!server->stopping()) {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      stream.expires_after(options.request_timeout);
      auto [ec, n] = co_await beast_http::async_read(stream, buffer, parser, kTuple);
      if (ec) {
        if (auto res = response_for_read_error(ec, buffer.size() + n > 0)) {
          res->keep_alive(false);
          co_await server->write(stream, *res);
        } else if (ec == beast::error::timeout) {
          spdlog::debug("closing a connection (pid {}) that sent no complete request in {} s",
                        peer->pid, options.request_timeout.count());
        }
        co_return;
      }
      stream.expires_never();
      conn.busy = true;
      const auto& request = parser.get();
      ConnectionStream out(stream, server->stopping_flag(), options.write_timeout,
                           request.keep_alive());
      co_await router.dispatch(request, *peer, out);
      bool keep = co_await out.finish();
      conn.busy = false;
      spdlog::debug("{} {} → {} (pid {})", std::string(request.method_string()),
                    sanitize_foreign_text(request.target()), out.status(), peer->pid);
      if (!keep) co_return;
    }
  }

  // Another user (or an unknown one) reached the socket: refuse in words, log it, close.
  asio::awaitable<void> refuse_peer(UnixStream& stream, const std::optional<PeerCred>& peer) {
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
    co_await server->write(stream, res);
  }

  // Maps a failed request read to the error response the client should get, if any: a client
  // that simply went away or stayed silent gets none.
  std::optional<Response> response_for_read_error(beast::error_code ec, bool got_bytes) const {
    if (ec == beast_http::error::header_limit) {
      return error_response(Error{Errc::header_too_large,
                                  "the request's header block is larger than " +
                                      byte_size_text(as_count(options.header_limit)),
                                  ""});
    }
    if (ec == beast_http::error::body_limit) {
      return error_response(
          Error{Errc::payload_too_large,
                "the request body is larger than " + byte_size_text(as_count(options.body_limit)),
                ""});
    }
    if (ec == beast_http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || !got_bytes) {
      return std::nullopt;
    }
    return error_response(
        Error{Errc::bad_request, fmt::format("malformed HTTP request: {}", ec.message()), ""});
  }
};

HttpServer::HttpServer(Acceptor acceptor, const Router& router, ServerOptions options)
    : impl_(std::make_shared<Impl>(router, options)) {
  ConnectionServerOptions server_options;
  server_options.name = "socket API";
  server_options.max_connections = options.max_connections;
  server_options.write_timeout = options.write_timeout;
  server_options.linger = std::chrono::seconds(1);
  server_options.linger_bytes = options.body_limit;
  auto* impl = impl_.get();
  impl_->server = std::make_shared<UnixConnectionServer>(
      std::move(acceptor), std::move(server_options),
      [impl](UnixConnectionServer::Connection& c) { return impl->session(c); },
      [impl] { return impl->over_capacity(); });
}

HttpServer::~HttpServer() = default;

void HttpServer::start() { impl_->server->start(impl_); }

void HttpServer::shutdown(std::function<void()> on_drained) {
  impl_->server->stop(std::move(on_drained));
}

std::size_t HttpServer::connection_count() const { return impl_->server->connection_count(); }

}  // namespace bqb::http
