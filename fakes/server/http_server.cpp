#include "fakes/server/http_server.h"

#include <cctype>
#include <chrono>
#include <ctime>
#include <optional>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "fakes/server/spawn_logged.h"

namespace bqb::fakes {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// @returns the IMF-fixdate of now + `offset`, for the Date header.
std::string http_date(std::chrono::seconds offset) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[64];
  const std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, n);
}

http::response<http::string_body> to_beast(const FakeResponse& r, unsigned version, bool keep_alive,
                                           std::chrono::seconds clock_offset) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "bqbroker-emulator");
  res.set(http::field::date, http_date(clock_offset));
  res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

FakeResponse plain_error(int status, std::string message) {
  FakeResponse r = json_response(
      status, {{"error", "invalid_request"}, {"error_description", std::move(message)}});
  return r;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerOptions o, Handler h, AccessLog l, ErrorLog e)
      : acceptor(io),
        options(std::move(o)),
        handler(std::move(h)),
        access_log(std::move(l)),
        error_log(std::move(e)) {}

  tcp::acceptor acceptor;
  ServerOptions options;
  Handler handler;
  AccessLog access_log;
  ErrorLog error_log;
  std::optional<asio::ssl::context> ssl;

  FakeResponse call_handler(const FakeRequest& req) {
    try {
      return handler(req);
    } catch (const std::exception& e) {
      return plain_error(500, std::string("the fake failed: ") + e.what());
    }
  }

  /// Serves requests on `stream` until the peer closes, an error, or Connection: close.
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(options.body_limit);
      tcp_layer.expires_after(options.io_timeout);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == beast::error::timeout ||
          ec == asio::ssl::error::stream_truncated || ec == asio::error::operation_aborted) {
        co_return;
      }
      const unsigned version = parser.get().version() == 10 ? 10 : 11;
      FakeResponse r;
      bool keep_alive = false;
      std::string method;
      std::string path;
      if (ec) {
        r = ec == http::error::body_limit ? plain_error(413, "request body too large")
            : ec == http::error::header_limit
                ? plain_error(431, "request header too large")
                : plain_error(400, "malformed HTTP request: " + ec.message());
      } else {
        auto& req = parser.get();
        FakeRequest fr{std::string(req.method_string()),
                       std::string(req.target()),
                       std::string(req[http::field::content_type]),
                       std::move(req.body()),
                       {}};
        for (const auto& h : req) {
          std::string name(h.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          fr.headers.emplace_back(std::move(name), std::string(h.value()));
        }
        method = fr.method;
        path = std::string(path_of(fr.target));
        keep_alive = req.keep_alive();
        r = call_handler(fr);
      }
      if (r.delay.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(r.delay);
        co_await timer.async_wait(kTuple);
      }
      if (access_log) access_log(method, path, r.close_without_answer ? 0 : r.status);
      if (r.close_without_answer) co_return;
      auto res = to_beast(r, version, keep_alive, options.clock_offset);
      tcp_layer.expires_after(options.io_timeout);
      if (r.cut_mid_body) {
        // The whole header (its Content-Length promising the whole body), half the body, then
        // the connection ends: the client sees a truncated message.
        std::ostringstream wire;
        wire << res;
        const std::string bytes = wire.str();
        const std::size_t keep = bytes.size() - r.body.size() + r.body.size() / 2;
        co_await asio::async_write(stream, asio::buffer(bytes.data(), keep), kTuple);
        co_return;
      }
      auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
      if (wec || !keep_alive) co_return;
    }
  }

  /// Owns `self` in its frame, so the server's state outlives every connection. I/O errors end
  /// the connection quietly (as_tuple); anything it throws is a bug of the fake, reported by
  /// spawn_logged, and ends that connection only.
  static asio::awaitable<void> session(std::shared_ptr<Impl> self, tcp::socket socket) {
    const auto& options = self->options;
    auto& ssl = self->ssl;
    beast::tcp_stream tcp_stream(std::move(socket));
    if (!ssl) {
      co_await self->serve(tcp_stream);
      beast::error_code ignored;
      tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), *ssl);
    beast::get_lowest_layer(tls_stream).expires_after(options.io_timeout);
    auto [hec] = co_await tls_stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (hec) co_return;  // a client that refused our certificate, or a probe: not our error
    co_await self->serve(tls_stream);
    beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(5));
    co_await tls_stream.async_shutdown(kTuple);
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;  // EMFILE and the like: keep serving the connections we have
      spawn_logged(acceptor.get_executor(), session(self, std::move(socket)), "a connection",
                   error_log);
    }
  }
};

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io, ServerOptions options,
                                                      Handler handler, AccessLog access_log,
                                                      ErrorLog error_log) {
  auto impl = std::make_shared<Impl>(io, std::move(options), std::move(handler),
                                     std::move(access_log), std::move(error_log));
  const ServerOptions& o = impl->options;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return fail(Errc::bad_request, "--tls-cert and --tls-key must be given together");
  }
  if (!o.tls_cert_file.empty()) {
    impl->ssl.emplace(asio::ssl::context::tls_server);
    beast::error_code ec;
    impl->ssl->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec)
      return fail(Errc::tls_error,
                  "cannot load the TLS certificate " + o.tls_cert_file + ": " + ec.message());
    impl->ssl->use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec)
      return fail(Errc::tls_error,
                  "cannot load the TLS key " + o.tls_key_file + ": " + ec.message());
  }
  const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), o.port);
  beast::error_code ec;
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(Errc::io_error,
                "cannot listen on 127.0.0.1:" + std::to_string(o.port) + ": " + ec.message());
  }
  spawn_logged(io.get_executor(), impl->accept_loop(), "the accept loop", impl->error_log);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

bool HttpServer::tls() const { return impl_->ssl.has_value(); }

void HttpServer::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace bqb::fakes
