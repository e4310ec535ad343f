#include "daemon/net/backoff.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "daemon/net/http_date.h"

namespace bqb {

using std::chrono::milliseconds;

Backoff::Backoff(BackoffPolicy policy, Random random)
    : policy_(policy),
      random_(std::move(random)),
      cap_ms_(static_cast<double>(policy.initial.count())) {}

std::optional<milliseconds> Backoff::next_delay(milliseconds elapsed,
                                                std::optional<milliseconds> retry_after) {
  ++failures_;
  if (failures_ >= policy_.max_attempts) return std::nullopt;
  const double cap = std::min(cap_ms_, static_cast<double>(policy_.maximum.count()));
  cap_ms_ = cap * policy_.multiplier;
  const double r = std::clamp(random_(), 0.0, 1.0);
  auto delay = milliseconds(static_cast<milliseconds::rep>(cap / 2 + r * cap / 2));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  if (elapsed + delay > policy_.max_total) return std::nullopt;
  return delay;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return std::min(std::chrono::seconds(seconds), kMaxRetryAfter);
  }
  const auto at = parse_http_date(value);
  if (!at) return std::nullopt;
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t wait = *at - now_s;
  if (wait <= 0) return std::chrono::seconds(0);
  return std::min(std::chrono::seconds(wait), kMaxRetryAfter);
}

}  // namespace bqb
