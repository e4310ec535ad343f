// The one retry loop, with a fake clock and sleep: retryable failures are sent again with the
// backoff's delays (Retry-After honoured) until success or exhaustion; fail and relogin stop at
// once; refresh goes again without a delay.

#include "daemon/net/retry_loop.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace bqb {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Step = RetryStep<int, std::string>;
using Outcome = RetryOutcome<int, std::string>;

class RetryLoopTest : public ::testing::Test {
 protected:
  RetryLoopTest() {
    options_.policy.initial = milliseconds(100);
    options_.policy.maximum = milliseconds(1000);
    options_.policy.max_attempts = 4;
    options_.policy.max_total = milliseconds(60'000);
    options_.random = [] { return 0.0; };  // equal jitter: the lower half's start, cap / 2
    options_.now = [this] { return now_; };
    options_.sleep = [this](milliseconds d) -> asio::awaitable<void> {
      slept_.push_back(d.count());
      now_ += d;
      co_return;
    };
  }

  /// Runs the loop over `script`, one step per attempt (the last one repeats).
  Outcome run(std::vector<Step> script) {
    std::size_t next = 0;
    auto step = [&]() -> asio::awaitable<Step> {
      co_return script[std::min(next++, script.size() - 1)];
    };
    std::optional<Outcome> out;
    asio::co_spawn(io_, retry_loop<int, std::string>(options_, step),
                   [&](std::exception_ptr e, Outcome o) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(o);
                   });
    io_.run();
    EXPECT_TRUE(out);
    return out.value_or(Outcome{});
  }

  static Step ok(int v) { return Step{v, RetryAction::fail, std::nullopt}; }
  static Step failed(RetryAction a, std::optional<milliseconds> after = std::nullopt) {
    return Step{tl::unexpected(std::string("boom")), a, after};
  }

  asio::io_context io_;
  RetryOptions options_;
  std::chrono::steady_clock::time_point now_{};
  std::vector<long> slept_;
};

TEST_F(RetryLoopTest, ASuccessAtOnceNeitherSleepsNorRetries) {
  auto o = run({ok(7)});
  ASSERT_TRUE(o.last.result);
  EXPECT_EQ(*o.last.result, 7);
  EXPECT_EQ(o.attempts, 1);
  EXPECT_TRUE(slept_.empty());
}

TEST_F(RetryLoopTest, RetryableFailuresBackOffUntilSuccess) {
  auto o = run({failed(RetryAction::retry), failed(RetryAction::retry), ok(1)});
  ASSERT_TRUE(o.last.result);
  EXPECT_EQ(o.attempts, 3);
  EXPECT_EQ(slept_, (std::vector<long>{50, 100}));  // caps 100, 200; jitter at the half
}

TEST_F(RetryLoopTest, GivesUpAfterMaxAttemptsAndSaysSo) {
  auto o = run({failed(RetryAction::retry)});
  ASSERT_FALSE(o.last.result);
  EXPECT_EQ(o.last.result.error(), "boom");
  EXPECT_TRUE(o.exhausted);
  EXPECT_EQ(o.attempts, 4);
  EXPECT_EQ(slept_.size(), 3u);
}

TEST_F(RetryLoopTest, RetryAfterIsHonoured) {
  auto o = run({failed(RetryAction::retry, milliseconds(700)), ok(1)});
  ASSERT_TRUE(o.last.result);
  EXPECT_EQ(slept_, (std::vector<long>{700}));
}

TEST_F(RetryLoopTest, GivesUpWhenTheWaitWouldPassTheTotalBudget) {
  options_.policy.max_total = milliseconds(120);
  auto o = run({failed(RetryAction::retry)});
  EXPECT_TRUE(o.exhausted);
  EXPECT_EQ(slept_, (std::vector<long>{50}));  // 50 + 100 would end past 120
}

TEST_F(RetryLoopTest, FailAndReloginStopAtOnce) {
  for (auto a : {RetryAction::fail, RetryAction::relogin}) {
    auto o = run({failed(a), ok(1)});
    EXPECT_FALSE(o.last.result);
    EXPECT_EQ(o.last.action, a);
    EXPECT_EQ(o.attempts, 1);
    EXPECT_FALSE(o.exhausted);
    io_.restart();
  }
  EXPECT_TRUE(slept_.empty());
}

TEST_F(RetryLoopTest, RefreshGoesAgainWithoutADelay) {
  auto o = run({failed(RetryAction::refresh), ok(2)});
  ASSERT_TRUE(o.last.result);
  EXPECT_EQ(o.attempts, 2);
  EXPECT_TRUE(slept_.empty());
}

}  // namespace
}  // namespace bqb
