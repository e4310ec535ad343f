#pragma once
// BigQuery types for SQLite values, pure (no sqlite3 here): the TableFieldSchema of a result
// column, from its declared type or from the values it holds, and each value in BigQuery's
// all-strings JSON form ({"v": …}). TIMESTAMP values come out as int64 microseconds, the form
// the fake BigQuery keeps and converts per formatOptions.useInt64Timestamp.
//
// Declared types (CREATE TABLE column types; the first word is the BigQuery type, a second word
// only picks SQLite's storage affinity, e.g. "STRING TEXT" so that '0123' stays text):
//   INT64 INTEGER INT | FLOAT64 FLOAT REAL DOUBLE | NUMERIC | BIGNUMERIC | BOOL BOOLEAN |
//   STRING TEXT VARCHAR | BYTES BLOB | DATE | DATETIME | TIME | TIMESTAMP | JSON
//   or a name from the dataset's __bq_types table (name, field): a TableFieldSchema without
//   "name" for REPEATED and RECORD columns, whose values are stored as JSON text.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace bqb::fakes::sqlite {

/// One SQLite value, by storage class.
struct Cell {
  enum class Kind { null, integer, real, text, blob };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text or blob
};

/// Named types by upper-case name: TableFieldSchema JSON without "name".
using NamedTypes = std::map<std::string, nlohmann::json, std::less<>>;

/// @returns the field (type, mode[, fields]) that `declared` (sqlite3_column_decltype) names, or
/// nullopt when it names none (an expression, or an unknown type: infer_field decides).
std::optional<nlohmann::json> field_for_declared_type(std::string_view declared,
                                                      const NamedTypes& named);

/// @returns the field for an expression column from its values' storage classes: integers
/// INTEGER, integers and reals FLOAT, blobs BYTES, anything with text STRING, all NULL INTEGER
/// (BigQuery's type for a bare NULL).
nlohmann::json infer_field(const std::vector<const Cell*>& column);

/// @returns `c` as the "v" of a row cell for `field` (a string, null, an array for REPEATED, an
/// {"f":[…]} object for RECORD), or why it cannot be (a malformed TIMESTAMP or JSON text).
tl::expected<nlohmann::json, std::string> render_cell(const nlohmann::json& field, const Cell& c);

/// @returns microseconds since the epoch of a BigQuery timestamp literal: "YYYY-MM-DD",
/// optionally followed by [T or space]HH:MM[:SS[.ffffff]] and Z, " UTC", or ±HH[:MM].
std::optional<std::int64_t> parse_timestamp_micros(std::string_view text);
/// @returns the canonical text the sample stores TIMESTAMPs as: "YYYY-MM-DD HH:MM:SS.ffffff+00:00"
/// (ordered as text, understood by SQLite's date functions).
std::string format_timestamp(std::int64_t micros);

/// @returns `bytes` in standard base64 (BigQuery's BYTES form); decode_base64 its inverse, nullopt
/// for text that is not base64.
std::string encode_base64(std::string_view bytes);
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace bqb::fakes::sqlite
