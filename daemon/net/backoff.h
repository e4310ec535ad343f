#pragma once
// Bounded exponential backoff with jitter, for retrying transient failures of the token endpoint.
// Which failures are transient is decided elsewhere (oauth::classify_token_error); this only says
// how long to wait and when to stop. Pure: randomness and time are inputs.

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace bqb {

struct BackoffPolicy {
  /// Cap of the first delay; each further delay's cap is `multiplier` times the previous one's.
  std::chrono::milliseconds initial{500};
  /// No delay's cap exceeds this.
  std::chrono::milliseconds maximum{std::chrono::seconds(8)};
  double multiplier = 2.0;
  /// Attempts in all, the first one included.
  int max_attempts = 5;
  /// No retry is scheduled to start later than this after the first attempt started.
  std::chrono::milliseconds max_total{std::chrono::seconds(20)};
};

class Backoff {
 public:
  /// @returns a number uniformly distributed in [0, 1).
  using Random = std::function<double()>;

  Backoff(BackoffPolicy policy, Random random);

  /// Records a failed attempt. `elapsed` is the time since the first attempt started;
  /// `retry_after` what the server asked for (Retry-After), if anything.
  /// @returns how long to wait before the next attempt: "equal jitter", uniformly in
  /// [cap/2, cap) of the current cap, but never less than `retry_after`; nullopt when the attempts
  /// are used up or the wait would end past max_total.
  std::optional<std::chrono::milliseconds> next_delay(
      std::chrono::milliseconds elapsed, std::optional<std::chrono::milliseconds> retry_after);

 private:
  BackoffPolicy policy_;
  Random random_;
  int failures_ = 0;
  double cap_ms_;
};

/// The longest wait parse_retry_after() returns. A server may ask for any number of seconds (up to
/// 2^63 - 1 parses); clamping here keeps every later sum and unit conversion (to milliseconds, to a
/// time point) far from overflow. No retry loop waits this long: its total budget ends it first.
inline constexpr std::chrono::seconds kMaxRetryAfter = std::chrono::hours(24);

/// @returns the wait a Retry-After header value asks for (RFC 9110 §10.2.3: delay-seconds, or an
/// IMF-fixdate such as "Wed, 21 Oct 2015 07:28:00 GMT", taken relative to `now`), at most
/// kMaxRetryAfter; a date in the past is zero; nullopt for anything else (a number too large for
/// 64 bits included).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

}  // namespace bqb
