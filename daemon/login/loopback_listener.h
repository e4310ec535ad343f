#pragma once
// The one-shot HTTP listener on 127.0.0.1 that receives the browser's redirect at the end of a
// login's consent screen (Google's installed-app "loopback" flow).
//
// Only the user's own browser is served: each connection's owner is looked up before anything is
// read, within per-listener limits, and another uid's connection is closed at once without an
// answer (daemon/server/tcp_peer_gate.h), so other local users can neither hold its slots nor
// deliver a redirect of their own.
//
// Browsers are untidy clients: they open speculative pre-connections that never send anything,
// ask for /favicon.ico, and retry. So every connection is served on its own coroutine with its own
// read deadline, one request per connection (answered with Connection: close), and nothing a
// connection does can stop another from being served. A request whose Host is not exactly
// 127.0.0.1:PORT (what a browser sends for the redirect URI) is refused before the handler sees
// it: that is a web page that re-pointed its own name at 127.0.0.1, not Google's redirect. What
// to answer otherwise is the handler's business; the listener only speaks HTTP. It never logs a
// query string (it carries the code).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "daemon/server/peer_limits.h"
#include "proto/error.h"

namespace bqb {

class BlockingPool;

/// What the listener sends back to the browser.
struct LoopbackReply {
  int status = 200;
  std::string html;  // a complete, self-contained page (daemon/login/login_page.h)
};

struct LoopbackOptions {
  /// A connection must deliver its whole request within this long after it is accepted.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};
  /// Bound on writing the answer.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};
  /// Connections beyond this many at once are not accepted until one closes (they wait in the
  /// backlog: nothing is answered before its owner is known); a browser opens a handful.
  std::size_t max_connections = 32;
  std::size_t header_limit = 16 * 1024;
  /// Owner lookups and connections per uid. A uid may hold max_connections - max_pending, so
  /// that the slots it holds never crowd out the lookups of new connections; beyond: 503.
  PeerLimitsOptions peers{/*max_pending=*/8, /*max_per_uid=*/24, /*lookups_per_second=*/32,
                          /*lookup_burst=*/32};
};

class LoopbackListener : public std::enable_shared_from_this<LoopbackListener> {
 public:
  /// Called with the request-target ("/?state=…&code=…") of each GET request.
  using Handler = std::function<boost::asio::awaitable<LoopbackReply>(std::string target)>;

  /// Binds 127.0.0.1:`port` (0: the OS picks a free port). Never binds anything but loopback.
  /// `blocking` runs each connection's owner lookup and must outlive the listener and every
  /// connection it serves. @returns the listener, not yet accepting; io_error naming the
  /// address when the bind fails (conflict when the port is in use).
  static Result<std::shared_ptr<LoopbackListener>> bind(boost::asio::any_io_executor executor,
                                                        std::uint16_t port, BlockingPool& blocking,
                                                        LoopbackOptions options = {});
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  /// @returns the bound port.
  std::uint16_t port() const { return port_; }

  /// Starts accepting; every GET request's target goes to `handler`. Other methods get 405.
  void start(Handler handler);

  /// Stops accepting and closes the connections that are not answering a request; those that
  /// are finish their answer (bounded by write_timeout) and then close. Idempotent.
  void close();

  bool closed() const { return closed_; }
  /// @returns how many connections are open.
  std::size_t connection_count() const;

 private:
  struct Impl;
  LoopbackListener(std::unique_ptr<Impl> impl, std::uint16_t port);

  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  bool closed_ = false;
};

}  // namespace bqb
