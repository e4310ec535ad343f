#pragma once
// `bqbroker query`'s request: where the SQL comes from, the bq-style `--param name:TYPE:value`
// arguments, and the POST /v1/query body (the contract in proto/openapi.yaml). Pure logic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"

namespace bqb::cli {

/// A `--param` argument split at its first two ':' (the value keeps any later ':').
struct CliParam {
  std::string name;                  // empty: a positional parameter (`?` in the SQL)
  std::string type;                  // as written; empty means STRING (the daemon decides)
  std::optional<std::string> value;  // nullopt: the value `NULL`

  friend bool operator==(const CliParam&, const CliParam&) = default;
};

/// @returns `arg` split as name:TYPE:value; bad_request when it has fewer than two ':'.
Result<CliParam> split_param(std::string_view arg);

/// @returns the parameter in the socket API's JSON form {"name"?, "type", "value"}: the value as
/// a JSON string (the daemon parses it by the type, ARRAY and STRUCT values as JSON text), null
/// for NULL.
nlohmann::json param_json(const CliParam& p);

enum class SqlSource { argument, standard_input };

/// @returns where the SQL comes from: standard input for the argument "-", or when no argument
/// is given and standard input is not a terminal; the argument otherwise. bad_request when
/// there is neither (no argument, stdin a terminal).
Result<SqlSource> choose_sql_source(const std::optional<std::string>& arg, bool stdin_is_terminal);

/// What the command line asks for, besides the SQL.
struct QueryRequest {
  std::optional<std::string> project;
  std::optional<std::string> location;
  std::optional<std::string> account;
  std::optional<std::string> default_dataset;
  std::vector<CliParam> params;
  bool legacy_sql = false;
  bool dry_run = false;
  std::optional<std::uint64_t> max_rows;
  std::optional<std::uint64_t> page_size;
  std::optional<std::uint64_t> max_bytes_billed;
};

/// @returns the POST /v1/query body for `sql`; absent options are left out (the daemon's
/// defaults apply), use_legacy_sql is always sent.
nlohmann::json query_body(const QueryRequest& r, const std::string& sql);

/// @returns `sql` unless it is empty or only whitespace: bad_request naming `source`.
Result<std::string> non_empty_sql(std::string sql, std::string_view source);

}  // namespace bqb::cli
