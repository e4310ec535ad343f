#include "daemon/server/tcp_peer_gate.h"

#include <unistd.h>

#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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
  switch (limits_.begin_lookup(PeerLimits::Clock::now())) {
    case LookupAdmission::admitted:
      break;
    case LookupAdmission::too_many_pending:
      log_refusal(fmt::format(
          "closed a connection without looking up its owner: {} lookups are running, the limit",
          limits_.options().max_pending));
      close_now(conn);
      co_return Admission{};
    case LookupAdmission::budget_spent:
      log_refusal(fmt::format(
          "closed a connection without looking up its owner: over the budget of {:g} lookups a "
          "second",
          limits_.options().lookups_per_second));
      close_now(conn);
      co_return Admission{};
  }
  std::optional<uid_t> owner;
  {
    // Ends the pending lookup on every path, the coroutine destroyed at shutdown included.
    struct EndLookup {
      PeerLimits& limits;
      ~EndLookup() { limits.end_lookup(); }
    } end_lookup{limits_};
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
