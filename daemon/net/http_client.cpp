#include "daemon/net/http_client.h"

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "bqbroker_version.h"
#include "daemon/base/ascii.h"
#include "daemon/base/redact.h"
#include "daemon/net/connection_pool.h"
#include "daemon/net/outbound_url.h"
#include "daemon/net/tls_context.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

long long millis(std::chrono::milliseconds d) { return static_cast<long long>(d.count()); }

// One connection to an origin: TCP, possibly through a proxy tunnel, possibly with TLS on top.
class HttpConnection {
 public:
  using TlsStream = ssl::stream<beast::tcp_stream>;

  explicit HttpConnection(beast::tcp_stream tcp) : plain_(std::move(tcp)) {}

  /// Wraps the TCP stream in TLS; from then on every read and write is encrypted.
  void start_tls(ssl::context& ctx) {
    tls_.emplace(std::move(*plain_), ctx);
    plain_.reset();
  }
  TlsStream* tls() { return tls_ ? &*tls_ : nullptr; }
  beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }

  /// @returns false when the peer closed, reset, or sent unsolicited data: an idle HTTP/1.1
  /// connection has nothing to read, so anything readable means it cannot carry a request.
  bool looks_alive() {
    if (buffer.size() != 0) return false;
    auto& sock = tcp().socket();
    if (!sock.is_open()) return false;
    pollfd p{sock.native_handle(), POLLIN | POLLRDHUP, 0};
    int n = ::poll(&p, 1, 0);
    return n == 0;
  }

  void close() {
    error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }

  beast::flat_buffer buffer;  // bytes read past the end of a message (kept with the connection)

 private:
  std::optional<beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
};

// How one request/response exchange on a connection ended.
struct Exchange {
  error_code ec;                    // of the failing operation, if any
  bool timed_out = false;           // ec came from the deadline
  bool failed_writing = false;      // the request was not (completely) written
  std::size_t bytes_written = 0;    // of the request
  bool got_response_bytes = false;  // some of a response arrived
  http::response<http::string_body> response;
  bool reusable = false;  // keep-alive, and nothing left over
};

// The errors of a connection the peer had already given up on.
bool is_dead_connection_error(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated;
}

bool is_idempotent(http::verb v) {
  switch (v) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
      return true;
    default:
      return false;
  }
}

template <class Stream>
awaitable<Exchange> exchange_on(Stream& stream, HttpConnection& conn,
                                http::request<http::string_body>& req, Clock::time_point deadline,
                                std::size_t max_body) {
  Exchange out;
  conn.tcp().expires_at(deadline);
  auto [wec, written] = co_await http::async_write(stream, req, kAwait);
  out.bytes_written = written;
  if (wec) {
    out.ec = wec;
    out.failed_writing = true;
    out.timed_out = wec == beast::error::timeout;
    co_return out;
  }

  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxResponseHeaderBytes);
  parser.body_limit(max_body);
  if (req.method() == http::verb::head) parser.skip(true);
  conn.tcp().expires_at(deadline);
  auto [rec, read] = co_await http::async_read(stream, conn.buffer, parser, kAwait);
  out.got_response_bytes = parser.got_some();
  if (rec == ssl::error::stream_truncated && parser.got_some()) {
    // A TLS peer closing without close_notify (Google does) ends a body delimited by EOF.
    error_code eof_ec;
    parser.put_eof(eof_ec);
    if (!eof_ec && parser.is_done()) rec = {};
  }
  if (rec) {
    out.ec = rec;
    out.timed_out = rec == beast::error::timeout;
    co_return out;
  }
  out.response = parser.release();
  out.reusable = out.response.keep_alive() && conn.buffer.size() == 0;
  co_return out;
}

// The state a client shares with its in-flight send() coroutines.
class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  ClientCore(asio::any_io_executor ex, HttpClientOptions options, std::shared_ptr<ssl::context> tls)
      : executor_(std::move(ex)),
        options_(std::move(options)),
        tls_(std::move(tls)),
        pool_(std::make_shared<ConnectionPool<HttpConnection>>(executor_, options_.idle_timeout,
                                                               options_.max_idle_per_origin)) {}

  awaitable<Result<HttpResponse>> send(HttpRequest request);

 private:
  awaitable<Result<std::unique_ptr<HttpConnection>>> connect(const OutboundTarget& target,
                                                             Clock::time_point deadline,
                                                             std::chrono::milliseconds timeout);
  awaitable<Result<tcp::resolver::results_type>> resolve(const std::string& host,
                                                         std::uint16_t port,
                                                         Clock::time_point deadline,
                                                         std::chrono::milliseconds timeout);
  awaitable<Status> tunnel(beast::tcp_stream& stream, const OutboundTarget& target,
                           const ProxyEndpoint& proxy, Clock::time_point deadline,
                           std::chrono::milliseconds timeout);

  asio::any_io_executor executor_;
  HttpClientOptions options_;
  std::shared_ptr<ssl::context> tls_;
  std::shared_ptr<ConnectionPool<HttpConnection>> pool_;
};

Error network_error(const error_code& ec, bool timed_out, std::string_view doing,
                    std::string_view where, std::chrono::milliseconds timeout) {
  if (timed_out) {
    return Error{Errc::upstream_unavailable,
                 fmt::format("timed out after {} ms {} {}", millis(timeout), doing, where),
                 {}};
  }
  return Error{
      Errc::upstream_unavailable, fmt::format("{} {}: {}", doing, where, ec.message()), {}};
}

/// @returns `request` as Beast's request for `target`: its headers, plus Host and User-Agent
/// unless it set them, its body (moved out), keep-alive and the payload's length.
http::request<http::string_body> build_request(http::verb verb, const OutboundTarget& target,
                                               HttpRequest& request) {
  http::request<http::string_body> req{verb, target.target, 11};
  bool has_host = false;
  for (auto& [name, value] : request.headers) {
    if (ascii_iequals(name, "host")) has_host = true;
    req.insert(name, value);
  }
  if (!has_host) req.set(http::field::host, target.host_header());
  if (req.find(http::field::user_agent) == req.end()) {
    req.set(http::field::user_agent, fmt::format("bqbroker/{}", kVersion));
  }
  req.body() = std::move(request.body);
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

/// @returns Beast's `response` as the client's HttpResponse (status, headers in order, body).
HttpResponse to_http_response(http::response<http::string_body>&& response) {
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(response.body());
  return out;
}

/// @returns the error a failed exchange with `target` ends the request with: upstream_error for
/// a response over the limits or malformed, else upstream_unavailable naming what was under way.
Error exchange_error(const Exchange& ex, const OutboundTarget& target,
                     std::chrono::milliseconds timeout, std::size_t max_response_bytes) {
  if (ex.ec == http::error::body_limit) {
    return Error{Errc::upstream_error,
                 fmt::format("the response from {} exceeds the limit of {} bytes",
                             target.loggable(), max_response_bytes),
                 {}};
  }
  if (ex.ec == http::error::header_limit) {
    return Error{Errc::upstream_error,
                 fmt::format("the response header from {} exceeds {} bytes", target.loggable(),
                             kMaxResponseHeaderBytes),
                 {}};
  }
  if (ex.ec.category() == http::make_error_code(http::error::bad_version).category() &&
      ex.ec != http::error::end_of_stream && ex.ec != http::error::partial_message) {
    return Error{
        Errc::upstream_error,
        fmt::format("malformed HTTP response from {}: {}", target.loggable(), ex.ec.message()),
        {}};
  }
  return network_error(ex.ec, ex.timed_out,
                       ex.failed_writing ? "sending the request to" : "waiting for a response from",
                       target.authority(), timeout);
}

awaitable<Result<tcp::resolver::results_type>> ClientCore::resolve(
    const std::string& host, std::uint16_t port, Clock::time_point deadline,
    std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  tcp::resolver resolver(executor_);
  asio::steady_timer timer(executor_, deadline);
  // The resolver has no deadline of its own: race it against the timer (the loser is cancelled).
  auto winner = co_await (resolver.async_resolve(host, std::to_string(port), kAwait) ||
                          timer.async_wait(kAwait));
  if (winner.index() == 1) {
    co_return fail(Errc::upstream_unavailable,
                   fmt::format("timed out after {} ms resolving {}", millis(timeout), host));
  }
  auto [ec, results] = std::get<0>(std::move(winner));
  if (ec) {
    co_return fail(Errc::upstream_unavailable,
                   fmt::format("cannot resolve {}: {}", host, ec.message()));
  }
  co_return results;
}

awaitable<Status> ClientCore::tunnel(beast::tcp_stream& stream, const OutboundTarget& target,
                                     const ProxyEndpoint& proxy, Clock::time_point deadline,
                                     std::chrono::milliseconds timeout) {
  std::string where =
      fmt::format("the proxy {} (CONNECT {})", proxy.loggable(), target.authority());
  http::request<http::empty_body> req{http::verb::connect, target.authority(), 11};
  req.set(http::field::host, target.authority());
  req.set(http::field::user_agent, fmt::format("bqbroker/{}", kVersion));
  if (proxy.authorization) req.set(http::field::proxy_authorization, proxy.authorization->reveal());

  stream.expires_at(deadline);
  auto [wec, written] = co_await http::async_write(stream, req, kAwait);
  if (wec)
    co_return tl::unexpected(
        network_error(wec, wec == beast::error::timeout, "writing to", where, timeout));

  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts after the header
  stream.expires_at(deadline);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, kAwait);
  if (rec)
    co_return tl::unexpected(
        network_error(rec, rec == beast::error::timeout, "waiting for", where, timeout));
  const auto& res = parser.get();
  if (res.result_int() / 100 != 2) {
    std::string hint;
    if (res.result() == http::status::proxy_authentication_required) {
      hint = "the proxy wants credentials: set HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT";
    }
    co_return fail(Errc::upstream_unavailable,
                   fmt::format("{} refused the tunnel: {} {}", where, res.result_int(),
                               std::string(res.reason())),
                   hint);
  }
  if (buffer.size() != 0) {
    co_return fail(Errc::upstream_error,
                   fmt::format("{} sent data before the tunnel was used", where));
  }
  co_return Status{};
}

awaitable<Result<std::unique_ptr<HttpConnection>>> ClientCore::connect(
    const OutboundTarget& target, Clock::time_point deadline, std::chrono::milliseconds timeout) {
  BQB_CO_TRY(proxy, select_proxy(target, options_.proxy));
  const std::string& dial_host = proxy ? proxy->host : target.host;
  std::uint16_t dial_port = proxy ? proxy->port : target.port;
  std::string where = proxy ? fmt::format("the proxy {}", proxy->loggable()) : target.authority();

  BQB_CO_TRY(endpoints, co_await resolve(dial_host, dial_port, deadline, timeout));
  std::vector<tcp::endpoint> dial;
  for (const auto& entry : endpoints) {
    // Plain http is allowed to loopback only: "localhost" must not resolve anywhere else.
    if (!target.tls && !proxy && !entry.endpoint().address().is_loopback()) continue;
    dial.push_back(entry.endpoint());
  }
  if (dial.empty()) {
    co_return fail(
        Errc::tls_error,
        fmt::format("refusing plain http to {}: it resolves to no loopback address", target.host));
  }

  beast::tcp_stream stream(executor_);
  stream.expires_at(deadline);
  auto [cec, ep] = co_await stream.async_connect(dial, kAwait);
  if (cec)
    co_return tl::unexpected(
        network_error(cec, cec == beast::error::timeout, "connecting to", where, timeout));
  if (proxy) {
    auto tunnelled = co_await tunnel(stream, target, *proxy, deadline, timeout);
    if (!tunnelled) co_return tl::unexpected(std::move(tunnelled).error());
  }

  auto conn = std::make_unique<HttpConnection>(std::move(stream));
  if (target.tls) {
    conn->start_tls(*tls_);
    SSL* ssl_handle = conn->tls()->native_handle();
    if (auto prepared = prepare_tls_connection(ssl_handle, target.host, target.host_is_ip);
        !prepared) {
      co_return tl::unexpected(std::move(prepared).error());
    }
    conn->tcp().expires_at(deadline);
    auto [hec] = co_await conn->tls()->async_handshake(ssl::stream_base::client, kAwait);
    if (hec) {
      if (hec.category() == asio::error::get_ssl_category() ||
          hec == ssl::error::stream_truncated) {
        co_return tl::unexpected(tls_handshake_error(ssl_handle, target.host, hec.message()));
      }
      co_return tl::unexpected(network_error(hec, hec == beast::error::timeout,
                                             "during the TLS handshake with", target.authority(),
                                             timeout));
    }
  }
  co_return conn;
}

awaitable<Result<HttpResponse>> ClientCore::send(HttpRequest request) {
  auto self = shared_from_this();  // keeps the pool and TLS context alive while this runs
  BQB_CO_TRY(target, parse_outbound_url(request.url));
  http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    co_return fail(Errc::bad_request, fmt::format("unknown HTTP method '{}' for {}", request.method,
                                                  target.loggable()));
  }
  const auto started = Clock::now();
  const auto deadline = started + request.timeout;

  http::request<http::string_body> req = build_request(verb, target, request);

  const std::string origin = target.origin();
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<HttpConnection> conn = attempt == 0 ? pool_->take(origin) : nullptr;
    const bool reused = conn != nullptr;
    if (!conn) {
      BQB_CO_TRY(fresh, co_await connect(target, deadline, request.timeout));
      conn = std::move(fresh);
    }

    // Not a ?: with a co_await in each branch: g++ 12 miscompiles that.
    Exchange ex;
    if (conn->tls() != nullptr) {
      ex = co_await exchange_on(*conn->tls(), *conn, req, deadline, options_.max_response_bytes);
    } else {
      ex = co_await exchange_on(conn->tcp(), *conn, req, deadline, options_.max_response_bytes);
    }
    if (!ex.ec) {
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      spdlog::debug("http {} {} -> {} ({} ms{})", request.method, target.loggable(),
                    ex.response.result_int(), millis(elapsed), reused ? ", reused connection" : "");
      if (ex.reusable) {
        pool_->put(origin, std::move(conn));
      } else {
        conn->close();
      }
      co_return to_http_response(std::move(ex.response));
    }
    conn->close();

    // A kept-alive connection the server had already closed fails with EOF or a reset before any
    // response byte. Try once more on a fresh connection when that cannot repeat a side effect:
    // the method is idempotent, or not one byte of the request went out.
    const bool retry = reused && !ex.timed_out && !ex.got_response_bytes &&
                       is_dead_connection_error(ex.ec) &&
                       (is_idempotent(verb) || ex.bytes_written == 0);
    if (retry) {
      spdlog::debug("http {} {}: reused connection was closed by the server ({}), retrying",
                    request.method, target.loggable(), ex.ec.message());
      continue;
    }
    co_return tl::unexpected(
        exchange_error(ex, target, request.timeout, options_.max_response_bytes));
  }
}

class AsioHttpClient final : public HttpClient {
 public:
  explicit AsioHttpClient(std::shared_ptr<ClientCore> core) : core_(std::move(core)) {}

  awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    // The coroutine holds the core, not `this`: the client may go away while requests run.
    auto core = core_;
    co_return co_await core->send(std::move(request));
  }

 private:
  std::shared_ptr<ClientCore> core_;
};

}  // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (ascii_iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Result<std::unique_ptr<HttpClient>> make_http_client(asio::any_io_executor executor,
                                                     HttpClientOptions options) {
  // A malformed proxy setting is a configuration error now, not on the first request.
  if (!options.proxy.https_proxy.empty()) {
    BQB_TRY(p, parse_proxy_url(options.proxy.https_proxy, "HTTPS_PROXY"));
    if (p.authorization) Redactor::global().remember(p.authorization->reveal());
  }
  if (!options.proxy.http_proxy.empty()) {
    BQB_TRY(p, parse_proxy_url(options.proxy.http_proxy, "HTTP_PROXY"));
    if (p.authorization) Redactor::global().remember(p.authorization->reveal());
  }
  BQB_TRY(tls, make_tls_client_context(options.ca_file));
  auto core = std::make_shared<ClientCore>(std::move(executor), std::move(options), std::move(tls));
  return std::unique_ptr<HttpClient>(std::make_unique<AsioHttpClient>(std::move(core)));
}

}  // namespace bqb
