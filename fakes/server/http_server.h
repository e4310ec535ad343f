#pragma once
// A small HTTP/1.1 server on 127.0.0.1 (never any other address) that hands each request to a
// Handler as a FakeRequest and sends back its FakeResponse, honouring the response's delay and
// close_without_answer. Plain HTTP, or HTTPS with a given certificate and key. One coroutine per
// connection, keep-alive supported, a timeout on every read and write; malformed requests get a
// 400 and never reach the handler.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "fakes/oauth/http_types.h"
#include "fakes/server/spawn_logged.h"
#include "proto/error.h"

namespace bqb::fakes {

struct ServerOptions {
  std::uint16_t port = 0;     // 0: the OS picks
  std::string tls_cert_file;  // PEM certificate chain; set both files to serve HTTPS
  std::string tls_key_file;   // PEM private key
  std::size_t body_limit = 1 << 20;
  std::chrono::seconds io_timeout{60};  // per read (idle keep-alive included) and per write
  /// Added to the clock for every response's `Date` header (Google sends one on every answer):
  /// a server whose clock is off, for the daemon's clock check.
  std::chrono::seconds clock_offset{0};
};

/// Called on the io_context's thread for every well-formed request. May throw: the server then
/// answers 500 and keeps running.
using Handler = std::function<FakeResponse(const FakeRequest&)>;
/// Told of every exchange after it completed, for the fake's stderr log: method, path without the
/// query (queries may carry tokens), status.
using AccessLog = std::function<void(std::string_view method, std::string_view path, int status)>;

class HttpServer {
 public:
  /// Binds 127.0.0.1:`options.port`, loads the TLS files when given, and starts accepting on `io`.
  /// A coroutine of the server that throws (a bug: I/O errors are values) is reported to
  /// `error_log` (stderr when empty); a connection's failure ends that connection only.
  /// @returns the server, or io_error/tls_error naming the address or the file that failed.
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   ServerOptions options, Handler handler,
                                                   AccessLog access_log = {},
                                                   ErrorLog error_log = {});
  ~HttpServer();

  /// @returns the bound port.
  std::uint16_t port() const;
  /// @returns whether it serves HTTPS.
  bool tls() const;
  /// Stops accepting new connections; open ones finish their current exchange.
  void stop();

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace bqb::fakes
