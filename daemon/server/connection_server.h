#pragma once
// The one accept loop behind every listener of the daemon (the socket API, the metadata
// endpoints, the login redirect listener). It owns what is the same for all of them:
//   - a cap on open connections; a connection over the cap gets the owner's 503 answer (which a
//     client can act on: retry later) and is closed, and is not served. A listener whose peers
//     must be vetted before any answer (the loopback TCP ones: any local user can connect)
//     passes no OverCapacity: at the cap it stops accepting until a slot is free, so a new
//     connection waits in the kernel's backlog and nobody is answered before its owner is known;
//   - a registry of open connections, each holding its slot through an RAII object, so the slot
//     is given back on every exit path of a connection: normal end, error, exception, or the
//     coroutine frame destroyed at shutdown;
//   - a session that throws closes its connection with a log line, never the server;
//   - idle cancellation and drain: stop() stops accepting, cancels the connections that are not
//     answering a request, lets the busy ones finish, and reports when none is left;
//   - a timed write and a lingering close.
// What is said on a connection (HTTP parsing, peer checks, answers) is the owner's session.
//
// All state lives on the executor's one thread: no locks.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace bqb {

struct ConnectionServerOptions {
  std::string name;  // for log lines: "socket API", "metadata 127.0.0.1:8080", …
  std::size_t max_connections = 64;
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};  // for write()
  // Lingering close: how long, and at most how many bytes, to read and drop after the answer.
  std::chrono::milliseconds linger{std::chrono::seconds(1)};
  std::size_t linger_bytes = 64 * 1024;
  // When accept() fails (out of file descriptors, EMFILE/ENFILE, or memory) it fails again at
  // once until a connection closes: the loop pauses instead of spinning, doubling the pause from
  // accept_pause_min up to accept_pause_max while it lasts.
  std::chrono::milliseconds accept_pause_min{10};
  std::chrono::milliseconds accept_pause_max{std::chrono::seconds(1)};
};

template <class Protocol>
class ConnectionServer : public std::enable_shared_from_this<ConnectionServer<Protocol>> {
 public:
  using Acceptor = typename Protocol::acceptor;
  using Socket = typename Protocol::socket;
  using Stream = boost::beast::basic_stream<Protocol>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  /// One open connection, as a session sees it.
  struct Connection {
    Stream& stream;
    /// True while a request is being answered: stop() lets such a connection finish.
    bool busy = false;
    /// Set by a session that refused its peer without answering: the server then closes the
    /// socket without the lingering close, which would let the refused peer hold the slot for
    /// up to `linger` longer.
    bool close_at_once = false;
  };

  /// Speaks the protocol on one connection; the server closes the connection when it returns.
  using Session = std::function<boost::asio::awaitable<void>(Connection&)>;
  /// The answer for a connection over the cap (a 503 naming the limit and what to do); empty:
  /// stop accepting at the cap instead (see above).
  using OverCapacity = std::function<Response()>;

  ConnectionServer(Acceptor acceptor, ConnectionServerOptions options, Session session,
                   OverCapacity over_capacity);
  ConnectionServer(const ConnectionServer&) = delete;
  ConnectionServer& operator=(const ConnectionServer&) = delete;

  /// Starts accepting. `keep_alive` (the owner, typically) is held until the accept loop and
  /// every connection have ended, since sessions call into it.
  void start(std::shared_ptr<const void> keep_alive);

  /// Stops accepting, cancels idle connections, lets busy ones finish, then calls `on_drained`
  /// (at once when no connection is open). Idempotent; a later call replaces `on_drained`.
  void stop(std::function<void()> on_drained = {});

  bool stopping() const { return stopping_; }
  /// @returns a reference that stays true once stop() was called, for code that outlives a call.
  const bool& stopping_flag() const { return stopping_; }
  std::size_t connection_count() const { return connections_.size(); }
  /// @returns how many times accept() has failed since start().
  std::size_t accept_failures() const { return accept_failures_; }
  const ConnectionServerOptions& options() const { return options_; }

  /// Writes `response` within the write timeout. @returns false (logged at debug) on failure.
  boost::asio::awaitable<bool> write(Stream& stream, Response& response) const;

 private:
  class Slot;

  boost::asio::awaitable<void> accept_loop(std::shared_ptr<const void> keep_alive);
  boost::asio::awaitable<void> serve(Socket socket, std::shared_ptr<const void> keep_alive);
  boost::asio::awaitable<void> refuse(Socket socket, std::shared_ptr<const void> keep_alive);
  void release(typename std::list<Connection>::iterator it);

  Acceptor acceptor_;
  ConnectionServerOptions options_;
  Session session_;
  OverCapacity over_capacity_;
  std::list<Connection> connections_;
  std::size_t refusing_ = 0;  // over-cap connections being answered, bounded by the cap too
  std::size_t accept_failures_ = 0;
  boost::asio::steady_timer accept_pause_;
  boost::asio::steady_timer slot_freed_;  // with no OverCapacity: cancelled when a slot frees
  bool stopping_ = false;
  std::function<void()> on_drained_;
};

extern template class ConnectionServer<boost::asio::local::stream_protocol>;
extern template class ConnectionServer<boost::asio::ip::tcp>;

using UnixConnectionServer = ConnectionServer<boost::asio::local::stream_protocol>;
using TcpConnectionServer = ConnectionServer<boost::asio::ip::tcp>;

}  // namespace bqb
