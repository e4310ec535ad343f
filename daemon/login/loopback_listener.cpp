#include "daemon/login/loopback_listener.h"

#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "daemon/base/foreign_text.h"
#include "daemon/login/login_page.h"
#include "daemon/server/connection_server.h"
#include "daemon/server/tcp_listen.h"
#include "daemon/server/tcp_peer_gate.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 4 * 1024;

// The page must not load anything, run anything, or leak its URL (it holds the code) anywhere.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

using Response = http::response<http::string_body>;

Response make_response(const LoopbackReply& reply) {
  Response res{static_cast<http::status>(reply.status), 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.keep_alive(false);
  res.body() = reply.html;
  res.prepare_payload();
  return res;
}

// The path of a target without its query, for logs: the query carries the code.
std::string_view path_only(std::string_view target) {
  return target.substr(0, std::min(target.find('?'), target.size()));
}

/// Whether `host` (the Host header) names this listener as the redirect URI does: exactly
/// "127.0.0.1:PORT". A browser sends the host of the URL it loads; any other name means the
/// request came from a page that re-pointed its own name at 127.0.0.1 (DNS rebinding) or from
/// something that is not the browser following Google's redirect.
bool is_redirect_host(std::string_view host, std::uint16_t port) {
  return host == "127.0.0.1:" + std::to_string(port);
}

}  // namespace

struct LoopbackListener::Impl {
  using Connection = TcpConnectionServer::Connection;

  explicit Impl(LoopbackOptions o) : options(o) {}

  LoopbackOptions options;
  std::uint16_t port = 0;
  Handler handler;
  std::shared_ptr<TcpConnectionServer> server;
  std::optional<TcpPeerGate> gate;

  asio::awaitable<void> session(Connection& conn) {
    auto& stream = conn.stream;
    // Before anything is read: another uid's connection is closed at once, unanswered.
    auto admission = co_await gate->admit(conn);
    if (admission.verdict == TcpPeerGate::Verdict::over_uid_cap) {
      const LoopbackReply busy{
          503, oauth::login_failure_page(fmt::format(
                   "Your browser has {} connections open to this login listener, the limit. "
                   "Reload the page.",
                   options.peers.max_per_uid))};
      co_await write(stream, busy);
      co_return;
    }
    if (admission.verdict != TcpPeerGate::Verdict::pass) co_return;
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(kBodyLimit);
    stream.expires_after(options.read_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec) {
      // Pre-connections that never send and connections closed early are just closed; bytes
      // that are not a request get a 400 first.
      if (buffer.size() + n > 0 && ec != beast::error::timeout && !server->stopping()) {
        spdlog::debug("login listener: unreadable request: {}", ec.message());
        // Named, not a braced temporary in the co_await: g++ 12 destroys those twice.
        const LoopbackReply refused{400,
                                    oauth::login_failure_page("The request could not be read.")};
        co_await write(stream, refused);
      }
      co_return;
    }
    stream.expires_never();
    conn.busy = true;
    const auto& request = parser.get();
    const std::string path = sanitize_foreign_text(path_only(request.target()));
    if (!is_redirect_host(request[http::field::host], port)) {
      const LoopbackReply refused{400, oauth::login_failure_page(fmt::format(
                                           "This address answers only the browser's redirect to "
                                           "http://127.0.0.1:{}/.",
                                           port))};
      spdlog::warn("login listener: refused a request for another host name ({})",
                   sanitize_foreign_text(request[http::field::host]));
      co_await write(stream, refused);
      co_return;
    }
    if (request.method() != http::verb::get) {
      const LoopbackReply refused{
          405, oauth::login_failure_page("Only GET requests are answered here.")};
      spdlog::debug("login listener: {} {} → 405", std::string(request.method_string()), path);
      co_await write(stream, refused);
      co_return;
    }
    std::string target(request.target());
    const LoopbackReply reply = co_await handler(std::move(target));
    spdlog::debug("login listener: GET {} → {}", path, reply.status);
    co_await write(stream, reply);
  }

  asio::awaitable<void> write(TcpConnectionServer::Stream& stream, const LoopbackReply& reply) {
    auto res = make_response(reply);
    co_await server->write(stream, res);
  }
};

LoopbackListener::LoopbackListener(std::unique_ptr<Impl> impl, std::uint16_t port)
    : impl_(std::move(impl)), port_(port) {}

LoopbackListener::~LoopbackListener() = default;

Result<std::shared_ptr<LoopbackListener>> LoopbackListener::bind(asio::any_io_executor executor,
                                                                 std::uint16_t port,
                                                                 BlockingPool& blocking,
                                                                 LoopbackOptions options) {
  BQB_TRY(acceptor,
          listen_tcp(executor, tcp::endpoint(asio::ip::address_v4::loopback(), port),
                     "listen for the login redirect",
                     "finish or cancel the other login, or set [oauth] redirect_port = 0 to let "
                     "the system pick a free port"));
  boost::system::error_code ec;
  const std::uint16_t bound = acceptor.local_endpoint(ec).port();
  if (ec) {
    return fail(Errc::io_error,
                fmt::format("cannot read the login listener's port: {}", ec.message()));
  }
  auto impl = std::make_unique<Impl>(options);
  impl->port = bound;
  const std::string name = fmt::format("login listener on 127.0.0.1:{}", bound);
  impl->gate.emplace(name, blocking, options.peers);
  auto* raw = impl.get();
  ConnectionServerOptions server_options;
  server_options.name = name;
  server_options.max_connections = options.max_connections;
  server_options.write_timeout = options.write_timeout;
  server_options.linger = std::chrono::seconds(1);
  server_options.linger_bytes = kBodyLimit;
  impl->server = std::make_shared<TcpConnectionServer>(
      std::move(acceptor), std::move(server_options),
      [raw](TcpConnectionServer::Connection& c) { return raw->session(c); },
      // At the cap, stop accepting rather than answer a peer not looked up yet.
      TcpConnectionServer::OverCapacity{});
  return std::shared_ptr<LoopbackListener>(new LoopbackListener(std::move(impl), bound));
}

void LoopbackListener::start(Handler handler) {
  impl_->handler = std::move(handler);
  impl_->server->start(shared_from_this());
}

void LoopbackListener::close() {
  if (closed_) return;
  closed_ = true;
  impl_->server->stop();
}

std::size_t LoopbackListener::connection_count() const {
  return impl_->server->connection_count();
}

}  // namespace bqb
