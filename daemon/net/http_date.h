#pragma once
// HTTP dates (RFC 9110 §5.6.7): the `Date` and `Retry-After` headers' IMF-fixdate, and what the
// `Date` of a response says about our clock. Pure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bqb {

/// @returns the seconds since the Unix epoch of an IMF-fixdate such as
/// "Wed, 21 Oct 2015 07:28:00 GMT" (blanks around it ignored), or nullopt for anything else.
/// In whole seconds: a system_clock time point (nanoseconds) overflows past 2262.
std::optional<std::int64_t> parse_http_date(std::string_view value);

/// The server's clock minus ours, in whole seconds (positive: ours is behind), from the `Date`
/// header `date` of a response to a request sent at `sent` and read whole at `received`. The
/// server wrote its date somewhere in between, truncated to the second, so the estimate is the
/// middle of [date, date + 1 s) against the middle of [sent, received): good to within half the
/// round trip plus half a second. @returns nullopt when `date` is not an IMF-fixdate.
std::optional<std::int64_t> clock_skew_seconds(std::string_view date,
                                               std::chrono::system_clock::time_point sent,
                                               std::chrono::system_clock::time_point received);

}  // namespace bqb
