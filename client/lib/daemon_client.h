#pragma once
// A small synchronous HTTP/1.1 client for the daemon's Unix socket, usable by any C++ program.
//
// Calls block the caller's thread and return values; no threads are started. Inside, each step
// (connect, write, read) is an asynchronous Beast operation on a private io_context run in the
// caller's thread, because Asio's blocking calls cannot time out. One connection is kept alive
// and reused for successive requests.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"
#include "proto/routes.h"

namespace bqb::client {

struct ClientOptions {
  /// How long connect() may wait for the daemon to accept (socket activation included).
  std::chrono::milliseconds connect_timeout{5000};
  /// How long writing a request or reading its response may take, each.
  std::chrono::milliseconds io_timeout{30000};
  /// stream(): how long the daemon may stay silent while a streamed answer is open (it sends a
  /// progress line at least every 10 s); a whole stream has no time limit.
  std::chrono::milliseconds stream_idle_timeout{60000};
  /// stream(): the longest line accepted; a longer one is an error, so memory stays bounded.
  std::size_t max_line_bytes = std::size_t{64} << 20;
};

/// What a stream() line handler wants next.
enum class LineAction { next, stop };

/// The receiver of a streamed (application/x-ndjson) answer.
struct LineHandler {
  /// Called for each complete line, without its "\n", as soon as its last byte arrived.
  std::function<LineAction(std::string_view line)> on_line;
  /// Optional: called after the lines that arrived together were delivered, before the client
  /// blocks waiting for more bytes: the place to flush output.
  std::function<LineAction()> on_idle;
};

/// How a stream() ended: the daemon finished the answer, or a handler asked to stop (the
/// connection is then closed, which tells the daemon to give up: a query's job is cancelled).
enum class StreamEnd { complete, stopped };

/// A successful (2xx) answer. `body` is null when the daemon sent no body.
struct Response {
  int status = 0;
  nlohmann::json body;
};

/// Where a request for one operation of proto/routes.h goes: the values of its `{name}`
/// placeholders, left to right, each already percent-encoded as one path segment, and the query
/// string ("" or "?…").
struct RouteArgs {
  std::vector<std::string> segments;
  std::string query;
};

class DaemonClient {
 public:
  /// @returns a client connected to the daemon at `socket`, or daemon_unreachable (with a hint
  /// saying how to start the daemon) when nothing listens there or it does not accept in time.
  /// Also daemon_unreachable, with nothing sent, when the socket or its directory is not this
  /// user's alone or another user's process listens there (client/lib/socket_trust.h); every
  /// reconnection checks again.
  static Result<DaemonClient> connect(const std::filesystem::path& socket,
                                      ClientOptions options = {});

  DaemonClient(DaemonClient&&) noexcept;
  DaemonClient& operator=(DaemonClient&&) noexcept;
  ~DaemonClient();

  /// Sends `method target` with `body` (as application/json when given) and reads the answer.
  /// @returns the 2xx response; a non-2xx answer carrying the API's error envelope becomes that
  /// Error; a non-2xx answer without one is `internal`; a 2xx body that is not JSON is
  /// invalid_json; a lost connection is io_error; no answer within the timeout is
  /// daemon_unreachable. A kept-alive connection that the daemon closed while idle is replaced
  /// transparently, once.
  Result<Response> request(std::string_view method, std::string_view target,
                           const std::optional<nlohmann::json>& body = std::nullopt);

  /// request() for one operation of proto/routes.h: its method, and its pattern filled in from
  /// `args`.
  Result<Response> request(const routes::Route& route, const RouteArgs& args = {},
                           const std::optional<nlohmann::json>& body = std::nullopt);

  /// Sends `method target` with `body` like request() and, for a 2xx application/x-ndjson
  /// answer, hands every line to `handler` as it arrives, with bounded memory (a line longer
  /// than max_line_bytes is invalid_json) and the stream_idle_timeout between bytes instead of a
  /// deadline for the whole answer. A non-2xx answer is the Error request() would return; its
  /// envelope's whole "error" object (with fields the Error has no room for, e.g. a query's
  /// "line" and "column") is stored in `*error_object` when given. Another Content-Type on a 2xx
  /// is `internal`; a lost connection io_error; silence beyond the idle timeout
  /// daemon_unreachable.
  /// @returns complete, or stopped when a handler returned LineAction::stop.
  Result<StreamEnd> stream(std::string_view method, std::string_view target,
                           const std::optional<nlohmann::json>& body, const LineHandler& handler,
                           nlohmann::json* error_object = nullptr);

  /// stream() for one operation of proto/routes.h (see request()).
  Result<StreamEnd> stream(const routes::Route& route, const RouteArgs& args,
                           const std::optional<nlohmann::json>& body, const LineHandler& handler,
                           nlohmann::json* error_object = nullptr);

  /// @returns the socket path this client talks to.
  const std::filesystem::path& socket_path() const;

 private:
  struct Impl;
  explicit DaemonClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bqb::client
