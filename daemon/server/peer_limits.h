#pragma once
// The bookkeeping that keeps other local users from filling a loopback TCP listener's slots
// (the metadata endpoints, the login redirect listener; daemon/server/tcp_peer_gate.h wires it).
// Any local user can connect to a loopback port, and TCP carries no peer credentials: the owner
// of each connection is looked up in the kernel (daemon/server/socket_owner.h), which costs a
// blocking-pool thread and, on the /proc fallback, a read of the whole TCP table. So:
//   - lookups run only within a budget: at most `max_pending` at once, and at most
//     `lookup_burst` at a time refilled at `lookups_per_second` (a token bucket), so a flood of
//     connections costs a bounded amount of work per second whatever its rate;
//   - a verified uid holds at most `max_per_uid` connections, so one uid cannot take every slot
//     and leave none for lookups;
//   - refusals are logged at most once per interval (LogThrottle), so a flood does not flood the
//     log.
// Pure: time comes in as an argument; nothing here touches a socket.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>

#include <sys/types.h>

namespace bqb {

struct PeerLimitsOptions {
  /// Connections whose owner is being looked up at once.
  std::size_t max_pending = 8;
  /// Verified connections one uid may hold at once.
  std::size_t max_per_uid = 24;
  /// The lookup budget: refilled at this rate up to `lookup_burst`.
  double lookups_per_second = 32;
  std::size_t lookup_burst = 32;
};

/// Why a connection may not have its owner looked up now.
enum class LookupAdmission {
  admitted,          // counted as pending until end_lookup()
  too_many_pending,  // max_pending lookups are running
  budget_spent,      // the token bucket is empty
};

class PeerLimits {
 public:
  using Clock = std::chrono::steady_clock;

  /// `start`: when the budget is full (a new listener starts with a full bucket).
  PeerLimits(PeerLimitsOptions options, Clock::time_point start);

  /// A connection of unknown owner arrived at `now`. @returns admitted (and counts it pending,
  /// and spends one lookup of the budget) when its owner may be looked up now.
  LookupAdmission begin_lookup(Clock::time_point now);
  /// The lookup begun by an admitted begin_lookup() ended, whatever its outcome.
  void end_lookup();

  /// @returns true, counting one more connection for `uid` until release(uid), when `uid` holds
  /// fewer than max_per_uid connections; false (nothing counted) otherwise.
  bool acquire(uid_t uid);
  /// Gives back one connection counted by acquire(uid).
  void release(uid_t uid);

  std::size_t pending() const { return pending_; }
  /// @returns how many connections `uid` holds.
  std::size_t held(uid_t uid) const;
  const PeerLimitsOptions& options() const { return options_; }

 private:
  PeerLimitsOptions options_;
  std::size_t pending_ = 0;
  double budget_;  // lookups available now, at most lookup_burst
  Clock::time_point refilled_at_;
  std::map<uid_t, std::size_t> held_;  // no entry for a uid holding none
};

/// At most one log line per `interval`; the lines in between are counted, and the next line
/// says how many there were.
class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : interval_(interval) {}

  /// An event that would be logged happened at `now`. @returns how many events were suppressed
  /// since the last allowed one when this one may be logged (the first one always may);
  /// nullopt when it is to be suppressed (it is counted).
  std::optional<std::size_t> allow(Clock::time_point now);

 private:
  std::chrono::milliseconds interval_;
  std::optional<Clock::time_point> last_;
  std::size_t suppressed_ = 0;
};

}  // namespace bqb
