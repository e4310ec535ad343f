#include "daemon/metadata/metadata_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <list>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "daemon/base/foreign_text.h"
#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive
#include "daemon/server/connection_server.h"
#include "daemon/server/tcp_listen.h"
#include "daemon/server/tcp_peer_gate.h"

namespace bqb {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using metadata::MetadataReply;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 4 * 1024;  // GETs carry no body
constexpr std::chrono::milliseconds kLinger{1000};

using Response = http::response<http::string_body>;

Response make_response(const MetadataReply& reply, bool head) {
  Response res{static_cast<http::status>(reply.status), 11};
  res.set("Metadata-Flavor", "Google");
  res.set(http::field::server, "Metadata Server for VM");  // GCE's; some programs probe for it
  if (reply.status == 200) res.set(http::field::etag, metadata::etag_of(reply.body));
  res.set(http::field::content_type, reply.content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = reply.body;
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length stays that of the GET answer
  return res;
}

std::optional<std::string_view> header(const http::request<http::string_body>& req,
                                       std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return it->value();
}

std::string path_only(std::string_view target) {
  return std::string(target.substr(0, std::min(target.find('?'), target.size())));
}

// A held request's client that closed or reset its connection: nothing is read, so a request
// it pipelined behind the held one stays for the session to read.
bool peer_hung_up(TcpConnectionServer::Stream& stream) {
  char byte = 0;
  const ssize_t n =
      ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

}  // namespace

struct MetadataServer::Impl {
  using Connection = TcpConnectionServer::Connection;

  Impl(TokenSource& t, MetadataIdentityProvider i, MetadataServerOptions o)
      : tokens(t), identity(std::move(i)), options(o) {}

  TokenSource& tokens;
  MetadataIdentityProvider identity;
  MetadataServerOptions options;
  std::string name;  // "metadata 127.0.0.1:PORT", for logs and the audit line
  std::shared_ptr<TcpConnectionServer> server;
  std::optional<TcpPeerGate> gate;
  std::list<asio::steady_timer*> holding;  // the timers of held wait_for_change requests

  // close(): every held request answers now.
  void wake_holders() {
    for (auto* timer : holding) timer->cancel();
  }

  bool stopping() const { return server->stopping(); }

  // This uid holds its share of the connections already.
  Response over_uid_cap() const {
    const MetadataReply busy{
        503, std::string(metadata::kText),
        fmt::format("you have {} connections open to this metadata endpoint, the limit for one "
                    "user; retry shortly\n",
                    options.peers.max_per_uid)};
    auto res = make_response(busy, false);
    res.keep_alive(false);
    return res;
  }

  asio::awaitable<void> session(Connection& conn) {
    auto& stream = conn.stream;
    // Before anything is read: another uid's connection is closed at once, unanswered.
    auto admission = co_await gate->admit(conn);
    if (admission.verdict == TcpPeerGate::Verdict::over_uid_cap) {
      auto busy = over_uid_cap();
      co_await server->write(stream, busy);
      co_return;
    }
    if (admission.verdict != TcpPeerGate::Verdict::pass) co_return;
    const uid_t uid = admission.pass->uid();
    beast::flat_buffer buffer;
    while (!stopping()) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(kBodyLimit);
      stream.expires_after(options.request_timeout);
      auto [read_ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (read_ec) {
        if (buffer.size() + n > 0 && read_ec != beast::error::timeout && !stopping() &&
            read_ec != http::error::end_of_stream && read_ec != asio::error::connection_reset) {
          const MetadataReply bad{400, std::string(metadata::kText),
                                  fmt::format("malformed HTTP request: {}\n", read_ec.message())};
          auto res = make_response(bad, false);
          res.keep_alive(false);
          co_await server->write(stream, res);
        }
        co_return;
      }
      stream.expires_never();
      conn.busy = true;
      const auto& request = parser.get();
      const auto reply = co_await answer(request, uid, conn);
      if (!reply) co_return;  // a held request whose client hung up
      auto res = make_response(*reply, request.method() == http::verb::head);
      res.keep_alive(request.keep_alive() && !stopping());
      spdlog::debug("{}: {} {} → {}", name, std::string(request.method_string()),
                    sanitize_foreign_text(path_only(request.target())), reply->status);
      const bool ok = co_await server->write(stream, res);
      conn.busy = false;
      if (!ok || !res.keep_alive()) co_return;
    }
  }

  // @returns the answer to `request`, or nullopt when a held request's client hung up.
  asio::awaitable<std::optional<MetadataReply>> answer(
      const http::request<http::string_body>& request, uid_t uid, Connection& conn) {
    metadata::MetadataHttpRequest view;
    view.method = request.method_string();
    view.target = request.target();
    view.metadata_flavor = header(request, "Metadata-Flavor");
    view.host = header(request, "Host");
    view.has_forwarded_for = header(request, "X-Forwarded-For").has_value();
    view.has_origin = header(request, "Origin").has_value();
    auto call = metadata::classify(view);
    if (!call) co_return call.error();
    auto reply = co_await evaluate(*call, uid);
    if (!call->wait || reply.status != 200) co_return reply;
    co_return co_await hold(*call, uid, conn, std::move(reply));
  }

  // The value `call` asks for now.
  asio::awaitable<MetadataReply> evaluate(const metadata::MetadataCall& call, uid_t uid) {
    auto who = identity();
    if (!who) co_return metadata::error_reply(who.error());
    auto next = metadata::answer(call, *who);
    if (auto* reply = std::get_if<MetadataReply>(&next)) co_return std::move(*reply);

    TokenRequest token_request;
    token_request.account = who->account;
    token_request.scopes = std::move(std::get<metadata::TokenNeeded>(next).scopes);
    token_request.caller = TokenCaller{uid, std::nullopt, "?", name};
    auto token = co_await tokens.token(std::move(token_request));
    if (!token) co_return metadata::error_reply(token.error());
    co_return metadata::token_reply(token->access_token, token->expires_at,
                                    std::chrono::system_clock::now(), call.alt);
  }

  // wait_for_change: `current` at once when its ETag differs from last_etag; otherwise the value
  // once its ETag changes (or it fails), at the latest when the timeout passes, or when the
  // endpoint closes. nullopt: the client hung up meanwhile.
  asio::awaitable<std::optional<MetadataReply>> hold(const metadata::MetadataCall& call, uid_t uid,
                                                     Connection& conn, MetadataReply current) {
    const std::string baseline = call.wait->last_etag.value_or(metadata::etag_of(current.body));
    if (metadata::etag_of(current.body) != baseline) co_return current;
    const auto deadline = std::chrono::steady_clock::now() + call.wait->timeout;
    spdlog::debug("{}: holding a request for up to {} s until its value changes", name,
                  call.wait->timeout.count());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    holding.push_front(&timer);
    struct Unlist {
      std::list<asio::steady_timer*>& list;
      std::list<asio::steady_timer*>::iterator it;
      ~Unlist() { list.erase(it); }
    } unlist{holding, holding.begin()};
    while (!stopping()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      timer.expires_at(std::min(deadline, now + options.change_recheck));
      co_await timer.async_wait(kTuple);  // cancelled by close()
      if (stopping()) break;
      if (peer_hung_up(conn.stream)) co_return std::nullopt;
      current = co_await evaluate(call, uid);
      if (current.status != 200 || metadata::etag_of(current.body) != baseline) break;
    }
    co_return current;
  }
};

MetadataServer::MetadataServer(std::unique_ptr<Impl> impl, std::string host, std::uint16_t port)
    : impl_(std::move(impl)), host_(std::move(host)), port_(port) {}

MetadataServer::~MetadataServer() = default;

Result<std::shared_ptr<MetadataServer>> MetadataServer::bind(
    asio::any_io_executor executor, const ListenAddress& address, TokenSource& tokens,
    BlockingPool& blocking, MetadataIdentityProvider identity, MetadataServerOptions options) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (ec || !ip.is_loopback()) {
    return fail(Errc::config_invalid,
                fmt::format("the metadata endpoint must listen on a loopback IP address, not '{}'",
                            address.host));
  }
  BQB_TRY(acceptor, listen_tcp(executor, tcp::endpoint(ip, address.port),
                               "open the metadata endpoint",
                               "choose another port in [metadata] listen, or stop the program "
                               "using it"));
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) {
    return fail(Errc::io_error,
                fmt::format("cannot read the metadata endpoint's port: {}", ec.message()));
  }
  const std::string host = endpoint_text(bound);
  auto impl = std::make_unique<Impl>(tokens, std::move(identity), options);
  impl->name = "metadata " + host;
  impl->gate.emplace(impl->name, blocking, options.peers);
  auto* raw = impl.get();
  ConnectionServerOptions server_options;
  server_options.name = impl->name;
  server_options.max_connections = options.max_connections;
  server_options.write_timeout = options.write_timeout;
  server_options.linger = kLinger;
  server_options.linger_bytes = kBodyLimit;
  impl->server = std::make_shared<TcpConnectionServer>(
      std::move(acceptor), std::move(server_options),
      [raw](TcpConnectionServer::Connection& c) { return raw->session(c); },
      // At the cap, stop accepting rather than answer a peer not looked up yet.
      TcpConnectionServer::OverCapacity{});
  return std::shared_ptr<MetadataServer>(new MetadataServer(std::move(impl), host, bound.port()));
}

void MetadataServer::start() { impl_->server->start(shared_from_this()); }

void MetadataServer::close() {
  if (closed_) return;
  closed_ = true;
  impl_->server->stop();
  impl_->wake_holders();
}

std::size_t MetadataServer::connection_count() const { return impl_->server->connection_count(); }

}  // namespace bqb
