#include "client/lib/daemon_client.h"
#include "proto/byte_size.h"
#include "proto/json_text.h"

#include <fcntl.h>
#include <sys/un.h>

#include <array>
#include <cassert>
#include <span>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "bqbroker_version.h"
#include "client/lib/socket_trust.h"
#include "proto/api.h"
#include "proto/json_fields.h"

namespace bqb::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Protocol = asio::local::stream_protocol;
using Stream = beast::basic_stream<Protocol>;

// Answers without streaming are small JSON documents; this only stops a confused peer from
// making the CLI allocate without bound.
constexpr std::uint64_t kMaxBodyBytes = 64ull << 20;

constexpr std::string_view kStartHint =
    "start it with `systemctl --user start bqbroker.socket`, or run `bqbrokerd &`";

std::string seconds_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

Error connect_error(const std::filesystem::path& socket, const beast::error_code& ec,
                    std::chrono::milliseconds timeout) {
  std::string where = "the bqbroker daemon at " + socket.string();
  if (ec == beast::error::timeout) {
    return Error{Errc::daemon_unreachable,
                 where + " did not accept the connection within " + seconds_text(timeout),
                 std::string(kStartHint)};
  }
  if (ec == asio::error::access_denied) {
    return Error{Errc::daemon_unreachable, "cannot connect to " + where + ": " + ec.message(),
                 "the socket or its directory belongs to another user or is not accessible; "
                 "check --socket and $BQBROKER_SOCKET"};
  }
  // ENOENT (no socket file), ECONNREFUSED (a stale file, nobody listening) and the rest.
  return Error{Errc::daemon_unreachable,
               "no bqbroker daemon is listening on " + socket.string() + " (" + ec.message() + ")",
               std::string(kStartHint)};
}

/// @returns the Error a non-2xx answer with body `text` carries: its envelope's, or `internal`.
/// Stores the envelope's "error" object in `*error_object` when given.
Error error_of(int status, const std::string& text, const std::string& what,
               nlohmann::json* error_object) {
  auto parsed = json_fields::parse(text, "the daemon's answer to " + what);
  if (parsed) {
    if (auto err = api::parse_error_body(*parsed)) {
      if (error_object != nullptr) *error_object = (*parsed)["error"];
      return std::move(*err);
    }
  }
  return Error{
      Errc::internal,
      "the daemon answered " + what + " with HTTP " + std::to_string(status) + " and no error body",
      "this is a bug in bqbrokerd; its log may say more: "
      "journalctl --user -u bqbroker.service"};
}

bool is_success(int status) { return status >= 200 && status <= 299; }

/// @returns the 2xx answer with its JSON body, or the Error a non-2xx answer carries.
Result<Response> to_response(const http::response<http::string_body>& res,
                             const std::string& what) {
  const int status = static_cast<int>(res.result_int());
  const std::string& text = res.body();
  if (!is_success(status)) return tl::unexpected(error_of(status, text, what, nullptr));
  Response out;
  out.status = status;
  if (!text.empty()) {
    BQB_TRY(parsed, json_fields::parse(text, "the daemon's answer to " + what));
    out.body = std::move(parsed);
  }
  return out;
}

http::request<http::string_body> make_request(std::string_view method, std::string_view target,
                                              const std::optional<nlohmann::json>& body,
                                              std::string_view accept) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, std::string("bqbroker/") + kVersion);
  req.set(http::field::accept, accept);
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = json_text(*body);
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

/// Splits a streamed body into lines, keeping at most one partial line (bounded).
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line) : max_line_(max_line) {}

  /// Feeds `bytes`, calling `on_line` per complete line until it says stop.
  /// @returns stop when on_line did, or invalid_json when a line grows past the limit.
  Result<LineAction> feed(std::string_view bytes, const LineHandler& handler) {
    while (!bytes.empty()) {
      const std::size_t nl = bytes.find('\n');
      const std::string_view piece = bytes.substr(0, nl);
      if (partial_.size() + piece.size() > max_line_) return too_long();
      if (nl == std::string_view::npos) {
        partial_.append(piece);
        return LineAction::next;
      }
      bytes.remove_prefix(nl + 1);
      LineAction action;
      if (partial_.empty()) {
        action = handler.on_line(piece);
      } else {
        partial_.append(piece);
        action = handler.on_line(partial_);
        partial_.clear();
      }
      if (action == LineAction::stop) return LineAction::stop;
    }
    return LineAction::next;
  }

  /// @returns the last line when the stream ended without a final "\n".
  LineAction finish(const LineHandler& handler) {
    if (partial_.empty()) return LineAction::next;
    std::string last = std::move(partial_);
    partial_.clear();
    return handler.on_line(last);
  }

 private:
  tl::unexpected<Error> too_long() const {
    return fail(Errc::invalid_json,
                "a line of the daemon's streamed answer is longer than " +
                    byte_size_text(static_cast<std::int64_t>(max_line_)),
                "this is a bug in bqbrokerd; its log may say more: "
                "journalctl --user -u bqbroker.service");
  }

  std::size_t max_line_;
  std::string partial_;
};

}  // namespace

struct DaemonClient::Impl {
  std::filesystem::path socket;
  ClientOptions options;
  // concurrency hint 1: only the caller's thread ever runs this context.
  asio::io_context ioc{1};
  std::optional<Stream> stream;
  beast::flat_buffer buffer;
  // True once the current connection has carried a complete exchange: only then can a failure
  // at the start of the next one mean "the daemon closed the idle connection".
  bool reused = false;

  /// Starts one asynchronous operation through `start(handler)` and runs the context until it
  /// completes. @returns the operation's error code.
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code result;
    bool done = false;
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    ioc.run();
    assert(done);
    return result;
  }

  Status open() {
    stream.reset();
    buffer.clear();
    reused = false;
    // asio's endpoint throws on a path longer than sockaddr_un can hold.
    if (socket.native().size() >= sizeof(sockaddr_un::sun_path)) {
      return fail(Errc::daemon_unreachable,
                  "the socket path " + socket.string() + " is longer than the " +
                      std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                      " bytes a Unix socket address can hold",
                  "choose a shorter path with --socket or $BQBROKER_SOCKET");
    }
    // Nothing goes to a socket that another user could have planted (socket_trust.h).
    if (auto trusted = check_socket_path(socket); !trusted) return trusted;
    stream.emplace(ioc);
    stream->expires_after(options.connect_timeout);
    auto ec = run([&](auto handler) {
      stream->async_connect(Protocol::endpoint(socket.native()), std::move(handler));
    });
    if (ec) {
      stream.reset();
      return tl::unexpected(connect_error(socket, ec, options.connect_timeout));
    }
    // Asio does not open sockets close-on-exec: a program this process starts (exec's command,
    // a browser) must not inherit the connection to the daemon.
    ::fcntl(stream->socket().native_handle(), F_SETFD, FD_CLOEXEC);
    if (auto trusted = check_socket_peer(stream->socket().native_handle(), socket); !trusted) {
      stream.reset();
      return trusted;
    }
    return {};
  }

  void close() {
    stream.reset();
    reused = false;
  }

  /// Writes `req` on the current connection. `stale` as for exchange().
  Status send(const http::request<http::string_body>& req, std::string_view what, bool& stale) {
    stale = false;
    stream->expires_after(options.io_timeout);
    auto ec = run([&](auto handler) { http::async_write(*stream, req, std::move(handler)); });
    if (ec) {
      stale = reused && ec != beast::error::timeout;
      close();
      return fail_io(ec, "sending " + std::string(what), options.io_timeout);
    }
    return {};
  }

  /// The failure to read an answer's first bytes; sets `stale` as exchange() does.
  tl::unexpected<Error> read_failed(const beast::error_code& ec, bool got_some,
                                    std::string_view what, std::chrono::milliseconds timeout,
                                    bool& stale) {
    // A kept-alive connection the daemon closed while idle ends in EOF, or in a reset when our
    // request arrived after the close; either way nothing of an answer came and the daemon
    // never read the request, so a retry on a fresh connection is safe.
    stale = reused && !got_some &&
            (ec == http::error::end_of_stream || ec == asio::error::connection_reset);
    close();
    return fail_io(ec, "reading the answer to " + std::string(what), timeout);
  }

  /// Reads the next piece of a buffer_body answer into `chunk` (beyond the bytes already
  /// buffered). @returns how many body bytes arrived (0 at the end).
  Result<std::size_t> read_piece(http::response_parser<http::buffer_body>& parser,
                                 std::span<char> chunk, std::string_view what) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    parser.get().body().more = true;
    stream->expires_after(options.stream_idle_timeout);
    auto ec = run(
        [&](auto handler) { http::async_read_some(*stream, buffer, parser, std::move(handler)); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      close();
      return fail_io(ec, "reading the answer to " + std::string(what), options.stream_idle_timeout);
    }
    return chunk.size() - parser.get().body().size;
  }

  /// Reads the rest of a (non-2xx) buffer_body answer into a string of at most kMaxBodyBytes.
  Result<std::string> read_rest(http::response_parser<http::buffer_body>& parser,
                                std::string_view what) {
    std::string text;
    std::array<char, 16384> chunk;
    while (!parser.is_done()) {
      BQB_TRY(n, read_piece(parser, chunk, what));
      if (text.size() + n > kMaxBodyBytes) {
        close();
        return fail(Errc::io_error, "the daemon's answer to " + std::string(what) +
                                        " is larger than " + byte_size_text(kMaxBodyBytes));
      }
      text.append(chunk.data(), n);
    }
    return text;
  }

  /// Delivers the body of a 2xx streamed answer to `handler`, line by line.
  Result<StreamEnd> deliver(http::response_parser<http::buffer_body>& parser,
                            const LineHandler& handler, std::string_view what) {
    LineSplitter lines(options.max_line_bytes);
    std::array<char, 65536> chunk;
    while (!parser.is_done()) {
      BQB_TRY(n, read_piece(parser, chunk, what));
      auto fed = lines.feed(std::string_view(chunk.data(), n), handler);
      if (!fed) {
        close();
        return tl::unexpected(std::move(fed).error());
      }
      // Nothing more waiting in the socket: the next read may block on the daemon. (The buffer
      // can still hold framing, such as a chunk's closing CRLF, or more lines: an early
      // on_idle costs a flush, a missed one would hold output back.)
      bool stop = *fed == LineAction::stop;
      beast::error_code avail_ec;
      if (!stop && handler.on_idle && stream->socket().available(avail_ec) == 0) {
        stop = handler.on_idle() == LineAction::stop;
      }
      if (stop) {
        close();
        return StreamEnd::stopped;
      }
    }
    if (lines.finish(handler) == LineAction::stop) {
      close();
      return StreamEnd::stopped;
    }
    if (parser.keep_alive()) {
      reused = true;
    } else {
      close();
    }
    return StreamEnd::complete;
  }

  /// One streamed exchange on the current connection; `stale` as for exchange().
  Result<StreamEnd> stream_exchange(const http::request<http::string_body>& req,
                                    std::string_view what, const LineHandler& handler,
                                    nlohmann::json* error_object, bool& stale) {
    if (auto sent = send(req, what, stale); !sent) return tl::unexpected(std::move(sent).error());
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // bounded per line instead
    // The daemon answers a query's head only once BigQuery accepted it: the idle timeout.
    stream->expires_after(options.stream_idle_timeout);
    auto ec = run([&](auto h) { http::async_read_header(*stream, buffer, parser, std::move(h)); });
    if (ec) return read_failed(ec, parser.got_some(), what, options.stream_idle_timeout, stale);
    const int status = static_cast<int>(parser.get().result_int());
    if (!is_success(status)) {
      BQB_TRY(text, read_rest(parser, what));
      if (parser.keep_alive()) {
        reused = true;
      } else {
        close();
      }
      return tl::unexpected(error_of(status, text, std::string(what), error_object));
    }
    const std::string_view type = parser.get()[http::field::content_type];
    if (!type.starts_with("application/x-ndjson")) {
      close();
      return fail(Errc::internal,
                  "the daemon answered " + std::string(what) + " with Content-Type '" +
                      std::string(type) + "' instead of application/x-ndjson",
                  "this bqbroker and bqbrokerd may be different versions: bqbroker --version");
    }
    return deliver(parser, handler, what);
  }

  /// One exchange on the current connection. `stale` is set when it failed in a way that means
  /// the daemon had closed the kept-alive connection before reading the request.
  Result<http::response<http::string_body>> exchange(const http::request<http::string_body>& req,
                                                     std::string_view what, bool& stale) {
    if (auto sent = send(req, what, stale); !sent) return tl::unexpected(std::move(sent).error());
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    stream->expires_after(options.io_timeout);
    auto ec =
        run([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (ec) return read_failed(ec, parser.got_some(), what, options.io_timeout, stale);
    if (parser.keep_alive()) {
      reused = true;
    } else {
      close();
    }
    return parser.release();
  }

  tl::unexpected<Error> fail_io(const beast::error_code& ec, const std::string& doing,
                                std::chrono::milliseconds timeout) const {
    std::string where = "the bqbroker daemon at " + socket.string();
    if (ec == beast::error::timeout) {
      return fail(Errc::daemon_unreachable,
                  where + " did not respond within " + seconds_text(timeout) + " while " + doing,
                  "check the daemon's log: journalctl --user -u bqbroker.service");
    }
    std::string problem;
    if (ec == http::error::end_of_stream) {
      problem = "it closed the connection without answering";
    } else if (ec == http::error::partial_message) {
      problem = "it closed the connection in the middle of the response";
    } else if (ec.category() == make_error_code(http::error::bad_version).category()) {
      problem = "its response is not valid HTTP (" + ec.message() + ")";
    } else {
      problem = ec.message();
    }
    return fail(Errc::io_error, "lost " + where + " while " + doing + ": " + problem,
                "check the daemon's log: journalctl --user -u bqbroker.service");
  }
};

DaemonClient::DaemonClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DaemonClient::DaemonClient(DaemonClient&&) noexcept = default;
DaemonClient& DaemonClient::operator=(DaemonClient&&) noexcept = default;
DaemonClient::~DaemonClient() = default;

const std::filesystem::path& DaemonClient::socket_path() const { return impl_->socket; }

Result<DaemonClient> DaemonClient::connect(const std::filesystem::path& socket,
                                           ClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->socket = socket;
  impl->options = options;
  if (auto opened = impl->open(); !opened) return tl::unexpected(std::move(opened).error());
  return DaemonClient(std::move(impl));
}

Result<Response> DaemonClient::request(std::string_view method, std::string_view target,
                                       const std::optional<nlohmann::json>& body) {
  const std::string what = std::string(method) + " " + std::string(target);
  const auto req = make_request(method, target, body, "application/json");
  for (int attempt = 0;; ++attempt) {
    if (!impl_->stream) {
      if (auto opened = impl_->open(); !opened) return tl::unexpected(std::move(opened).error());
    }
    bool stale = false;
    auto res = impl_->exchange(req, what, stale);
    if (res) return to_response(*res, what);
    if (!stale || attempt > 0) return tl::unexpected(std::move(res).error());
  }
}

Result<Response> DaemonClient::request(const routes::Route& route, const RouteArgs& args,
                                       const std::optional<nlohmann::json>& body) {
  return request(route.method, routes::target(route, args.segments) + args.query, body);
}

Result<StreamEnd> DaemonClient::stream(const routes::Route& route, const RouteArgs& args,
                                       const std::optional<nlohmann::json>& body,
                                       const LineHandler& handler, nlohmann::json* error_object) {
  return stream(route.method, routes::target(route, args.segments) + args.query, body, handler,
                error_object);
}

Result<StreamEnd> DaemonClient::stream(std::string_view method, std::string_view target,
                                       const std::optional<nlohmann::json>& body,
                                       const LineHandler& handler, nlohmann::json* error_object) {
  const std::string what = std::string(method) + " " + std::string(target);
  const auto req = make_request(method, target, body, "application/x-ndjson, application/json");
  for (int attempt = 0;; ++attempt) {
    if (!impl_->stream) {
      if (auto opened = impl_->open(); !opened) return tl::unexpected(std::move(opened).error());
    }
    bool stale = false;
    auto res = impl_->stream_exchange(req, what, handler, error_object, stale);
    if (res || !stale || attempt > 0) return res;
  }
}

}  // namespace bqb::client
