#pragma once
// The door of a loopback TCP listener (a metadata endpoint, the login redirect listener): only
// connections from this process's uid get in, and other local users cannot fill the listener's
// slots or make the daemon look sockets up without end.
//
// Each connection's owner is looked up first, before a byte of it is read: on the BlockingPool
// (netlink and /proc reads block), and only within the listener's PeerLimits (a cap on lookups
// running at once and a lookup budget per second; daemon/server/peer_limits.h). A connection
// that finds max_pending lookups running or the budget spent waits its turn (for at most
// kMaxLookupWait), so a burst of the user's own connections is served rather than dropped, even
// right after a flood. A connection whose peer has hung up already costs no lookup. One that
// waited too long, one whose owner the kernel does not know, and one from another uid are closed
// at once with no answer and without the lingering close, so a refused peer holds a slot for no
// longer than its lookup. A verified uid
// holds at most max_per_uid connections; one more is the listener's to answer (503). Refusals are
// logged at most once a second per listener, with the count of those not logged, so another user
// cannot flood the log either.

#include <chrono>
#include <list>
#include <optional>
#include <string>

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

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

  /// How long a connection waits for a free lookup before it is closed unanswered.
  static constexpr std::chrono::seconds kMaxLookupWait{5};

 private:
  // Waits until begin_lookup() admits this connection (true), or the budget is spent, the wait
  // exceeds kMaxLookupWait or the connection closes (false, having logged why).
  boost::asio::awaitable<bool> await_lookup_turn(TcpConnectionServer::Connection& conn);
  // @returns true when the peer has closed or reset the connection already (it sent nothing).
  static bool peer_gone(TcpConnectionServer::Connection& conn);
  // Wakes the longest-waiting connection, if any: a lookup has ended.
  void wake_next();

  // Closes `conn` at once, without an answer.
  static void close_now(TcpConnectionServer::Connection& conn);
  // Logs `what` as a warning unless a refusal was logged less than a second ago.
  void log_refusal(const std::string& what);

  std::string name_;
  BlockingPool& blocking_;
  PeerLimits limits_;
  LogThrottle log_throttle_;
  // The connections waiting for a lookup, oldest first. Single-threaded: the io thread only.
  std::list<boost::asio::steady_timer*> waiting_;
};

}  // namespace bqb
