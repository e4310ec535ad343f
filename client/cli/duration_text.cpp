#include "client/cli/duration_text.h"

#include <array>

namespace bqb::cli {

std::string render_duration(std::int64_t seconds) {
  if (seconds <= 0) return "0s";
  struct Unit {
    std::int64_t seconds;
    char suffix;
  };
  constexpr std::array<Unit, 4> kUnits{{{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
  std::string out;
  int shown = 0;
  for (const Unit& u : kUnits) {
    const std::int64_t n = seconds / u.seconds;
    seconds %= u.seconds;
    // Once the largest unit is shown, the next one is shown even when zero ("2h 0m"), so that
    // the precision does not jump around; after that, stop.
    if (n == 0 && shown == 0) continue;
    if (shown > 0) out += ' ';
    out += std::to_string(n);
    out += u.suffix;
    if (++shown == 2) break;
  }
  return out;
}

}  // namespace bqb::cli
