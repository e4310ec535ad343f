#pragma once
// The door of a loopback TCP listener (a metadata endpoint, the login redirect listener): only
// connections from this process's uid get in, and other local users cannot fill the listener's
// slots or make the daemon look sockets up without end.
//
// Each connection's owner is looked up first, before a byte of it is read: on the BlockingPool
// (netlink and /proc reads block), and only within the listener's PeerLimits (a cap on lookups
// running at once and a lookup budget per second; daemon/server/peer_limits.h). A connection
// refused there, one whose owner the kernel does not know, and one from another uid are closed
// at once with no answer and without the lingering close, so a refused peer holds a slot for
// no longer than its lookup. A verified uid holds at most max_per_uid connections; one more is
// the listener's to answer (503). Refusals are logged at most once a second per listener, with
// the count of those not logged, so another user cannot flood the log either.

#include <optional>
#include <string>

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>

#include "daemon/server/connection_server.h"
#include "daemon/server/peer_limits.h"

namespace bqb {

class BlockingPool;

class TcpPeerGate {
 public:
  /// `name` prefixes log lines ("metadata 127.0.0.1:8181"). `blocking` runs the owner lookups
  /// and must outlive the gate.
  TcpPeerGate(std::string name, BlockingPool& blocking, PeerLimitsOptions options);
  TcpPeerGate(const TcpPeerGate&) = delete;
  TcpPeerGate& operator=(const TcpPeerGate&) = delete;

  /// A verified connection's place in its uid's count; given back when destroyed. Must not
  /// outlive the gate (a session holds its server's owner, which holds the gate).
  class Pass {
   public:
    Pass(Pass&& other) noexcept;
    Pass& operator=(Pass&&) = delete;
    ~Pass();
    uid_t uid() const { return uid_; }

   private:
    friend class TcpPeerGate;
    Pass(PeerLimits& limits, uid_t uid) : limits_(&limits), uid_(uid) {}
    PeerLimits* limits_;  // null once moved from
    uid_t uid_;
  };

  enum class Verdict {
    pass,          // serve it: `pass` is set
    refused,       // not this uid, or not looked up: already closed; say nothing more
    over_uid_cap,  // this uid holds max_per_uid connections: answer 503 (a retry may succeed)
  };
  struct Admission {
    Verdict verdict = Verdict::refused;
    std::optional<Pass> pass;
  };

  /// Decides whether `conn`, just accepted, may be served; reads nothing from it. A refused
  /// connection is closed here (conn.close_at_once is set too, so the server does not linger).
  boost::asio::awaitable<Admission> admit(TcpConnectionServer::Connection& conn);

  const PeerLimits& limits() const { return limits_; }

 private:
  // Closes `conn` at once, without an answer.
  static void close_now(TcpConnectionServer::Connection& conn);
  // Logs `what` as a warning unless a refusal was logged less than a second ago.
  void log_refusal(const std::string& what);

  std::string name_;
  BlockingPool& blocking_;
  PeerLimits limits_;
  LogThrottle log_throttle_;
};

}  // namespace bqb
