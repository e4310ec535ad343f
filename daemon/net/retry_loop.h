#pragma once
// The one retry loop for calls to Google (token refresh, BigQuery requests). A step makes one
// attempt and says what its failure calls for (RetryAction); the loop sends it again after a
// bounded, jittered backoff (daemon/net/backoff.h) when that is `retry`, at once when it is
// `refresh` (the step renewed what was refused, and bounds how often it does), and stops
// otherwise. Time, randomness and sleeping are injectable, so tests run in microseconds.

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <tl/expected.hpp>

#include "daemon/net/backoff.h"
#include "daemon/net/retry_action.h"

namespace bqb {

/// One attempt's outcome: a value, or an error and what it calls for.
template <class T, class E>
struct RetryStep {
  tl::expected<T, E> result;
  RetryAction action = RetryAction::fail;  // meaningful only for an error
  std::optional<std::chrono::milliseconds> retry_after;  // what the server asked for
};

/// The loop's outcome: the last step, and whether the loop gave up on a retryable error because
/// the attempts or the time were used up (callers say so in the message).
template <class T, class E>
struct RetryOutcome {
  RetryStep<T, E> last;
  int attempts = 0;
  bool exhausted = false;
};

struct RetryOptions {
  using Sleep = std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)>;
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  BackoffPolicy policy;
  Backoff::Random random;  // required: a source in [0, 1)
  Sleep sleep;             // default: a steady_timer on the awaiting coroutine's executor
  Now now;                 // default: std::chrono::steady_clock::now
  /// Called before each backoff wait with the attempt number that failed and the wait.
  std::function<void(int attempt, std::chrono::milliseconds delay)> on_retry;
};

/// Waits `delay` on the awaiting coroutine's executor.
inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

/// Runs `step` (a callable returning awaitable<RetryStep<T, E>>) until it succeeds or its
/// failure is not to be retried. @returns the last step.
template <class T, class E, class Step>
boost::asio::awaitable<RetryOutcome<T, E>> retry_loop(const RetryOptions& options, Step step) {
  const auto now = [&] {
    return options.now ? options.now() : std::chrono::steady_clock::now();
  };
  Backoff backoff(options.policy, options.random);
  const auto started = now();
  RetryOutcome<T, E> out;
  for (;;) {
    out.last = co_await step();
    ++out.attempts;
    if (out.last.result || out.last.action == RetryAction::fail ||
        out.last.action == RetryAction::relogin) {
      co_return out;
    }
    if (out.last.action == RetryAction::refresh) continue;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now() - started);
    const auto delay = backoff.next_delay(elapsed, out.last.retry_after);
    if (!delay) {
      out.exhausted = true;
      co_return out;
    }
    if (options.on_retry) options.on_retry(out.attempts, *delay);
    if (options.sleep) {
      co_await options.sleep(*delay);
    } else {
      co_await sleep_for(*delay);
    }
  }
}

}  // namespace bqb
