#include "client/daemon_client.h"

#include <fcntl.h>
#include <sys/un.h>

#include <cassert>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "bqbroker_version.h"
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

/// @returns the 2xx answer with its JSON body, or the Error a non-2xx answer carries.
Result<Response> to_response(const http::response<http::string_body>& res,
                             const std::string& what) {
  const int status = static_cast<int>(res.result_int());
  const std::string& text = res.body();
  const std::string source = "the daemon's answer to " + what;
  if (status < 200 || status > 299) {
    auto parsed = json_fields::parse(text, source);
    if (parsed) {
      if (auto err = api::parse_error_body(*parsed)) return tl::unexpected(std::move(*err));
    }
    return fail(Errc::internal,
                "the daemon answered " + what + " with HTTP " + std::to_string(status) +
                    " and no error body",
                "this is a bug in bqbrokerd; its log may say more: "
                "journalctl --user -u bqbroker.service");
  }
  Response out;
  out.status = status;
  if (!text.empty()) {
    BQB_TRY(parsed, json_fields::parse(text, source));
    out.body = std::move(parsed);
  }
  return out;
}

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
    return {};
  }

  void close() {
    stream.reset();
    reused = false;
  }

  // Streaming answers (NDJSON lines, long-polls) will reuse open() and the write step, then read
  // the header with a response_parser and the body piecewise into a per-line callback, with
  // their own timeout policy; exchange() is the buffered case.

  /// One exchange on the current connection. `stale` is set when it failed in a way that means
  /// the daemon had closed the kept-alive connection before reading the request.
  Result<http::response<http::string_body>> exchange(const http::request<http::string_body>& req,
                                                     std::string_view what, bool& stale) {
    stale = false;
    stream->expires_after(options.io_timeout);
    auto ec = run([&](auto handler) { http::async_write(*stream, req, std::move(handler)); });
    if (ec) {
      stale = reused && ec != beast::error::timeout;
      close();
      return fail_io(ec, "sending " + std::string(what));
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    stream->expires_after(options.io_timeout);
    ec = run([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (ec) {
      // A kept-alive connection the daemon closed while idle ends in EOF, or in a reset when our
      // request arrived after the close; either way nothing of an answer came and the daemon
      // never read the request, so a retry on a fresh connection is safe.
      stale = reused && !parser.got_some() &&
              (ec == http::error::end_of_stream || ec == asio::error::connection_reset);
      close();
      return fail_io(ec, "reading the answer to " + std::string(what));
    }
    if (parser.keep_alive()) {
      reused = true;
    } else {
      close();
    }
    return parser.release();
  }

  tl::unexpected<Error> fail_io(const beast::error_code& ec, const std::string& doing) const {
    std::string where = "the bqbroker daemon at " + socket.string();
    if (ec == beast::error::timeout) {
      return fail(
          Errc::daemon_unreachable,
          where + " did not respond within " + seconds_text(options.io_timeout) + " while " + doing,
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
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, std::string("bqbroker/") + kVersion);
  req.set(http::field::accept, "application/json");
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = body->dump();
  }
  req.keep_alive(true);
  req.prepare_payload();

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

}  // namespace bqb::client
