#include "daemon/server/route.h"

namespace bqb {

RoutePattern::RoutePattern(std::string_view pattern) : text_(pattern) {
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    if (pattern[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    auto seg = pattern.substr(pos, end - pos);
    bool capture = seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
    parts_.emplace_back(capture ? std::string_view{} : seg);
    is_capture_.push_back(capture);
    pos = end;
  }
}

std::optional<std::vector<std::string>> RoutePattern::match(
    const std::vector<std::string>& segments) const {
  if (segments.size() != parts_.size()) return std::nullopt;
  std::vector<std::string> captures;
  for (std::size_t i = 0; i < parts_.size(); ++i) {
    if (is_capture_[i]) {
      if (segments[i].empty()) return std::nullopt;
      captures.push_back(segments[i]);
    } else if (segments[i] != parts_[i]) {
      return std::nullopt;
    }
  }
  return captures;
}

}  // namespace bqb
