#include "daemon/net/backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace bqb {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

BackoffPolicy policy() {
  BackoffPolicy p;
  p.initial = 100ms;
  p.maximum = 1000ms;
  p.multiplier = 2;
  p.max_attempts = 6;
  p.max_total = 60s;
  return p;
}

TEST(Backoff, GrowsExponentiallyUpToTheMaximum) {
  Backoff b(policy(), [] { return 0.999999; });  // the top of each jitter range
  std::vector<milliseconds> delays;
  while (auto d = b.next_delay(0ms, std::nullopt)) delays.push_back(*d);
  EXPECT_EQ(delays, (std::vector<milliseconds>{99ms, 199ms, 399ms, 799ms, 999ms}));
}

TEST(Backoff, JitterStaysInTheUpperHalfOfTheCap) {
  Backoff low(policy(), [] { return 0.0; });
  EXPECT_EQ(low.next_delay(0ms, std::nullopt), 50ms);
  EXPECT_EQ(low.next_delay(0ms, std::nullopt), 100ms);
  Backoff mid(policy(), [] { return 0.5; });
  EXPECT_EQ(mid.next_delay(0ms, std::nullopt), 75ms);
}

TEST(Backoff, StopsAfterMaxAttempts) {
  auto p = policy();
  p.max_attempts = 3;
  Backoff b(p, [] { return 0.5; });
  EXPECT_TRUE(b.next_delay(0ms, std::nullopt));   // after attempt 1
  EXPECT_TRUE(b.next_delay(0ms, std::nullopt));   // after attempt 2
  EXPECT_FALSE(b.next_delay(0ms, std::nullopt));  // attempt 3 was the last
}

TEST(Backoff, OneAttemptMeansNoRetry) {
  auto p = policy();
  p.max_attempts = 1;
  Backoff b(p, [] { return 0.5; });
  EXPECT_FALSE(b.next_delay(0ms, std::nullopt));
}

TEST(Backoff, StopsWhenTheWaitWouldEndPastTheTotalBudget) {
  auto p = policy();
  p.max_total = 1000ms;
  Backoff b(p, [] { return 0.0; });
  EXPECT_EQ(b.next_delay(900ms, std::nullopt), 50ms);
  EXPECT_FALSE(b.next_delay(950ms, std::nullopt));  // 100 ms more would end at 1050 ms
}

TEST(Backoff, RespectsRetryAfterAboveTheJitteredDelay) {
  Backoff b(policy(), [] { return 0.0; });
  EXPECT_EQ(b.next_delay(0ms, 3000ms), 3000ms);
  // A Retry-After below the computed delay does not shorten it.
  EXPECT_EQ(b.next_delay(0ms, 1ms), 100ms);
}

TEST(Backoff, RetryAfterBeyondTheBudgetGivesUp) {
  auto p = policy();
  p.max_total = 10s;
  Backoff b(p, [] { return 0.0; });
  EXPECT_FALSE(b.next_delay(0ms, 3600s));
}

TEST(ParseRetryAfter, DelaySeconds) {
  const auto now = std::chrono::system_clock::from_time_t(0);
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", now), 0s);
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("1.5", now));
  EXPECT_FALSE(parse_retry_after("99999999999999999999999", now));
}

TEST(ParseRetryAfter, AHugeWaitIsClampedAndSurvivesTheLoopsArithmetic) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);
  EXPECT_EQ(parse_retry_after("86400", now), kMaxRetryAfter);
  EXPECT_EQ(parse_retry_after("86401", now), kMaxRetryAfter);
  // 2^63 - 1 seconds: in milliseconds it would overflow int64.
  auto max = parse_retry_after("9223372036854775807", now);
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, kMaxRetryAfter);
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), kMaxRetryAfter);
  // What a retry loop then does with it: give up within its budget rather than wait a day.
  Backoff b(policy(), [] { return 0.0; });
  EXPECT_FALSE(b.next_delay(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(*max)));
}

TEST(ParseRetryAfter, HttpDate) {
  // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480.
  const auto now = std::chrono::system_clock::from_time_t(1445412480 - 90);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 90s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now + 1h), 0s);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00", now));
  EXPECT_FALSE(parse_retry_after("tomorrow", now));
}

}  // namespace
}  // namespace bqb
