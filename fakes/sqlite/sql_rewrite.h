#pragma once
// BigQuery's lexical forms SQLite does not read, rewritten before prepare, pure:
//   `project.dataset.table`, `dataset.table`, `name`  →  "dataset"."table", "name"
//     (the project is dropped: every project sees the same datasets, which are SQLite schemas
//     attached under the dataset's name, so unquoted dataset.table works as is)
//   "text" (a string in BigQuery, an identifier in SQLite)  →  'text'
//   # comment  →  -- comment
// Single-quoted strings, -- and /* */ comments pass through untouched. This is no dialect
// translator: everything else must already be SQL SQLite runs.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bqb::fakes::sqlite {

struct RewrittenSql {
  std::string sql;
  /// (offset in sql, offset in the original) at each place the two texts re-align.
  std::vector<std::pair<std::size_t, std::size_t>> anchors;

  /// @returns the original offset of byte `offset` of `sql` (inside a rewritten token: the
  /// token's start).
  std::size_t original_offset(std::size_t offset) const;
};

/// @returns `sql` with the rewrites above applied. An unterminated quote is left as is, for
/// SQLite to report.
RewrittenSql rewrite_bigquery_sql(std::string_view sql);

/// @returns BigQuery's "[line:column]" position (1-based, columns in characters) of byte
/// `offset` of `text`.
std::string position_of(std::string_view text, std::size_t offset);

}  // namespace bqb::fakes::sqlite
