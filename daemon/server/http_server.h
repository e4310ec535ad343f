#pragma once
// The socket API's HTTP/1.1 server on a Unix stream socket: one coroutine per connection,
// keep-alive, the peer's uid checked on every connection, limits on header and body size,
// a deadline for reading each request, a cap on open connections, and a graceful shutdown.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "daemon/server/router.h"

namespace bqb::http {

struct ServerOptions {
  std::chrono::seconds request_timeout{30};  // to receive one whole request, idle time included
  std::chrono::seconds write_timeout{30};    // to write one response (or one streamed part)
  std::size_t max_connections = 4096;
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 1024 * 1024;
};

class HttpServer {
 public:
  using Acceptor = boost::asio::local::stream_protocol::acceptor;

  /// `router` must outlive the server.
  HttpServer(Acceptor acceptor, const Router& router, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Starts accepting on the acceptor's executor.
  void start();

  /// Stops accepting, closes idle connections, lets requests in flight finish (their connection
  /// is closed after the response), then calls `on_drained` once no connection is left.
  void shutdown(std::function<void()> on_drained);

  std::size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bqb::http
