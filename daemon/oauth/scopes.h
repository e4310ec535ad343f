#pragma once
// OAuth scopes as bqbroker compares them: each scope normalised to one canonical spelling, sets
// kept sorted and free of duplicates so that equal sets compare (and hash, as cache keys) equal.
//
// Canonical form: full URLs stay as they are; `openid` stays `openid`; Google's aliases `email`
// and `profile` become the URLs Google itself reports in a token response's `scope` field
// (…/auth/userinfo.email, …/auth/userinfo.profile); any other short name `x` becomes
// https://www.googleapis.com/auth/x (`cloud-platform`, `bigquery.readonly`, …).

#include <string>
#include <string_view>
#include <vector>

#include "proto/error.h"

namespace bqb::oauth {

inline constexpr std::string_view kScopePrefix = "https://www.googleapis.com/auth/";
inline constexpr std::string_view kScopeOpenId = "openid";
inline constexpr std::string_view kScopeEmail = "https://www.googleapis.com/auth/userinfo.email";
inline constexpr std::string_view kScopeProfile =
    "https://www.googleapis.com/auth/userinfo.profile";
inline constexpr std::string_view kScopeBigQuery = "https://www.googleapis.com/auth/bigquery";
inline constexpr std::string_view kScopeBigQueryReadOnly =
    "https://www.googleapis.com/auth/bigquery.readonly";

/// @returns the canonical spelling of one scope; bad_request (naming the scope and `where`) for
/// an empty scope or one with characters RFC 6749 §3.3 forbids (space, '"', '\', controls).
Result<std::string> normalize_scope(std::string_view scope, std::string_view where);

/// @returns the shortest name that normalises to `canonical` (`bigquery.readonly`, `email`),
/// for hints a person types; other scopes are returned unchanged.
std::string short_scope_name(std::string_view canonical);

/// A set of canonical scopes: sorted, deduplicated. Ordered and comparable, so usable as a key.
class ScopeSet {
 public:
  ScopeSet() = default;

  /// @returns the set of `scopes` after normalising each; an invalid one is an error.
  static Result<ScopeSet> from_list(const std::vector<std::string>& scopes, std::string_view where);
  /// @returns the set in a space-separated string (OAuth's `scope` parameter and field); runs
  /// of whitespace are one separator, an empty string is the empty set.
  static Result<ScopeSet> parse_space_separated(std::string_view text, std::string_view where);
  /// @returns the set in a comma-separated string (the metadata server's `?scopes=`).
  static Result<ScopeSet> parse_comma_separated(std::string_view text, std::string_view where);

  /// Adds `other`'s scopes.
  void merge(const ScopeSet& other);

  bool empty() const { return scopes_.empty(); }
  std::size_t size() const { return scopes_.size(); }
  /// @returns the canonical scopes in sorted order.
  const std::vector<std::string>& items() const { return scopes_; }
  /// @returns whether the set holds `canonical` (a canonical spelling).
  bool contains(std::string_view canonical) const;
  /// @returns whether every scope of this set is in `granted`.
  bool subset_of(const ScopeSet& granted) const;
  /// @returns this set's scopes that `granted` lacks, sorted.
  std::vector<std::string> missing_from(const ScopeSet& granted) const;

  /// @returns "a b c", for the authorization URL and a refresh request's `scope=`.
  std::string space_separated() const;

  friend bool operator==(const ScopeSet&, const ScopeSet&) = default;
  friend auto operator<=>(const ScopeSet&, const ScopeSet&) = default;

 private:
  explicit ScopeSet(std::vector<std::string> canonical);

  std::vector<std::string> scopes_;
};

/// @returns bigquery and bigquery.readonly (so read-only tokens can be minted later), openid and
/// email.
ScopeSet default_login_scopes();

/// @returns the scopes a login asks for: the defaults unless `no_default_scopes`, plus `extra`
/// (`--scope`, repeatable), plus openid and email always (the account's email comes in the
/// id_token). An invalid scope in `extra` is bad_request naming it.
Result<ScopeSet> login_scopes(const std::vector<std::string>& extra, bool no_default_scopes);

/// @returns scope_not_granted naming the scopes of `wanted` that `granted` lacks and hinting the
/// `bqbroker login` that would grant them; success when `wanted` is a subset of `granted`.
Status require_granted(const ScopeSet& wanted, const ScopeSet& granted, std::string_view account);

}  // namespace bqb::oauth
