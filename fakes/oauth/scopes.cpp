#include "fakes/oauth/scopes.h"

#include <algorithm>

namespace bqb::fakes {
namespace {

constexpr std::string_view kAuthPrefix = "https://www.googleapis.com/auth/";

}  // namespace

std::string normalize_scope(std::string_view scope) {
  if (scope == "email") return std::string(kAuthPrefix) + "userinfo.email";
  if (scope == "profile") return std::string(kAuthPrefix) + "userinfo.profile";
  return std::string(scope);
}

ScopeList parse_scopes(std::string_view text) {
  ScopeList out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) {
      std::string s = normalize_scope(text.substr(pos, end - pos));
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    pos = end + 1;
  }
  return out;
}

std::string join_scopes(const ScopeList& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

bool is_known_scope(std::string_view scope) {
  if (scope == "openid" || scope == "email" || scope == "profile") return true;
  return scope.size() > kAuthPrefix.size() && scope.substr(0, kAuthPrefix.size()) == kAuthPrefix;
}

bool has_scope(const ScopeList& scopes, std::string_view scope) {
  return std::find(scopes.begin(), scopes.end(), normalize_scope(scope)) != scopes.end();
}

ScopeList missing_scopes(const ScopeList& wanted, const ScopeList& granted) {
  ScopeList out;
  for (const auto& s : wanted) {
    if (!has_scope(granted, s)) out.push_back(s);
  }
  return out;
}

}  // namespace bqb::fakes
