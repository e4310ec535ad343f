#pragma once
// Durations for people: the two largest non-zero units, e.g. "42s", "5m 3s", "2h 5m", "3d 4h".

#include <cstdint>
#include <string>

namespace bqb::cli {

/// @returns `seconds` in human form; negative values render as "0s".
std::string render_duration(std::int64_t seconds);

}  // namespace bqb::cli
