#include "daemon/server/peer_limits.h"

#include <algorithm>
#include <utility>

namespace bqb {

PeerLimits::PeerLimits(PeerLimitsOptions options, Clock::time_point start)
    : options_(options), budget_(static_cast<double>(options.lookup_burst)), refilled_at_(start) {}

LookupAdmission PeerLimits::begin_lookup(Clock::time_point now) {
  // Refill first: a time earlier than the last refill (never with a steady clock) adds nothing.
  if (now > refilled_at_) {
    const std::chrono::duration<double> elapsed = now - refilled_at_;
    budget_ = std::min(static_cast<double>(options_.lookup_burst),
                       budget_ + elapsed.count() * options_.lookups_per_second);
    refilled_at_ = now;
  }
  if (pending_ >= options_.max_pending) return LookupAdmission::too_many_pending;
  if (budget_ < 1.0) return LookupAdmission::budget_spent;
  budget_ -= 1.0;
  ++pending_;
  return LookupAdmission::admitted;
}

void PeerLimits::end_lookup() {
  if (pending_ > 0) --pending_;
}

bool PeerLimits::acquire(uid_t uid) {
  auto& n = held_[uid];
  if (n >= options_.max_per_uid) {
    if (n == 0) held_.erase(uid);  // max_per_uid 0: keep no empty entry
    return false;
  }
  ++n;
  return true;
}

void PeerLimits::release(uid_t uid) {
  auto it = held_.find(uid);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
}

std::size_t PeerLimits::held(uid_t uid) const {
  auto it = held_.find(uid);
  return it == held_.end() ? 0 : it->second;
}

std::optional<std::size_t> LogThrottle::allow(Clock::time_point now) {
  if (last_ && now - *last_ < interval_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_ = now;
  return std::exchange(suppressed_, 0);
}

}  // namespace bqb
