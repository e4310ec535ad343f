// The listener limits' bookkeeping: pending lookups, the lookup budget (a token bucket), the
// per-uid cap, and the log throttle. Time is an argument: no clock is read, nothing sleeps.

#include "daemon/server/peer_limits.h"

#include <gtest/gtest.h>

namespace bqb {
namespace {

using namespace std::chrono_literals;
using Clock = PeerLimits::Clock;
const Clock::time_point t0{};  // an arbitrary start

PeerLimitsOptions options(std::size_t pending, std::size_t per_uid, double rate,
                          std::size_t burst) {
  PeerLimitsOptions o;
  o.max_pending = pending;
  o.max_per_uid = per_uid;
  o.lookups_per_second = rate;
  o.lookup_burst = burst;
  return o;
}

TEST(PeerLimits, PendingLookupsAreCappedAndEachEndFreesOne) {
  PeerLimits limits(options(2, 10, 100, 100), t0);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::admitted);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::admitted);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::too_many_pending);
  EXPECT_EQ(limits.pending(), 2u);
  limits.end_lookup();
  EXPECT_EQ(limits.pending(), 1u);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::admitted);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::too_many_pending);
}

TEST(PeerLimits, TooManyPendingSpendsNoBudget) {
  PeerLimits limits(options(1, 10, 1, 2), t0);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::admitted);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::too_many_pending);
  }
  limits.end_lookup();
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::admitted);  // the second of the burst
}

TEST(PeerLimits, TheBudgetStartsFullEmptiesAndRefillsAtItsRate) {
  PeerLimits limits(options(100, 10, 4, 3), t0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::admitted) << i;
    limits.end_lookup();
  }
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::budget_spent);
  // 4 per second: one lookup every 250 ms.
  EXPECT_EQ(limits.begin_lookup(t0 + 200ms), LookupAdmission::budget_spent);
  EXPECT_EQ(limits.begin_lookup(t0 + 250ms), LookupAdmission::admitted);
  limits.end_lookup();
  EXPECT_EQ(limits.begin_lookup(t0 + 260ms), LookupAdmission::budget_spent);
  EXPECT_EQ(limits.pending(), 0u) << "a refused lookup is not pending";
}

TEST(PeerLimits, TheBudgetNeverExceedsTheBurstHoweverLongIdle) {
  PeerLimits limits(options(100, 10, 10, 2), t0);
  const auto later = t0 + 1h;
  EXPECT_EQ(limits.begin_lookup(later), LookupAdmission::admitted);
  EXPECT_EQ(limits.begin_lookup(later), LookupAdmission::admitted);
  EXPECT_EQ(limits.begin_lookup(later), LookupAdmission::budget_spent);
}

TEST(PeerLimits, AnEarlierTimeAddsNoBudget) {
  PeerLimits limits(options(100, 10, 10, 1), t0 + 10s);
  EXPECT_EQ(limits.begin_lookup(t0 + 10s), LookupAdmission::admitted);
  EXPECT_EQ(limits.begin_lookup(t0), LookupAdmission::budget_spent);
  EXPECT_EQ(limits.begin_lookup(t0 + 10s), LookupAdmission::budget_spent);
}

TEST(PeerLimits, EachUidHoldsAtMostItsCapAndReleasesGiveSlotsBack) {
  PeerLimits limits(options(8, 2, 10, 10), t0);
  EXPECT_TRUE(limits.acquire(1000));
  EXPECT_TRUE(limits.acquire(1000));
  EXPECT_FALSE(limits.acquire(1000));
  EXPECT_EQ(limits.held(1000), 2u);
  // Another uid's count is its own.
  EXPECT_TRUE(limits.acquire(1001));
  EXPECT_EQ(limits.held(1001), 1u);
  limits.release(1000);
  EXPECT_EQ(limits.held(1000), 1u);
  EXPECT_TRUE(limits.acquire(1000));
  limits.release(1000);
  limits.release(1000);
  limits.release(1000);  // one more than held: ignored
  EXPECT_EQ(limits.held(1000), 0u);
  EXPECT_TRUE(limits.acquire(1000));
}

TEST(PeerLimits, ACapOfZeroRefusesEveryUid) {
  PeerLimits limits(options(8, 0, 10, 10), t0);
  EXPECT_FALSE(limits.acquire(0));
  EXPECT_EQ(limits.held(0), 0u);
}

TEST(LogThrottle, TheFirstLinePassesThenOnePerIntervalWithTheCountOfTheSuppressed) {
  LogThrottle throttle(1000ms);
  EXPECT_EQ(throttle.allow(t0), std::optional<std::size_t>(0));
  EXPECT_EQ(throttle.allow(t0 + 1ms), std::nullopt);
  EXPECT_EQ(throttle.allow(t0 + 500ms), std::nullopt);
  EXPECT_EQ(throttle.allow(t0 + 999ms), std::nullopt);
  EXPECT_EQ(throttle.allow(t0 + 1000ms), std::optional<std::size_t>(3));
  EXPECT_EQ(throttle.allow(t0 + 1500ms), std::nullopt);
  // The interval counts from the last line written, not from the first.
  EXPECT_EQ(throttle.allow(t0 + 1999ms), std::nullopt);
  EXPECT_EQ(throttle.allow(t0 + 5s), std::optional<std::size_t>(2));
  EXPECT_EQ(throttle.allow(t0 + 10s), std::optional<std::size_t>(0));
}

TEST(LogThrottle, AFloodWritesAtMostOneLinePerInterval) {
  LogThrottle throttle(1000ms);
  std::size_t lines = 0, reported = 0;
  // 10 000 events over 10 s (one per millisecond).
  for (int ms = 0; ms < 10000; ++ms) {
    if (auto suppressed = throttle.allow(t0 + std::chrono::milliseconds(ms))) {
      ++lines;
      reported += *suppressed;
    }
  }
  EXPECT_EQ(lines, 10u);
  EXPECT_EQ(lines + reported, 10000u - 999u) << "the last interval's are reported by a later line";
}

}  // namespace
}  // namespace bqb
