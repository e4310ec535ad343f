#include "proto/routes.h"

namespace bqb::routes {

std::string target(const Route& route, const std::vector<std::string>& segments) {
  std::string out;
  std::string_view rest = route.pattern;
  auto next = segments.begin();
  while (!rest.empty()) {
    auto open = rest.find('{');
    auto close = open == std::string_view::npos ? open : rest.find('}', open);
    if (close == std::string_view::npos || next == segments.end()) {
      out += rest;
      break;
    }
    out += rest.substr(0, open);
    out += *next++;
    rest.remove_prefix(close + 1);
  }
  return out;
}

}  // namespace bqb::routes
