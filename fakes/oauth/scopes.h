#pragma once
// Scope lists as Google handles them: space separated on the wire, the aliases "email" and
// "profile" answered in their long form, order kept, duplicates dropped.

#include <string>
#include <string_view>
#include <vector>

namespace bqb::fakes {

/// Ordered, duplicate-free, every entry normalised (see normalize_scope).
using ScopeList = std::vector<std::string>;

/// @returns `scope` with Google's aliases expanded: "email" → ".../auth/userinfo.email",
/// "profile" → ".../auth/userinfo.profile"; any other scope unchanged.
std::string normalize_scope(std::string_view scope);
/// @returns the scopes of a space-separated list, normalised, in order, without duplicates.
ScopeList parse_scopes(std::string_view space_separated);
/// @returns the list joined with single spaces, the form Google answers with.
std::string join_scopes(const ScopeList& scopes);
/// @returns whether Google would know `scope`: "openid", "email", "profile", or a URL under
/// https://www.googleapis.com/auth/. A short name such as "bigquery" is unknown to Google.
bool is_known_scope(std::string_view scope);
/// @returns the entries of `wanted` that `granted` lacks; empty means `wanted` is a subset.
ScopeList missing_scopes(const ScopeList& wanted, const ScopeList& granted);
/// @returns whether `scopes` holds `scope` (after normalising it).
bool has_scope(const ScopeList& scopes, std::string_view scope);

}  // namespace bqb::fakes
