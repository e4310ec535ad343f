#pragma once
// ASCII-only text helpers for protocol tokens (host names, header names, OAuth error codes),
// which are case-insensitive in ASCII alone; never for user text.

#include <algorithm>
#include <string>
#include <string_view>

namespace bqb {

inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// @returns `s` with A-Z turned into a-z; other bytes unchanged.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
  return out;
}

/// @returns whether `a` and `b` are equal ignoring ASCII case.
inline bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

}  // namespace bqb
