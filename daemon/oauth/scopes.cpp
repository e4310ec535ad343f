#include "daemon/oauth/scopes.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace bqb::oauth {
namespace {

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool scope_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && c != '"' && c != '\\';
}

bool is_url(std::string_view s) { return s.starts_with("https://") || s.starts_with("http://"); }

template <class Split>
Result<ScopeSet> parse_split(std::string_view text, std::string_view where, Split is_sep) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_sep(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_sep(text[i])) ++i;
    if (i > start) parts.emplace_back(text.substr(start, i - start));
  }
  return ScopeSet::from_list(parts, where);
}

}  // namespace

Result<std::string> normalize_scope(std::string_view scope, std::string_view where) {
  if (scope.empty()) return fail(Errc::bad_request, fmt::format("empty scope in {}", where));
  if (!std::all_of(scope.begin(), scope.end(), scope_char)) {
    // Quoting the scope is safe (scopes are public names), but not its control characters.
    std::string shown;
    for (char c : scope) {
      auto u = static_cast<unsigned char>(c);
      shown.push_back(u < 0x20 || u == 0x7f ? '?' : c);
    }
    return fail(Errc::bad_request,
                fmt::format("scope '{}' in {} has a space, quote, backslash or control character",
                            shown, where),
                "give each scope separately, e.g. --scope bigquery --scope cloud-platform");
  }
  if (is_url(scope) || scope == kScopeOpenId) return std::string(scope);
  if (scope == "email") return std::string(kScopeEmail);
  if (scope == "profile") return std::string(kScopeProfile);
  return std::string(kScopePrefix) + std::string(scope);
}

std::string short_scope_name(std::string_view canonical) {
  if (canonical == kScopeEmail) return "email";
  if (canonical == kScopeProfile) return "profile";
  if (canonical.starts_with(kScopePrefix) && canonical.size() > kScopePrefix.size()) {
    std::string_view rest = canonical.substr(kScopePrefix.size());
    // Only when the short name maps back: "userinfo.email" would, but "email" is shorter (above).
    if (rest.find('/') == std::string_view::npos) return std::string(rest);
  }
  return std::string(canonical);
}

ScopeSet::ScopeSet(std::vector<std::string> canonical) : scopes_(std::move(canonical)) {
  std::sort(scopes_.begin(), scopes_.end());
  scopes_.erase(std::unique(scopes_.begin(), scopes_.end()), scopes_.end());
}

Result<ScopeSet> ScopeSet::from_list(const std::vector<std::string>& scopes,
                                     std::string_view where) {
  std::vector<std::string> canonical;
  canonical.reserve(scopes.size());
  for (const auto& s : scopes) {
    BQB_TRY(c, normalize_scope(s, where));
    canonical.push_back(std::move(c));
  }
  return ScopeSet(std::move(canonical));
}

Result<ScopeSet> ScopeSet::parse_space_separated(std::string_view text, std::string_view where) {
  return parse_split(text, where,
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

Result<ScopeSet> ScopeSet::parse_comma_separated(std::string_view text, std::string_view where) {
  return parse_split(text, where, [](char c) { return c == ','; });
}

void ScopeSet::merge(const ScopeSet& other) {
  std::vector<std::string> all = scopes_;
  all.insert(all.end(), other.scopes_.begin(), other.scopes_.end());
  *this = ScopeSet(std::move(all));
}

bool ScopeSet::contains(std::string_view canonical) const {
  return std::binary_search(scopes_.begin(), scopes_.end(), canonical, std::less<>{});
}

bool ScopeSet::subset_of(const ScopeSet& granted) const {
  return std::includes(granted.scopes_.begin(), granted.scopes_.end(), scopes_.begin(),
                       scopes_.end());
}

std::vector<std::string> ScopeSet::missing_from(const ScopeSet& granted) const {
  std::vector<std::string> out;
  std::set_difference(scopes_.begin(), scopes_.end(), granted.scopes_.begin(),
                      granted.scopes_.end(), std::back_inserter(out));
  return out;
}

std::string ScopeSet::space_separated() const { return fmt::format("{}", fmt::join(scopes_, " ")); }

ScopeSet default_login_scopes() {
  return ScopeSet::from_list({std::string(kScopeBigQuery), std::string(kScopeBigQueryReadOnly),
                              std::string(kScopeOpenId), std::string(kScopeEmail)},
                             "the default scopes")
      .value();  // constants: cannot fail (tested)
}

Result<ScopeSet> login_scopes(const std::vector<std::string>& extra, bool no_default_scopes) {
  BQB_TRY(added, ScopeSet::from_list(extra, "--scope"));
  ScopeSet out;
  if (no_default_scopes) {
    out = ScopeSet::from_list({std::string(kScopeOpenId), std::string(kScopeEmail)}, "").value();
  } else {
    out = default_login_scopes();
  }
  out.merge(added);
  return out;
}

Status require_granted(const ScopeSet& wanted, const ScopeSet& granted, std::string_view account) {
  std::vector<std::string> missing = wanted.missing_from(granted);
  if (missing.empty()) return {};
  std::string flags;
  for (const auto& s : missing) flags += fmt::format(" --scope {}", short_scope_name(s));
  return fail(Errc::scope_not_granted,
              fmt::format("account {} has not granted {}", account, fmt::join(missing, ", ")),
              fmt::format("run `bqbroker login{}` to grant {}", flags,
                          missing.size() == 1 ? "it" : "them"));
}

}  // namespace bqb::oauth
