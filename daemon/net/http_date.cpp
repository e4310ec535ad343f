#include "daemon/net/http_date.h"

#include <cmath>
#include <ctime>
#include <iomanip>
#include <locale>
#include <sstream>
#include <string>

namespace bqb {

std::optional<std::int64_t> parse_http_date(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  constexpr std::string_view kGmt = " GMT";
  if (!value.ends_with(kGmt)) return std::nullopt;
  value.remove_suffix(kGmt.size());
  std::tm tm{};
  std::istringstream in{std::string(value)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  const std::time_t at = ::timegm(&tm);
  if (at == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<std::int64_t>(at);
}

std::optional<std::int64_t> clock_skew_seconds(std::string_view date,
                                               std::chrono::system_clock::time_point sent,
                                               std::chrono::system_clock::time_point received) {
  auto server = parse_http_date(date);
  if (!server) return std::nullopt;
  using seconds_d = std::chrono::duration<double>;
  const double ours = (seconds_d(sent.time_since_epoch()).count() +
                       seconds_d(received.time_since_epoch()).count()) /
                      2;
  return static_cast<std::int64_t>(std::llround(static_cast<double>(*server) + 0.5 - ours));
}

}  // namespace bqb
