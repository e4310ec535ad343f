#include "daemon/io/loopback_listener.h"

#include <list>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "daemon/core/login_page.h"

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

http::response<http::string_body> make_response(const LoopbackReply& reply) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
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

}  // namespace

struct LoopbackListener::Impl {
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    bool busy = false;  // between a complete request and the end of its answer
  };

  Impl(tcp::acceptor a, LoopbackOptions o) : acceptor(std::move(a)), options(o) {}

  tcp::acceptor acceptor;
  LoopbackOptions options;
  Handler handler;
  std::list<Connection> connections;
  bool stopping = false;

  asio::awaitable<void> accept_loop(std::shared_ptr<LoopbackListener> owner) {
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) break;
        spdlog::warn("login listener on 127.0.0.1:{}: accept failed: {}", owner->port(),
                     ec.message());
        continue;
      }
      if (connections.size() >= options.max_connections) {
        spdlog::debug("login listener: {} connections open; closing a new one", connections.size());
        continue;  // the socket closes when it goes out of scope
      }
      asio::co_spawn(acceptor.get_executor(), serve(owner, std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<LoopbackListener> owner, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    auto conn = connections.insert(connections.end(), Connection{&stream, false});
    co_await session(stream, *conn);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    connections.erase(conn);
    (void)owner;  // kept alive until here
  }

  asio::awaitable<void> session(beast::tcp_stream& stream, Connection& conn) {
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(kBodyLimit);
    stream.expires_after(options.read_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec) {
      // Pre-connections that never send and connections closed early are just closed; bytes
      // that are not a request get a 400 first.
      if (buffer.size() + n > 0 && ec != beast::error::timeout && !stopping) {
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
    const std::string path(path_only(request.target()));
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

  asio::awaitable<void> write(beast::tcp_stream& stream, const LoopbackReply& reply) {
    auto res = make_response(reply);
    stream.expires_after(options.write_timeout);
    auto [ec, n] = co_await http::async_write(stream, res, kTuple);
    if (ec) spdlog::debug("login listener: writing the answer failed: {}", ec.message());
  }
};

LoopbackListener::LoopbackListener(std::unique_ptr<Impl> impl, std::uint16_t port)
    : impl_(std::move(impl)), port_(port) {}

LoopbackListener::~LoopbackListener() = default;

Result<std::shared_ptr<LoopbackListener>> LoopbackListener::bind(asio::any_io_executor executor,
                                                                 std::uint16_t port,
                                                                 LoopbackOptions options) {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  tcp::acceptor acceptor(executor);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  // No SO_REUSEADDR: a fixed port must not be shared with a still-lingering listener of
  // another program.
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    const std::string address = fmt::format("127.0.0.1:{}", port);
    if (ec == asio::error::address_in_use) {
      return fail(
          Errc::conflict,
          fmt::format("cannot listen for the login redirect on {}: the port is in use", address),
          "finish or cancel the other login, or set [oauth] redirect_port = 0 to let "
          "the system pick a free port");
    }
    return fail(Errc::io_error, fmt::format("cannot listen for the login redirect on {}: {}",
                                            address, ec.message()));
  }
  const std::uint16_t bound = acceptor.local_endpoint(ec).port();
  if (ec) {
    return fail(Errc::io_error,
                fmt::format("cannot read the login listener's port: {}", ec.message()));
  }
  auto impl = std::make_unique<Impl>(std::move(acceptor), options);
  return std::shared_ptr<LoopbackListener>(new LoopbackListener(std::move(impl), bound));
}

void LoopbackListener::start(Handler handler) {
  impl_->handler = std::move(handler);
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(shared_from_this()),
                 asio::detached);
}

void LoopbackListener::close() {
  if (closed_) return;
  closed_ = true;
  impl_->stopping = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& c : impl_->connections) {
    if (!c.busy) c.stream->socket().cancel(ignored);
  }
}

std::size_t LoopbackListener::connection_count() const { return impl_->connections.size(); }

}  // namespace bqb
