#include "daemon/server/tcp_peer_gate.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/base/blocking.h"
#include "daemon/base/gcc_coroutine_frames.h"  // silences a GCC 12 false positive
#include "daemon/server/socket_owner.h"

namespace bqb {

TcpPeerGate::TcpPeerGate(std::string name, BlockingPool& blocking, PeerLimitsOptions options)
    : name_(std::move(name)), blocking_(blocking), limits_(options, PeerLimits::Clock::now()) {}

TcpPeerGate::Pass::Pass(Pass&& other) noexcept
    : limits_(std::exchange(other.limits_, nullptr)), uid_(other.uid_) {}

TcpPeerGate::Pass::~Pass() {
  if (limits_ != nullptr) limits_->release(uid_);
}

boost::asio::awaitable<TcpPeerGate::Admission> TcpPeerGate::admit(
    TcpConnectionServer::Connection& conn) {
  boost::system::error_code local_ec, remote_ec;
  const auto local = conn.stream.socket().local_endpoint(local_ec);
  const auto remote = conn.stream.socket().remote_endpoint(remote_ec);
  if (local_ec || remote_ec) {  // the peer is already gone
    close_now(conn);
    co_return Admission{};
  }
  if (!co_await await_lookup_turn(conn)) {
    close_now(conn);
    co_return Admission{};
  }
  std::optional<uid_t> owner;
  {
    // Ends the pending lookup on every path, the coroutine destroyed at shutdown included.
    struct EndLookup {
      TcpPeerGate& gate;
      ~EndLookup() {
        gate.limits_.end_lookup();
        gate.wake_next();
      }
    } end_lookup{*this};
    // Netlink and /proc reads block: not on the io thread.
    auto lookup = [local, remote] { return tcp_peer_uid(local, remote); };
    owner = co_await blocking_.run(std::move(lookup));
  }
  const uid_t self = ::getuid();
  if (!owner) {
    log_refusal("refused a connection: the kernel does not know the connecting socket's owner");
    close_now(conn);
    co_return Admission{};
  }
  if (*owner != self) {
    log_refusal(fmt::format("refused connection from uid={}: only uid {} is served", *owner, self));
    close_now(conn);
    co_return Admission{};
  }
  if (!limits_.acquire(*owner)) {
    log_refusal(fmt::format("uid {} holds {} connections, its limit; answering a new one with 503",
                            *owner, limits_.options().max_per_uid));
    co_return Admission{Verdict::over_uid_cap, std::nullopt};
  }
  co_return Admission{Verdict::pass, Pass(limits_, *owner)};
}

boost::asio::awaitable<bool> TcpPeerGate::await_lookup_turn(TcpConnectionServer::Connection& conn) {
  const auto deadline = PeerLimits::Clock::now() + kMaxLookupWait;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    // A peer that has hung up already (the flood of a client that connects and drops) is
    // closed without spending a lookup on it.
    if (peer_gone(conn)) co_return false;
    const auto now = PeerLimits::Clock::now();
    auto wait = std::chrono::milliseconds(250);
    switch (limits_.begin_lookup(now)) {
      case LookupAdmission::admitted:
        co_return true;
      case LookupAdmission::budget_spent:
        // Wait for the budget to refill (one lookup's worth), like a turn.
        wait = std::chrono::milliseconds(
            static_cast<long>(1000.0 / std::max(1.0, limits_.options().lookups_per_second)) + 1);
        break;
      case LookupAdmission::too_many_pending:
        break;
    }
    if (now >= deadline || !conn.stream.socket().is_open()) {
      log_refusal(fmt::format(
          "closed a connection without looking up its owner: it waited {} s for a lookup (at "
          "most {} at once and {:g} a second)",
          kMaxLookupWait.count(), limits_.options().max_pending,
          limits_.options().lookups_per_second));
      co_return false;
    }
    // Woken by wake_next() when a lookup ends; the timeout also notices a connection closed
    // by the server's shutdown, which does not wake waiters.
    timer.expires_after(std::min<PeerLimits::Clock::duration>(deadline - now, wait));
    waiting_.push_back(&timer);
    // Leaves the queue on every path (wake_next() may have taken it out already), the
    // coroutine destroyed at shutdown included.
    struct LeaveQueue {
      std::list<boost::asio::steady_timer*>& waiting;
      boost::asio::steady_timer* timer;
      ~LeaveQueue() { waiting.remove(timer); }
    } leave{waiting_, &timer};
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

bool TcpPeerGate::peer_gone(TcpConnectionServer::Connection& conn) {
  char byte;
  const auto n = ::recv(conn.stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

void TcpPeerGate::wake_next() {
  if (waiting_.empty()) return;
  waiting_.front()->cancel();
  waiting_.pop_front();  // so that the next lookup to end wakes the next one
}

void TcpPeerGate::close_now(TcpConnectionServer::Connection& conn) {
  conn.close_at_once = true;
  boost::system::error_code ignored;
  conn.stream.socket().close(ignored);
}

void TcpPeerGate::log_refusal(const std::string& what) {
  const auto suppressed = log_throttle_.allow(LogThrottle::Clock::now());
  if (!suppressed) return;
  if (*suppressed == 0) {
    spdlog::warn("{}: {}", name_, what);
  } else {
    spdlog::warn("{}: {} ({} more refusals not logged since the last line)", name_, what,
                 *suppressed);
  }
}

}  // namespace bqb
